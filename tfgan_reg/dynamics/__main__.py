"""`python -m tfgan_reg.dynamics table|quadratic|figure` (`tfgan_reg.commands.dynamics`)."""
from tfgan_reg import commands

if __name__ == "__main__":
    commands.main("dynamics")
