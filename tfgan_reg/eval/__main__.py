"""`python -m tfgan_reg.eval <tool> [--flags]`: the evaluation tools (`tfgan_reg.commands`)."""
from tfgan_reg import commands

if __name__ == "__main__":
    commands.main("eval")
