"""tfgan_reg: GAN regularisers, objectives and competitive optimisers for TensorFlow 2 / Keras 3.

docs/METHODS.md-level numerics live in `losses`, `penalties`, `stabilizers`, `schedules`; the
Keras model is `GAN`; `training.train_and_evaluate` is what `train.py` runs (docs/ARCHITECTURE.md
has the layers).

Importing the package before TensorFlow imports nothing else: the names below load on first
use (PEP 562), so that `python -m tfgan_reg.<tool>`, which imports this package first, can set
up TensorFlow's start-up before TensorFlow loads (`tfgan_reg.commands`). With TensorFlow
already loaded they load at once, as Keras needs to find `GAN` in `keras.models.load_model`.
"""
import importlib
import sys

# Each name of the package and the module it comes from.
_NAMES = {"GAN": "tfgan_reg.gan", "TerminateOnNonFinite": "tfgan_reg.gan",
          "losses": "tfgan_reg.losses", "penalties": "tfgan_reg.penalties",
          "rng": "tfgan_reg.rng", "schedules": "tfgan_reg.schedules",
          "stabilizers": "tfgan_reg.stabilizers"}

__all__ = sorted(_NAMES)
__version__ = "0.1.0"


def __getattr__(name):
    """`name` from its module, imported now (called only for names not yet set)."""
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_NAMES[name])
    value = module if module.__name__ == f"{__name__}.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


if "tensorflow" in sys.modules:  # nothing to wait for
    for _name in __all__:
        __getattr__(_name)
    del _name
