"""The command-line tools. Each module here declares its absl flags at import, at the top, and
has a `main(argv)` that reads them and calls library functions; no other module of the package
reads or declares flags (`train.py` is the one command outside). `run` runs a tool's `main`
and turns the errors a user can fix into one `error:` line and exit status 1.
"""
import importlib
import sys

from absl import app
from absl import flags

# The `python -m tfgan_reg.eval <tool>` tools, by name.
EVAL_TOOLS = ("scores", "cross_test", "drift", "bogonet")
# Errors that report bad input or a bad state of the user's files, not a bug.
USER_ERRORS = (ValueError, FileNotFoundError, FileExistsError, FloatingPointError)


def load(tool):
    """The command module `tfgan_reg.commands.<tool>` (its flags are declared on import)."""
    return importlib.import_module(f"{__name__}.{tool}")


def run(module, argv, *, program):
    """Runs `module.main` under absl with `argv` (flags only), as `program` in messages.

    `--help` prints the tool's docstring and flags and exits 0; absl logs only errors unless
    `--verbosity` says otherwise (TensorFlow's checkpoint chatter stays out of the output).
    """
    if any(a in ("-h", "-?", "--help", "--helpshort") for a in argv):
        print(module.__doc__.strip() + "\n\nFlags:\n"
              + flags.FLAGS.module_help(module.__name__))
        sys.exit(0)
    sys.modules["__main__"].__doc__ = module.__doc__  # absl's usage messages name the tool

    def main(args):
        try:
            module.main(args)
        except USER_ERRORS as e:
            print(f"error: {e}", file=sys.stderr)
            sys.exit(1)

    app.run(main, argv=[program, "--verbosity=-1"] + list(argv))
