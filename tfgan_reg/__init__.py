"""tfgan_reg: GAN regularisers, objectives and competitive optimisers for TensorFlow 2 / Keras 3.

METHODS.md-level numerics live in `losses`, `penalties`, `stabilizers`, `schedules`; the Keras
model is `GAN`; `training.train_and_evaluate` is what `train.py` runs (docs/ARCHITECTURE.md
has the layers).
"""
from tfgan_reg import losses
from tfgan_reg import penalties
from tfgan_reg import rng
from tfgan_reg import schedules
from tfgan_reg import stabilizers
from tfgan_reg.gan import GAN
from tfgan_reg.gan import TerminateOnNonFinite

__all__ = ["GAN", "TerminateOnNonFinite", "losses", "penalties", "rng", "schedules", "stabilizers"]
__version__ = "0.1.0"
