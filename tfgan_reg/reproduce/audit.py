"""What a claim's record is checked against before it is reused: the commit it ran at, the hash
of its resolved setup and the hash of its verdict code, and the machine it ran on.

A record is reused only when both hashes match the registry's claim today (`runner`): a changed
setup (any number of `claim.config()`) or a changed verdict (its rule, its gate, or any function
or constant of `tfgan_reg.reproduce` they call, transitively) makes the old verdict stale.
"""
import ast
import datetime
import dis
import functools
import hashlib
import importlib.metadata
import inspect
import json
import numbers
import os
import platform
import subprocess
import textwrap
import types

import numpy as np

import tfgan_reg
from tfgan_reg import cpu

# The package whose functions and constants a verdict hash follows into.
PACKAGE = "tfgan_reg.reproduce"


def _git(directory, *args):
    """`git args` run in `directory`: its stdout stripped, or None when git fails or is absent."""
    try:
        done = subprocess.run(["git", "-C", directory, *args], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def commit(directory=None):
    """The commit of the checkout `tfgan_reg` is imported from (`directory`: that package's),
    with "-dirty" when a tracked file differs from it, or "unknown" outside git (an installed
    copy, even one inside another repository's tree, is "unknown": its files are not tracked)."""
    directory = directory or os.path.dirname(os.path.abspath(tfgan_reg.__file__))
    if _git(directory, "ls-files", "--error-unmatch", "__init__.py") is None:
        return "unknown"
    head = _git(directory, "rev-parse", "HEAD")
    if not head:
        return "unknown"
    # Only what decides a result: the package, the configs and the pinned install. A report
    # being written into the same checkout (docs/) does not make its own records dirty.
    top = _git(directory, "rev-parse", "--show-toplevel")
    package = os.path.relpath(os.path.realpath(directory), os.path.realpath(top)) if top else "."
    changed = _git(directory, "status", "--porcelain", "--untracked-files=no", "--",
                   *(":/" + p for p in (package if package != "." else "", "configs",
                                        "setup.py", "constraints.txt")))
    return head + ("-dirty" if changed else "")


def _sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _jsonable(value):
    """A JSON stand-in for the values of a config JSON cannot hold: numpy numbers and arrays,
    sets; anything else by its type and text, refused when that text is an address."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    text = str(value)
    if " at 0x" in text:
        raise ValueError(f"A claim's config() holds {text}, which has no stable text to hash: "
                         f"give its name or settings instead.")
    return f"{type(value).__module__}.{type(value).__qualname__}:{text}"


def setup_text(claim):
    """The text the setup hash is taken of: `claim.config()` as JSON with sorted keys (a
    ConfigDict via `to_dict()`), or, for a claim without a config, its `setup` text."""
    if claim.config is None:
        return "setup: " + claim.setup
    config = claim.config()
    if hasattr(config, "to_dict"):
        config = config.to_dict()
    return json.dumps(config, sort_keys=True, default=_jsonable)


def setup_hash(claim):
    """The sha256 of `setup_text(claim)`."""
    return _sha256(setup_text(claim))


def _source(fn):
    """The code of `fn` without its comments, docstrings and layout (its syntax tree written
    back), or its source text when that does not parse alone (a lambda inside a call)."""
    try:
        text = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        code = fn.__code__
        return repr((code.co_code, code.co_consts, code.co_names))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text.strip()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def _names(code):
    """The global names `code` and the functions nested in it read, and the attributes they
    read of them (`registry.most` gives ("registry", "most"))."""
    names, attributes = set(), set()
    previous = None
    for instruction in dis.get_instructions(code):
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            names.add(instruction.argval)
        elif instruction.opname in ("LOAD_ATTR", "LOAD_METHOD") and previous is not None \
                and previous.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            attributes.add((previous.argval, instruction.argval))
        previous = instruction
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            inner = _names(const)
            names |= inner[0]
            attributes |= inner[1]
    return names, attributes


def _canonical(value):
    """A stable text of a constant (containers with sorted keys), or None for a value that is
    not a constant (a module, a class, an object)."""
    if value is None or isinstance(value, (bool, numbers.Number, str, bytes, np.generic)):
        return repr(value)
    if isinstance(value, np.ndarray):
        return repr(value.tolist())
    if isinstance(value, (tuple, list)):
        items = [_canonical(v) for v in value]
        return None if None in items else f"{type(value).__name__}[{', '.join(items)}]"
    if isinstance(value, (set, frozenset)):
        items = [_canonical(v) for v in value]
        return None if None in items else f"set[{', '.join(sorted(items))}]"
    if isinstance(value, dict):
        items = [(_canonical(k), _canonical(v)) for k, v in value.items()]
        if any(None in pair for pair in items):
            return None
        return "dict{" + ", ".join(f"{k}: {v}" for k, v in sorted(items)) + "}"
    return None


class _Collector:
    """The texts a verdict hash is taken of: each function of `PACKAGE` (or of the root
    functions' own modules) reached from the roots, and each constant they read."""

    def __init__(self, modules):
        self.modules = set(modules)
        self.parts = []
        self.seen = set()

    def _ours(self, module_name):
        module_name = module_name or ""
        return module_name == PACKAGE or module_name.startswith(PACKAGE + ".") \
            or module_name in self.modules

    def add(self, label, value):
        if isinstance(value, functools.partial):
            self.add(label + ".func", value.func)
            args = _canonical((value.args, value.keywords))
            self.parts.append(f"{label} partial {args if args else repr(value.args)}")
            return
        if inspect.ismethod(value):
            value = value.__func__
        if inspect.isfunction(value):
            self._function(value)
            return
        text = _canonical(value)
        if text is not None:
            key = ("constant", label, text)
            if key not in self.seen:
                self.seen.add(key)
                self.parts.append(f"{label} = {text}")

    def _function(self, fn):
        key = ("function", fn.__module__, fn.__qualname__, fn.__code__.co_firstlineno)
        if key in self.seen or not self._ours(fn.__module__):
            return
        self.seen.add(key)
        self.parts.append(f"def {fn.__module__}.{fn.__qualname__}: {_source(fn)}")
        names, attributes = _names(fn.__code__)
        for cell_name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            try:
                self.add(f"{fn.__qualname__}.<{cell_name}>", cell.cell_contents)
            except ValueError:  # an empty cell
                pass
        for name in sorted(names):
            if name not in fn.__globals__:
                continue
            value = fn.__globals__[name]
            if inspect.ismodule(value):
                if self._ours(value.__name__):  # `registry.most`: the names it reads of it
                    for attribute in sorted(a for n, a in attributes if n == name):
                        if hasattr(value, attribute):
                            self.add(f"{value.__name__}.{attribute}",
                                     getattr(value, attribute))
                continue
            self.add(f"{fn.__module__}.{name}", value)


def verdict_text(claim):
    """The text the verdict hash is taken of: the rule and gate rule, and the code of `verdict`
    and `gate` with every function and constant of `tfgan_reg.reproduce` they use."""
    roots = [f for f in (claim.verdict, claim.gate) if f is not None]
    modules = {getattr(f, "__module__", None) for f in roots} - {None}
    collector = _Collector(modules)
    for label, fn in (("verdict", claim.verdict), ("gate", claim.gate)):
        collector.parts.append(f"[{label}]" if fn is not None else f"[{label}: none]")
        if fn is not None:
            collector.add(label, fn)
    return "\n".join([f"rule: {claim.rule}", f"gate_rule: {claim.gate_rule}"] + collector.parts)


def verdict_hash(claim):
    """The sha256 of `verdict_text(claim)`."""
    return _sha256(verdict_text(claim))


def tensorflow_version():
    """The installed TensorFlow's version (read from its package metadata, without importing
    it), or "unknown"."""
    for distribution in ("tensorflow", "tensorflow-cpu", "tf-nightly", "tensorflow-macos"):
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def now():
    """The date and time (UTC, to the minute) as records give it."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def machine():
    """Where and when a record was made: the date (`now`), the CPU model, TensorFlow's and
    Python's versions."""
    found = cpu.read()
    return dict(date=now(),
                cpu=found.model if found else platform.processor() or "unknown",
                tensorflow=tensorflow_version(), python=platform.python_version())
