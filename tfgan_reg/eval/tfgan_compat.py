"""Loads tensorflow-gan's eval ops without its package `__init__`.

tensorflow-gan 2.1.0's `__init__` imports `tf.estimator`, which TensorFlow >= 2.16 removed, so
`import tensorflow_gan` fails; its `python/eval` modules only need TensorFlow and
tensorflow-probability and work. `classifier_metrics()` registers empty package modules for
`tensorflow_gan`, `tensorflow_gan.python` and `tensorflow_gan.python.eval` (pointing at the
installed directories, without running their `__init__`s) and imports the real submodule.
"""
import importlib
import importlib.util
import os
import sys
import types

_PACKAGES = ("tensorflow_gan", "tensorflow_gan.python", "tensorflow_gan.python.eval")


def _root():
    spec = importlib.util.find_spec("tensorflow_gan")  # locates it without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("tensorflow-gan is not installed; `pip install tensorflow-gan==2.1.0` "
                          "(it is a dependency of tfgan_reg).")
    return list(spec.submodule_search_locations)[0]


def classifier_metrics():
    """The `tensorflow_gan.python.eval.classifier_metrics` module."""
    name = "tensorflow_gan.python.eval.classifier_metrics"
    if name in sys.modules:
        return sys.modules[name]
    root = _root()
    for package, rel in zip(_PACKAGES, ("", "python", os.path.join("python", "eval"))):
        if package not in sys.modules:
            module = types.ModuleType(package)
            module.__path__ = [os.path.join(root, rel)]
            module.__tfgan_reg_stub__ = True
            sys.modules[package] = module
    return importlib.import_module(name)
