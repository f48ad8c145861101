"""tfgan_reg: GAN regularisers, objectives and competitive optimisers for TensorFlow 2 / Keras 3.

METHODS.md-level numerics live in `losses`, `penalties`, `stabilizers`, `schedules`; the Keras
model is `GAN`; `training.train_and_evaluate` is what `train.py` runs (docs/ARCHITECTURE.md
has the layers).
"""
import os as _os
import sys as _sys

if _sys.argv[:1] == ["-m"]:  # `python -m tfgan_reg.<tool>` (while Python looks for the tool)
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # the tools' default, as train.py's
from tfgan_reg import commands as _commands  # noqa: E402  (light: absl only)

_commands.quiet_import()  # before the first TensorFlow import below

from tfgan_reg import losses  # noqa: E402
from tfgan_reg import penalties
from tfgan_reg import rng
from tfgan_reg import schedules
from tfgan_reg import stabilizers
from tfgan_reg.gan import GAN
from tfgan_reg.gan import TerminateOnNonFinite

__all__ = ["GAN", "TerminateOnNonFinite", "losses", "penalties", "rng", "schedules", "stabilizers"]
__version__ = "0.1.0"
