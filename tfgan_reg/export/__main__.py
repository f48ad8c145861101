"""`python -m tfgan_reg.export --workdir RUN --out DIR` (`tfgan_reg.commands.export`)."""
from tfgan_reg import commands

if __name__ == "__main__":
    commands.main("export")
