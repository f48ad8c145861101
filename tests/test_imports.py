"""Importing the library starts nothing (issue 25): no child process, no redirected file
descriptor 2, no environment variable set, no command line read, no command package imported;
and the commands (`train.py`, `python -m tfgan_reg.<tool>`) set TensorFlow's environment before
TensorFlow loads, leaving a user's own setting alone."""
import ast
import glob
import json
import os
import subprocess
import sys

import pytest

from helpers import ROOT
from tfgan_reg import GAN
from tfgan_reg import commands
from tfgan_reg import cpu
from tfgan_reg import precision
from tfgan_reg.nets import mlp

# Run in a fresh Python: watches what the code of the package does while the modules named on
# the command line are imported (the innermost caller outside the standard library decides whose
# doing it is: TensorFlow sets variables of its own as it loads). Prints a JSON summary.
_WATCH = r'''
import importlib, importlib.util, json, os, platform, subprocess, sys, sysconfig

PACKAGE = os.path.join(importlib.util.find_spec("tfgan_reg").submodule_search_locations[0], "")
STDLIB = os.path.join(sysconfig.get_paths()["stdlib"], "")
SITE = tuple(os.path.join(sysconfig.get_paths()[k], "") for k in ("purelib", "platlib"))
platform.processor()  # runs `uname -p` once per process (then cached); a dependency asks for it
done = []


def by_package(depth=2):
    frame = sys._getframe(depth)
    while frame is not None:
        name = frame.f_code.co_filename
        if not (name.startswith(STDLIB) and not name.startswith(SITE) or name.startswith("<")):
            return name.startswith(PACKAGE)
        frame = frame.f_back
    return False


def watch(what, fn, when=lambda *args, **kwargs: True):
    def watched(*args, **kwargs):
        if when(*args, **kwargs) and by_package():
            done.append(what)
        return fn(*args, **kwargs)
    return watched


subprocess.Popen.__init__ = watch("started a process", subprocess.Popen.__init__)
for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system", "execv", "execve"):
    if hasattr(os, name):
        setattr(os, name, watch(f"called os.{name}", getattr(os, name)))
os.dup2 = watch("redirected fd 2", os.dup2, lambda fd, fd2, *args, **kwargs: fd2 == 2)
for name in ("__setitem__", "__delitem__"):
    setattr(os._Environ, name, watch("changed os.environ", getattr(os._Environ, name)))


class Argv(list):
    def __getitem__(self, i):
        if by_package(): done.append("read sys.argv")
        return super().__getitem__(i)

    def __iter__(self):
        if by_package(): done.append("read sys.argv")
        return super().__iter__()

    def __len__(self):
        if by_package(): done.append("read sys.argv")
        return super().__len__()


names, sys.argv = sys.argv[1:], Argv(sys.argv)
fd2, environ = os.fstat(2), dict(os.environ)
import tfgan_reg
tfgan_reg.GAN  # the package's names load on first use
for name in names:
    module = importlib.import_module(name)
importlib.import_module("tfgan_reg.reproduce").get(())  # registers every family of claims
after = os.fstat(2)
print(json.dumps({
    "done": sorted(set(done)),
    "same fd 2": (fd2.st_dev, fd2.st_ino) == (after.st_dev, after.st_ino),
    "set": {k: os.environ.get(k) for k in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")
            if os.environ.get(k) != environ.get(k)},
    "commands": sorted(m for m in sys.modules if m.startswith("tfgan_reg.commands")),
    "tensorflow": "tensorflow" in sys.modules}))
'''

LIBRARY = ("tfgan_reg.losses", "tfgan_reg.penalties", "tfgan_reg.gan", "tfgan_reg.nets",
           "tfgan_reg.data", "tfgan_reg.eval.scores", "tfgan_reg.eval.plots", "tfgan_reg.runs",
           "tfgan_reg.training", "tfgan_reg.training.evaluation", "tfgan_reg.optimizers",
           "tfgan_reg.export", "tfgan_reg.experiments.drift", "tfgan_reg.dynamics.dirac",
           "tfgan_reg.precision", "tfgan_reg.cpu")


def _env(**variables):
    """This environment without the test session's TensorFlow settings, plus `variables`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")}
    env.update(variables)
    return env


def test_importing_the_library_spawns_nothing_and_changes_nothing():
    # TF_CPP_MIN_LOG_LEVEL set: the old package started the start-up filter process then.
    out = subprocess.run([sys.executable, "-c", _WATCH, *LIBRARY], capture_output=True,
                         text=True, timeout=600, cwd=ROOT,
                         env=_env(TF_CPP_MIN_LOG_LEVEL="1", CUDA_VISIBLE_DEVICES=""))
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.splitlines()[-1])
    assert seen["tensorflow"]  # the check covered TensorFlow's import
    assert seen["done"] == [] and seen["same fd 2"], seen
    assert seen["set"] == {} and seen["commands"] == [], seen


# Run in a fresh Python: notes the environment TensorFlow finds when it is first imported, then
# runs a command as `python <script>` or `python -m <module>` does, with argv[1:] after "--".
_FIRST_IMPORT = r'''
import importlib.abc, os, runpy, sys


class Note(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "tensorflow":
            sys.meta_path.remove(self)
            print("at import: " + " ".join(
                f"{k}={os.environ.get(k)}" for k in ("TF_ENABLE_ONEDNN_OPTS",
                                                     "TF_CPP_MIN_LOG_LEVEL")), flush=True)
        return None


sys.meta_path.insert(0, Note())
how, what = sys.argv[1], sys.argv[2]
sys.argv = [what] + sys.argv[sys.argv.index("--") + 1:]
if how == "script":
    runpy.run_path(what, run_name="__main__")
else:
    runpy.run_module(what, run_name="__main__", alter_sys=True)
'''


def _first_import(how, what, argv, **variables):
    out = subprocess.run([sys.executable, "-c", _FIRST_IMPORT, how, what, "--", *argv],
                         capture_output=True, text=True, timeout=600, cwd=ROOT,
                         env=_env(CUDA_VISIBLE_DEVICES="", **variables))
    assert out.returncode == 0, out.stderr[-3000:]
    notes = [line for line in out.stdout.splitlines() if line.startswith("at import: ")]
    assert len(notes) == 1, out.stdout[-3000:]
    return notes[0], out.stderr


def test_the_packages_python_m_imports_before_a_tool_load_no_tensorflow():
    # `python -m tfgan_reg.<tool>` imports tfgan_reg and tfgan_reg.<tool> before the tool's
    # `__main__` can start TensorFlow quietly, with oneDNN set (`commands.quiet_tensorflow`).
    tools = sorted("tfgan_reg." + os.path.basename(os.path.dirname(path)) for path in
                   glob.glob(os.path.join(ROOT, "tfgan_reg", "*", "__main__.py")))
    assert {"tfgan_reg.eval", "tfgan_reg.export", "tfgan_reg.reproduce"} <= set(tools)
    code = ("import importlib, sys\n"
            "for name in sys.argv[1:]: importlib.import_module(name)\n"
            "print(sorted(m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, "tfgan_reg", *tools, "tfgan_reg.commands",
                          "tfgan_reg.cpu"], capture_output=True, text=True, timeout=300,
                         cwd=ROOT, env=_env())
    assert out.returncode == 0 and out.stdout.split() == ["[]"], out.stdout + out.stderr


# The fast tier starts train.py; two `python -m` tools run in the slow tier (that their
# packages load no TensorFlow before `__main__` is the fast test above).
@pytest.mark.skipif(cpu.machine() != "x86_64", reason="oneDNN is set on x86-64 only")
@pytest.mark.parametrize("how,what,argv,user,seen", [
    ("script", "train.py", ["--help"], {}, "TF_ENABLE_ONEDNN_OPTS=1"),
    pytest.param("module", "tfgan_reg.export", ["--help"], {}, "TF_ENABLE_ONEDNN_OPTS=1",
                 marks=pytest.mark.slow),
    pytest.param("module", "tfgan_reg.eval", ["scores", "--help"],
                 {"TF_ENABLE_ONEDNN_OPTS": "0"}, "TF_ENABLE_ONEDNN_OPTS=0",
                 marks=pytest.mark.slow),
])
def test_commands_set_onednn_before_tensorflow_loads_unless_the_user_did(how, what, argv, user,
                                                                        seen):
    note, err = _first_import(how, what, argv, **user)
    assert note == f"at import: {seen} TF_CPP_MIN_LOG_LEVEL=1"
    assert err == ""  # and the start-up stays quiet


def test_set_environment_keeps_the_users_values_and_sets_onednn_on_x86_only(monkeypatch):
    for arch, onednn in (("x86_64", "1"), ("AMD64", "1"), ("aarch64", None)):
        monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
        monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
        monkeypatch.setattr(cpu.platform, "machine", lambda arch=arch: arch)
        commands.set_environment()
        assert os.environ.get("TF_ENABLE_ONEDNN_OPTS") == onednn, arch
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1"
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.setattr(cpu.platform, "machine", lambda: "x86_64")
    commands.set_environment()
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0" and os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"


def test_a_saved_gan_loads_in_a_fresh_process_after_importing_keras_and_tfgan_reg(tmp_path):
    # With TensorFlow loaded first, the package loads `GAN` at import: Keras finds it.
    with precision.policy_scope("float32"):
        g = mlp.mlp_generator(latent_dim=2, output_shape=(2,), depth=1, width=4, seed=1)
        d = mlp.mlp_discriminator(input_shape=(2,), depth=1, width=4, seed=2)
    model = GAN(g, d, latent_dim=2)
    model.compile(d_optimizer="adam", g_optimizer="adam")
    model.save(tmp_path / "gan.keras")
    code = ("import sys, keras, tfgan_reg; "
            "print(type(keras.models.load_model(sys.argv[1])).__name__)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "gan.keras")],
                         capture_output=True, text=True, timeout=600, cwd=ROOT,
                         env=_env(TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES=""))
    assert out.returncode == 0 and out.stdout.split() == ["GAN"], out.stderr[-3000:]


# The layers of docs/ARCHITECTURE.md, by module or package name (a package's modules take its
# layer, except the root's; a `__main__.py`, a `python -m` shim calling `commands.main`, is a
# command). A module
# imports only from its own layer or below. A new top-level module needs a line here and in
# the architecture's table.
LAYERS = {
    1: ("tfgan_reg.losses", "tfgan_reg.penalties", "tfgan_reg.stabilizers",
        "tfgan_reg.schedules", "tfgan_reg.rng", "tfgan_reg.checks", "tfgan_reg.autodiff",
        "tfgan_reg.precision", "tfgan_reg.cpu", "tfgan_reg.sublayers", "tfgan_reg.config_files"),
    2: ("tfgan_reg", "tfgan_reg.gan", "tfgan_reg.steps", "tfgan_reg.optimizers", "tfgan_reg.nets", "tfgan_reg.data",
        "tfgan_reg.eval", "tfgan_reg.dynamics"),
    3: ("tfgan_reg.runs", "tfgan_reg.config_lib", "tfgan_reg.distribute", "tfgan_reg.workdirs"),
    4: ("tfgan_reg.training",),
    5: ("tfgan_reg.experiments", "tfgan_reg.export", "tfgan_reg.reproduce"),
    6: ("tfgan_reg.commands", "train"),
}


def _modules():
    """{module name: path} of the package's modules and train.py."""
    found = {"train": os.path.join(ROOT, "train.py")}
    for path in glob.glob(os.path.join(ROOT, "tfgan_reg", "**", "*.py"), recursive=True):
        name = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
        found[name.removesuffix(".__init__")] = path
    return found


def _layer(module):
    """The layer of `module`: that of its longest listed prefix; None when none is listed."""
    if module.endswith(".__main__"):
        return 6
    owners = [(len(name), layer) for layer, names in LAYERS.items() for name in names
              if module == name or name != "tfgan_reg" and module.startswith(name + ".")]
    return max(owners)[1] if owners else None


def _imports(path, modules):
    """[(imported module, line, at the top level)] of the package's modules `path` imports."""
    with open(path) as f:
        tree = ast.parse(f.read())
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from p import m` imports the module p.m when there is one, else a name of p.
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                     else node.module for a in node.names]
        else:
            continue
        found += [(n, node.lineno, id(node) in top) for n in names
                  if n.split(".")[0] == "tfgan_reg"]
    return found


def test_every_module_has_a_layer_and_imports_nothing_from_above():
    modules = _modules()
    unplaced = sorted(m for m in modules if _layer(m) is None)
    assert not unplaced, (f"{unplaced} belong to no layer: add them to LAYERS here and to "
                          "docs/ARCHITECTURE.md's table")
    upward = [f"{m} (layer {_layer(m)}) line {line} imports {target} (layer {_layer(target)})"
              for m, path in modules.items() for target, line, _ in _imports(path, modules)
              if _layer(target) > _layer(m)]
    assert not upward, "\n".join(upward)


def test_the_module_level_imports_have_no_cycle():
    modules = _modules()
    graph = {m: {t for t, _, top in _imports(path, modules) if top and t != m}
             for m, path in modules.items()}
    state = {}

    def visit(m, path):
        state[m] = "open"
        for t in sorted(graph.get(m, ())):
            if state.get(t) == "open":
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(t):] + [t]))
            if t not in state:
                visit(t, path + [t])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])



def package_edges():
    """{package or top-level module: those it imports at module level}: docs/ARCHITECTURE.md's
    figure (`python tests/test_imports.py` prints it, by layer)."""
    def unit(module):
        parts = module.split(".")
        return "<pkg>.__main__" if parts[-1] == "__main__" else ".".join(parts[:2])

    modules = _modules()
    edges = {}
    for module, path in modules.items():
        for target, _, top in _imports(path, modules):
            if top and unit(target) != unit(module):
                edges.setdefault(unit(module), set()).add(unit(target))
    return edges


if __name__ == "__main__":
    for name, targets in sorted(package_edges().items(), key=lambda e: (-_layer(e[0]), e[0])):
        short = lambda n: n.removeprefix("tfgan_reg.")  # noqa: E731
        print(_layer(name), short(name), "->", ", ".join(sorted(map(short, targets))))
