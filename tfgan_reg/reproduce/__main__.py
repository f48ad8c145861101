"""`python -m tfgan_reg.reproduce --out DIR` (`tfgan_reg.commands.reproduce`)."""
from tfgan_reg import commands

if __name__ == "__main__":
    commands.main("reproduce")
