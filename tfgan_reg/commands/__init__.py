"""The command-line tools. Each module here declares its absl flags at import, at the top, and
has a `main(argv)` that reads them and calls library functions; no other module of the package
reads or declares flags (`train.py` is the one command outside). `run` runs a tool's `main`
and turns the errors a user can fix, bad flags and bad config files included, into one
`error:` line and exit status 1, before anything is built or written.
"""
import contextlib
import glob
import importlib
import os
import subprocess
import sys
import warnings

from absl import app
from absl import flags
from ml_collections.config_flags import config_flags

from tfgan_reg import checks
from tfgan_reg import config_files
from tfgan_reg import cpu

# The `python -m tfgan_reg.eval <tool>` tools, by name.
EVAL_TOOLS = ("scores", "cross_test", "drift", "bogonet")
# What `python -m tfgan_reg.eval` without a tool, or with `help`, prints.
EVAL_USAGE = """`python -m tfgan_reg.eval <tool> [--flags]`: the evaluation tools; `<tool> --help`
for each.

Tools:
  scores      Inception score, FID and KID of a trained generator (TF-GAN Inception from
              TF-Hub when online, a local SavedModel / TF-Hub directory, or the domain
              classifier of digits / MNIST).
  cross_test  Roth et al.'s cross-testing of two runs' discriminators and generators.
  drift       The ICR paper's drift: how far the discriminator moves from a checkpoint when
              trained alone and when trained with its generator.
  bogonet     Kodali et al.'s BogoNet score: random architecture pairs trained with two methods.
"""
# The `python -m tfgan_reg.<entry>` names a user types (each package's `__main__.py` only
# calls `main`), with the tools each runs: `eval` takes the tool as its first argument.
ENTRY_POINTS = {"eval": EVAL_TOOLS, "dynamics": ("dynamics",), "export": ("export",),
                "reproduce": ("reproduce",)}
# Errors that report bad input or a bad state of the user's files, not a bug.
USER_ERRORS = (ValueError, FileNotFoundError, FileExistsError, NotADirectoryError,
               PermissionError, FloatingPointError)
HELP = ("-h", "-?", "--help", "--helpshort", "--helpfull")
# TensorFlow's start-up lines that no user can act on: INFO lines (hidden anyway from the first
# op on by TF_CPP_MIN_LOG_LEVEL=1) and absl's note about them.
_STARTUP_NOISE = (r"WARNING: All log messages before absl::InitializeLog\(\)"
                  r"|I\d{4} |To enable the following instructions: ")
_CUINIT = r".*failed call to cuInit"
# The filter between file descriptor 2 and the terminal: a process of its own, so that what
# TensorFlow writes just before an abort (a LOG(FATAL) at load) still reaches the terminal.
_FILTER = ("import re, sys\n"
           "drop = re.compile(sys.argv[1].encode())\n"
           "for line in sys.stdin.buffer:\n"
           "    if not drop.match(line):\n"
           "        sys.stderr.buffer.write(line)\n"
           "        sys.stderr.buffer.flush()\n")
_quiet = False


def fail(message, status=1):
    """Prints `message` as one `error:` line on stderr and exits with `status`."""
    print("error: " + " ".join(str(message).split()), file=sys.stderr)
    sys.exit(status)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """A Python warning in a command (the library's `warnings.warn`): one `warning:` line on
    stderr, like the commands' own."""
    kind = "" if category is UserWarning else f"{category.__name__}: "
    print(f"warning: {kind}" + " ".join(str(message).split()), file=file or sys.stderr)


def load(tool):
    """The command module `tfgan_reg.commands.<tool>` (its flags are declared on import)."""
    quiet_tensorflow()
    return importlib.import_module(f"{__name__}.{tool}")


@contextlib.contextmanager
def _filtered_stderr(drop):
    """While entered, the lines written to file descriptor 2 (C++ logs included) that the
    regular expression `drop` matches at their start are left out; the others pass."""
    sys.stderr.flush()
    saved = os.dup(2)
    filter_ = subprocess.Popen([sys.executable, "-I", "-S", "-c", _FILTER, drop],
                               stdin=subprocess.PIPE)
    os.dup2(filter_.stdin.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        filter_.stdin.close()
        filter_.wait()


def _noise():
    """The start-up lines to leave out: INFO lines when TF_CPP_MIN_LOG_LEVEL hides them, the
    cuInit error when the machine has no NVIDIA driver at all (/proc/driver/nvidia)."""
    parts = []
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "") not in ("", "0"):
        parts.append(_STARTUP_NOISE)
    if not os.path.exists("/proc/driver/nvidia"):
        parts.append(_CUINIT)
    return "|".join(f"(?:{p})" for p in parts) or "(?!)"  # (?!) matches nothing


def set_environment():
    """Sets what TensorFlow reads as it loads, each variable unless the user set it (to any
    value, "0" included): TF_CPP_MIN_LOG_LEVEL=1, which hides its C++ INFO lines (warnings and
    errors stay), and on x86-64 TF_ENABLE_ONEDNN_OPTS=1, its oneDNN kernels, which TensorFlow
    turns on by itself only on CPUs with AVX512_VNNI, AVX_VNNI, AVX512_BF16 or AMX (others run
    its slower Eigen kernels). `quiet_tensorflow` and the benchmarks call this before
    TensorFlow loads; importing the library sets nothing."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    if cpu.machine() == "x86_64":
        # Faster on CPUs without those features too (docs/BENCHMARKS.md, the AVX2-only EPYC).
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")


def quiet_import():
    """Imports TensorFlow, if not yet imported, without the INFO lines that its libraries log
    as they load ("oneDNN custom operations are on", "Could not find cuda drivers"), when
    TF_CPP_MIN_LOG_LEVEL asks to hide INFO: TensorFlow reads the variable only after them.
    Without the variable nothing is held back."""
    if "tensorflow" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL", "") in ("", "0"):
        return
    with _filtered_stderr(_noise()):
        import tensorflow  # noqa: F401  (heavy; imported here so its load lines are filtered)


def quiet_tensorflow():
    """Starts TensorFlow as a command wants it (`train.py` and every `python -m tfgan_reg.*`
    tool call this before their first TensorFlow import, which the library's modules do).

    The environment is `set_environment`'s; the import (`quiet_import`) and the device
    discovery (where a CPU-only machine logs "failed call to cuInit") run through a filter
    (`_noise`) that leaves out the lines a user cannot act on; anything else is written out.
    """
    global _quiet
    if _quiet:
        return
    _quiet = True
    set_environment()
    quiet_import()
    with _filtered_stderr(_noise()):
        import tensorflow as tf  # noqa: heavy
        tf.config.list_physical_devices("GPU")


def _config_flag_names(flag_values=flags.FLAGS):
    """The names of the ml_collections config-file flags (`--config`) among `flag_values`; the
    per-key override flags (`--config.a.b`) are not. Public API only: iterating and indexing
    absl's `FlagValues`, and `is_config_flag`, which ml_collections documents for this check
    but does not re-export from `ml_collections.config_flags` (tests/test_commands.py)."""
    return [name for name in flag_values if config_flags.is_config_flag(flag_values[name])]


def _load_config(argv, name):
    """The config of `--<name>=path[:argument]` in `argv`, before overrides (ml_collections
    does not keep it when an override fails)."""
    value = next((a.partition("=")[2] for a in argv[1:] if a.startswith(f"--{name}=")), "")
    path, _, argument = value.partition(":")
    return config_files.load(path, argument)


def _unknown_key(argv, error):
    """The one-line message of an override `--config.a.b=v` naming a key the config lacks."""
    hint = str(error.args[0] if error.args else error).strip("'\"").replace("\\'", "'")
    hint = hint.partition("\\n")[2] or hint.partition("\n")[2]
    for name in _config_flag_names():
        config = _load_config(argv, name)
        for arg in argv[1:]:
            if not arg.startswith(f"--{name}."):
                continue
            path, _, value = arg[len(name) + 3:].partition("=")
            node, keys = config, path.split(".")
            for i, key in enumerate(keys):
                valid = sorted(node.keys()) if hasattr(node, "keys") else []
                if key not in valid:
                    where = ".".join(keys[:i]) or name
                    return (f"Unknown config key `{path}`{'; ' + hint if hint else ''} (valid "
                            f"keys of `{where}`: {valid}). Received: {arg}")
                node = node[key]
    return f"Unknown config key: {hint or error}"


def _config_file_error(argv, error):
    """The one-line message of a --config file that is missing or fails to load."""
    text = str(error)
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    value = next((a.partition("=")[2] for a in argv[1:]
                  if any(a.startswith(f"--{n}=") for n in _config_flag_names())), "")
    path = value.partition(":")[0]
    if path and not os.path.exists(path):
        folder = os.path.dirname(path) or "."
        there = sorted(os.path.relpath(p) for p in glob.glob(os.path.join(folder, "*.py")))
        return (f"Config file {path!r} does not exist (config files in {folder!r}: "
                f"{there}). Received: --config={value}")
    cause = lines[-1] if lines else text
    if "get_config() takes 0 positional arguments" in cause:
        return (f"{path!r} takes no argument: use --config={path}. Received: "
                f"--config={value}")
    return f"--config={value}: {cause}"


def parse_flags(argv):
    """absl's flags parser (for `app.run`), with every parsing error as one `error:` line:
    unknown or malformed flags, a missing or failing config file, an unknown config key
    (ml_collections' "did you mean" kept)."""
    try:
        args = flags.FLAGS(argv)
        for name in _config_flag_names():
            getattr(getattr(flags.FLAGS, name), "keys", None)  # a failed load raises only here
        return args
    except (AttributeError, KeyError) as e:  # ml_collections: an override of an unknown key
        fail(_unknown_key(argv, e))
    except OSError as e:  # ml_collections: the config file could not be read
        fail(_config_file_error(argv, e))
    except flags.Error as e:
        text = str(e)
        if "Error whilst parsing config file" in text:
            fail(_config_file_error(argv, e))
        fail(f"{text} (`{argv[0]} --help` lists the flags)")


def run(module, argv, *, program):
    """Runs `module.main` under absl with `argv` (flags only), as `program` in messages.

    `--help` prints the tool's docstring and flags and exits 0; absl logs only warnings and
    errors unless `--verbosity` says otherwise (TensorFlow's checkpoint chatter stays out of
    the output); flag and config errors and `USER_ERRORS` are one `error:` line, status 1, and
    a Python warning is one `warning:` line.
    """
    if any(a in HELP for a in argv):
        # Flags of a script are filed under its path, of a module under its name.
        name = sys.argv[0] if module.__name__ == "__main__" else module.__name__
        print(module.__doc__.strip() + "\n\nFlags:\n" + flags.FLAGS.module_help(name))
        sys.exit(0)
    quiet_tensorflow()
    warnings.showwarning = _show_warning
    sys.modules["__main__"].__doc__ = module.__doc__  # absl's usage messages name the tool

    def main(args):
        try:
            module.main(args)
        except USER_ERRORS as e:
            fail(e)

    app.run(main, argv=[program, "--verbosity=-1"] + list(argv), flags_parser=parse_flags)


def main(entry, argv=None):
    """Runs `python -m tfgan_reg.<entry>` with `argv` (default: the command line after the
    module name): the tool of `entry`, or for `eval` the tool named first (no tool: the usage,
    status 2; `help`: the usage, status 0; an unknown tool: one `error:` line, status 2)."""
    checks.choice("entry", entry, sorted(ENTRY_POINTS))
    argv = list(sys.argv[1:] if argv is None else argv)
    program = f"python -m tfgan_reg.{entry}"
    if entry != "eval":
        run(load(entry), argv, program=program)
        return
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(EVAL_USAGE)
        sys.exit(0 if argv else 2)
    tool = argv[0]
    if tool not in EVAL_TOOLS:
        fail(f"`tool` must be one of {sorted(EVAL_TOOLS)}. Received: tool={tool!r}", status=2)
    run(load(tool), argv[1:], program=f"{program} {tool}")


def check_writable_dir(key, path):
    """`ValueError` unless `path` is a directory this process may write, or one it could
    create (its nearest existing parent is a writable directory); creates nothing."""
    path = os.path.abspath(path)
    existing = path
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        what = "is a file" if existing == path else f"would be inside the file {existing!r}"
        raise NotADirectoryError(f"`{key}` must be a directory, but {path!r} {what}. "
                                 f"Received: {key}={path!r}")
    readonly = bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
    if readonly or not os.access(existing, os.W_OK | os.X_OK):
        why = "a read-only file system" if readonly else "no write permission"
        raise PermissionError(f"`{key}` must be writable, but {existing!r} is not ({why}). "
                              f"Received: {key}={path!r}")
