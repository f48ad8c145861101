"""The installed metadata of tfgan_reg agrees with `constraints.txt` (what CI installs).

Read through `importlib.metadata`, as pip sees the package: every pin satisfies tfgan_reg's bound
on that package, `python_requires` admits no Python a pin refuses (the pins' own
`Requires-Python`), and the Makefile pins the installers. Run `pip install -e .` (or
`python setup.py egg_info`) after editing setup.py, or these compare the old metadata.
"""
import importlib.metadata as metadata
import importlib.util
import os
import re

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _pins():
    pins = {}
    with open(os.path.join(ROOT, "constraints.txt")) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                name, _, version = line.partition("==")
                pins[canonicalize_name(name)] = Version(version)
    return pins


def _requirements():
    return [Requirement(r) for r in metadata.requires("tfgan_reg")]


def _lowest(specifier):
    """The lowest version `specifier` (">=X" bounds only) admits."""
    return max((Version(s.version) for s in specifier if s.operator == ">="), default=None)


def test_every_requirement_is_pinned_within_its_bounds():
    pins = _pins()
    for req in _requirements():
        if req.marker is not None and not req.marker.evaluate({"extra": "test"}):
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name]), (
            f"constraints.txt pins {name}=={pins[name]}, outside setup.py's {req}")


def test_python_requires_is_what_the_pins_need():
    # The strictest Requires-Python among the pinned distributions installed here.
    pins = _pins()
    needed = {}
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name in pins and dist.version == str(pins[name]) and dist.metadata["Requires-Python"]:
            needed[name] = SpecifierSet(dist.metadata["Requires-Python"])
    ours = SpecifierSet(metadata.metadata("tfgan_reg")["Requires-Python"])
    floor = _lowest(ours)
    refusing = {n: str(s) for n, s in needed.items() if not s.contains(floor)}
    assert not refusing, f"python_requires {ours} admits {floor}, which these pins refuse: {refusing}"
    # ... and not stricter than needed: some pin refuses the Python just below the floor.
    below = Version(f"{floor.major}.{floor.minor - 1}")
    assert any(not s.contains(below) for s in needed.values()), (
        f"python_requires {ours} is stricter than the pins need (they all accept {below})")


def test_tensorflow_floor_is_what_tensorflow_probability_accepts():
    # tensorflow-probability refuses, at import, a TensorFlow older than its
    # `required_tensorflow_version`; tfgan_reg's TensorFlow floor must not be older than that of
    # the newest tensorflow-probability tfgan_reg allows (bounded above so pip cannot pick a later
    # one). The installed one is the pinned one; its source says the version.
    reqs = {canonicalize_name(r.name): r for r in _requirements()}
    tfp = reqs["tensorflow-probability"]
    assert any(s.operator in ("<", "<=", "==") for s in tfp.specifier), (
        f"{tfp} has no upper bound: pip would pick a tensorflow-probability newer than tested")
    package = os.path.dirname(importlib.util.find_spec("tensorflow_probability").origin)
    with open(os.path.join(package, "python", "__init__.py")) as f:
        source = f.read()
    required = Version(re.search(r"required_tensorflow_version = '([\d.]+)'", source).group(1))
    assert _lowest(reqs["tensorflow"].specifier) >= required, (
        f"{reqs['tensorflow']} admits TensorFlow older than the {required} that "
        f"tensorflow-probability {metadata.version('tensorflow-probability')} requires")


def test_makefile_pins_the_installers():
    with open(os.path.join(ROOT, "Makefile")) as f:
        makefile = f.read()
    for tool in ("pip", "setuptools", "wheel"):
        assert re.search(rf"\b{tool}==[\d.]+", makefile), f"the Makefile does not pin {tool}"
    assert "--upgrade pip" not in makefile
