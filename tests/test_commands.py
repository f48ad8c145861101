"""`commands`: the `python -m tfgan_reg.<entry>` dispatch (each package's `__main__.py` only
calls `commands.main`), and the config-file flags found through absl's public API."""
import ast
import glob
import os
import subprocess
import sys

import pytest
from absl import flags
from ml_collections import config_flags

from helpers import ROOT
from tfgan_reg import commands


def _main_calls():
    """{package: the argument of its `__main__.py`'s call of `commands.main`} over the
    packages of tfgan_reg that have a `__main__.py`."""
    calls = {}
    for path in glob.glob(os.path.join(ROOT, "tfgan_reg", "*", "__main__.py")):
        package = os.path.basename(os.path.dirname(path))
        with open(path) as f:
            tree = ast.parse(f.read())
        called = [node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and ast.unparse(node.func) == "commands.main" and node.args]
        assert len(called) == 1, f"{path} must call commands.main once, not {called}"
        # The shim is the call and nothing else: a docstring, the import and the guard.
        assert len(tree.body) == 3, f"{path} holds more than the call of commands.main"
        calls[package] = called[0]
    return calls


def test_every_python_m_name_is_a_shim_calling_commands_main_with_its_own_name():
    calls = _main_calls()
    assert calls == {name: name for name in commands.ENTRY_POINTS}, calls
    for entry, tools in commands.ENTRY_POINTS.items():
        for tool in tools:
            assert os.path.exists(os.path.join(ROOT, "tfgan_reg", "commands", f"{tool}.py")), tool


def _eval(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        commands.main("eval", argv)
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def test_eval_without_a_tool_prints_its_tools_and_fails(capsys):
    status, out, err = _eval([], capsys)
    assert status == 2 and err == ""
    listed = [line.split()[0] for line in out.splitlines()
              if line.startswith("  ") and not line.startswith("   ")]
    assert listed == list(commands.EVAL_TOOLS)


@pytest.mark.parametrize("argv", [["help"], ["--help"], ["-h"]])
def test_eval_help_prints_the_usage_and_succeeds(argv, capsys):
    status, out, err = _eval(argv, capsys)
    assert (status, out, err) == (0, commands.EVAL_USAGE + "\n", "")


def test_an_unknown_eval_tool_is_one_error_line_naming_it_and_the_tools(capsys):
    status, out, err = _eval(["scorez", "--workdir=x"], capsys)
    assert status == 2 and out == ""
    assert err == ("error: `tool` must be one of ['bogonet', 'cross_test', 'drift', 'scores']. "
                   "Received: tool='scorez'\n")


def test_an_unknown_entry_point_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"one of \['dynamics', 'eval', 'export', "
                                         r"'reproduce'\]. Received: entry='evaluate'"):
        commands.main("evaluate", [])


def test_python_m_eval_dispatches_through_commands():
    # The real `python -m`: no TensorFlow is loaded before the tool is known, so these are quick.
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    run = lambda *args: subprocess.run([sys.executable, "-m", "tfgan_reg.eval", *args],  # noqa
                                       capture_output=True, text=True, cwd=ROOT, env=env,
                                       timeout=120)
    usage = run()
    assert usage.returncode == 2 and usage.stdout == commands.EVAL_USAGE + "\n", usage
    unknown = run("nope")
    assert unknown.returncode == 2 and unknown.stderr.splitlines() == [
        "error: `tool` must be one of ['bogonet', 'cross_test', 'drift', 'scores']. "
        "Received: tool='nope'"], unknown


def test_config_flag_names_are_the_config_files_only_also_after_parsing(tmp_path):
    # absl's public API (iterating and indexing FlagValues) and ml_collections'
    # `is_config_flag`: if an upgrade changes either, this fails here, not in a user's typo.
    argv = ["prog", f"--cfg={os.path.join(ROOT, 'configs', 'default.py')}", "--cfg.seed=3",
            f"--workdir={tmp_path}"]
    values = flags.FlagValues()
    config_flags.DEFINE_config_file("cfg", None, "a config file", flag_values=values,
                                    sys_argv=argv)
    flags.DEFINE_string("workdir", None, "a directory", flag_values=values)
    flags.DEFINE_integer("steps", 1, "a number", flag_values=values)
    assert commands._config_flag_names(values) == ["cfg"]
    values(argv)
    # Parsing defined a flag per overridden key; it is not a config file.
    assert "cfg.seed" in values and values.cfg.seed == 3
    assert commands._config_flag_names(values) == ["cfg"]
