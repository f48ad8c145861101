"""Loads tensorflow-gan's eval ops without its package `__init__`.

tensorflow-gan 2.1.0's `__init__` imports `tf.estimator`, which TensorFlow >= 2.16 removed, so
`import tensorflow_gan` fails; its `python/eval` modules only need TensorFlow and
tensorflow-probability and work. `classifier_metrics()` registers empty package modules for
`tensorflow_gan`, `tensorflow_gan.python` and `tensorflow_gan.python.eval` (pointing at the
installed directories, without running their `__init__`s) only while it imports the real
submodule, then takes every `tensorflow_gan` entry it added out of `sys.modules` again and
keeps the loaded module here. So nothing else sees an empty `tensorflow_gan` package, and
`import tensorflow_gan` elsewhere fails as it would without this loader. The loaded functions
keep working: they reach `tf`, `tfp` and `eval_utils` through their own module's globals.
"""
import importlib
import importlib.util
import os
import sys
import threading
import types

_PACKAGES = ("tensorflow_gan", "tensorflow_gan.python", "tensorflow_gan.python.eval")
_NAME = "tensorflow_gan.python.eval.classifier_metrics"
_lock = threading.Lock()
_loaded = {}


def _root():
    spec = importlib.util.find_spec("tensorflow_gan")  # locates it without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("tensorflow-gan is not installed; `pip install tensorflow-gan==2.1.0` "
                          "(it is a dependency of tfgan_reg).")
    return list(spec.submodule_search_locations)[0]


def _is_tfgan(name):
    return name == "tensorflow_gan" or name.startswith("tensorflow_gan.")


def _load():
    if _NAME in sys.modules:  # imported by the real package (a TensorFlow with tf.estimator)
        return sys.modules[_NAME]
    root = _root()
    before = {name for name in list(sys.modules) if _is_tfgan(name)}
    try:
        for package, rel in zip(_PACKAGES, ("", "python", os.path.join("python", "eval"))):
            if package not in sys.modules:
                module = types.ModuleType(package)
                module.__path__ = [os.path.join(root, rel)]
                module.__tfgan_reg_stub__ = True
                sys.modules[package] = module
        return importlib.import_module(_NAME)
    finally:
        # The stubs and the submodules imported under them (`eval_utils` too).
        for name in [n for n in list(sys.modules) if _is_tfgan(n) and n not in before]:
            del sys.modules[name]


def classifier_metrics():
    """The `tensorflow_gan.python.eval.classifier_metrics` module (loaded once)."""
    with _lock:
        if _NAME not in _loaded:
            _loaded[_NAME] = _load()
        return _loaded[_NAME]
