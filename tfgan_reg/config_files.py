"""A config file's config: the `get_config([argument])` of a Python file, as
`--config=path[:argument]` names it. Free of TensorFlow, so a command reads a config before
TensorFlow loads; `config_lib.from_file` resolves the paper setups' paths over it."""
import importlib.util
import os


def load(path, argument=""):
    """`get_config(argument)` of the Python file `path` (`get_config()` when `argument` is
    empty). Raises FileNotFoundError naming `path` when there is no such file."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No config file {path!r}")
    name = "tfgan_reg_config_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.get_config(*([argument] if argument else []))
