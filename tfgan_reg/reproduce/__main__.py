"""`python -m tfgan_reg.reproduce --out DIR` (see `tfgan_reg.commands.reproduce`)."""
import sys

from tfgan_reg import commands

if __name__ == "__main__":
    commands.run(commands.load("reproduce"), sys.argv[1:],
                 program="python -m tfgan_reg.reproduce")
