"""`python -m tfgan_reg.dynamics table|quadratic|figure` (see `tfgan_reg.commands.dynamics`)."""
import sys

from tfgan_reg import commands

if __name__ == "__main__":
    commands.run(commands.load("dynamics"), sys.argv[1:], program="python -m tfgan_reg.dynamics")
