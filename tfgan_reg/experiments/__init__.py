"""Experiments that open or train runs (`tfgan_reg.runs`, `tfgan_reg.training`): seed 003's ICR
drift, seed 001's cross-testing, seed 000's BogoNet. Library functions taking arguments; their
commands are `python -m tfgan_reg.eval <tool>` (`tfgan_reg.commands`)."""
