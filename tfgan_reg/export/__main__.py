"""`python -m tfgan_reg.export --workdir RUN --out DIR` (see `tfgan_reg.commands.export`)."""
import sys

from tfgan_reg import commands

if __name__ == "__main__":
    commands.run(commands.load("export"), sys.argv[1:], program="python -m tfgan_reg.export")
