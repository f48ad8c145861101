"""Experiments that open or train runs (`tfgan_reg.runs`, `tfgan_reg.training`): the ICR paper's
drift, Roth et al.'s cross-testing, Kodali et al.'s BogoNet. Library functions taking arguments;
their commands are `python -m tfgan_reg.eval <tool>` (`tfgan_reg.commands`)."""
