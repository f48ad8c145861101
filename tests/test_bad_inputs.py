"""Every bad input is one `error:` line, before anything is built or written.

The table runs the real `train.py` and `python -m tfgan_reg.<tool>` entry points: one process
imports TensorFlow once and forks a child per case, which runs the entry point as `python`
would (`runpy`, fresh flags, `sys.argv` set); each case checks the exit status, that stderr
is exactly one `error:` line naming the bad value and a valid choice, and that the workdir's
files (a trained tiny run, or a folder that must not appear) are byte-identical after.
"""
import hashlib
import json
import os
import subprocess
import sys

import pytest
import tensorflow as tf

from tfgan_reg import commands
from tfgan_reg import distribute

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ["--config=configs/default.py", "--config.train.num_steps=2",
        "--config.train.batch_size=8", "--config.train.checkpoint_every=2",
        "--config.train.log_every=1", "--config.eval.num_samples=16",
        "--config.model.g_width=8", "--config.model.d_width=8", "--config.train.jit_compile=False"]

# Runs each case (entry, argv) in a forked child; prints one JSON line per case.
DRIVER = r"""
import json, os, runpy, sys
sys.path.insert(0, os.getcwd())
import tensorflow  # noqa: imported once, before the forks
import tfgan_reg.config_lib, tfgan_reg.runs, tfgan_reg.training  # noqa: warm imports
for entry, argv, out in json.loads(sys.stdin.read()):
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
        os.dup2(os.open(out + ".err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
        status = 0
        try:
            sys.argv = [entry] + argv
            if entry.endswith(".py"):
                runpy.run_path(entry, run_name="__main__")
            else:
                runpy.run_module(entry, run_name="__main__", alter_sys=True)
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            import traceback; traceback.print_exc(); status = 99
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(status)
    _, status = os.waitpid(pid, 0)
    print(json.dumps([out, os.waitstatus_to_exitcode(status)]), flush=True)
"""


def _hashes(path):
    """{relative path: sha256} of every file under `path` ({} when it does not exist)."""
    out = {}
    for folder, _, files in os.walk(path):
        for name in files:
            full = os.path.join(folder, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = hashlib.sha256(f.read()).hexdigest()
    return out


def run_cases(cases, tmp_path):
    """[(status, stderr, stdout)] of each (entry, argv) case, all in one driver process."""
    jobs = [(entry, argv, str(tmp_path / f"case{i}.out")) for i, (entry, argv) in enumerate(cases)]
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="1")
    proc = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps(jobs), cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    statuses = dict(json.loads(line) for line in proc.stdout.splitlines() if line.startswith("["))
    results = []
    for _, _, out in jobs:
        with open(out) as f, open(out + ".err") as g:
            results.append((statuses[out], g.read(), f.read()))
    return results


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A workdir holding a finished 2-step run of `TINY`."""
    workdir = tmp_path_factory.mktemp("trained") / "run"
    proc = subprocess.run([sys.executable, "train.py", f"--workdir={workdir}"] + TINY, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return str(workdir)


def table(trained, tmp):
    """(entry, argv, workdir to hash, words the error line must contain) per bad input."""
    new = str(tmp / "new")  # must not be created
    a_file = tmp / "a_file"
    a_file.write_text("x")
    t, w = "train.py", f"--workdir={trained}"
    return [
        (t, [w] + TINY + ["--config.train.num_stepz=10"], trained, ["num_stepz", "num_steps"]),
        (t, [w] + TINY + ["--config.penalty.lam=10"], trained, ["lam", "gamma"]),
        (t, [w, "--config=configs/nope.py"], trained, ["configs/nope.py", "default.py"]),
        (t, [w, "--config=configs/default.py:foo"], trained, ["foo", "configs/default.py"]),
        (t, [w, "--config=configs/dcgan.py:nope"], trained, ["nope", "digits"]),
        (t, [f"--workdir={a_file}"] + TINY, trained, [str(a_file), "directory"]),
        (t, [f"--workdir={a_file}/run"] + TINY, trained, [str(a_file), "directory"]),
        (t, [f"--workdir={new}", "--config=configs/dcgan.py:mnist-r1",
             f"--config.data.data_dir={tmp / 'no_data'}"], new,
         ["mnist", "--config.data.data_dir"]),
        (t, [w] + TINY + ["--config.penalty.gamma=inf"], trained, ["gamma=inf", "finite"]),
        (t, [w] + TINY + ["--config.penalty.gamma=nan"], trained, ["gamma=nan", "finite"]),
        (t, [w, "--config=configs/ring8.py:wgan_gp", "--config.penalty.lam=-inf"], trained,
         ["lam=-inf", "finite"]),
        (t, [w] + TINY + ["--config.train.d_learning_rate=nan"], trained,
         ["d_learning_rate=nan", "finite"]),
        (t, [w] + TINY + ["--config.noise.sigma=inf"], trained, ["sigma=inf", "finite"]),
        (t, [w] + TINY + ["--config.penalty.name=r3"], trained, ["'r3'", "'r1'"]),
        (t, [w] + TINY + ["--config.loss=hinge2"], trained, ["hinge2", "non_saturating"]),
        (t, [w] + TINY + ["--config.train.optimizer=adamw"], trained, ["adamw", "'adam'"]),
        (t, [w] + TINY + ["--config.train.batch_size=abc"], trained, ["abc", "batch_size"]),
        (t, [w] + TINY + ["--config.train.batch_size=0"], trained, ["batch_size=0", ">= 1"]),
        (t, [w] + TINY + ["--config.eval.best_metric=fid"], trained, ["'fid'", "'w1'"]),
        (t, [w] + TINY + ["--strategy=nccl"], trained, ["nccl", "mirrored"]),
        (t, [f"--workdir={new}"] + TINY + ["--config.train.num_stepz=1"], new, ["num_stepz"]),
        (t, TINY, trained, ["--workdir"]),
        ("tfgan_reg.export", [f"--workdir={new}", f"--out={tmp / 'out'}"], new,
         [new, "config.json"]),
        ("tfgan_reg.export", [w, "--outt=x"], trained, ["outt"]),
        ("tfgan_reg.eval", ["nope"], trained, ["'nope'", "'scores'"]),
        ("tfgan_reg.eval", ["drift", w, "--modes=sideways"], trained, ["sideways"]),
        ("tfgan_reg.dynamics", ["--step_size=fast"], trained, ["fast", "step_size"]),
        ("tfgan_reg.reproduce", ["--out", str(new), "--claims=seed999.nope"], new,
         ["seed999.nope"]),
    ]


def _check(case, result):
    entry, argv, _, words = case
    status, stderr, _ = result
    lines = [l for l in stderr.splitlines() if l.strip()]
    where = f"{entry} {' '.join(argv)}"
    assert status in (1, 2), f"{where}: exit status {status}\n{stderr[-2000:]}"
    assert len(lines) == 1 and lines[0].startswith("error: "), f"{where}: stderr\n{stderr[-2000:]}"
    for word in words:
        assert word in lines[0], f"{where}: {word!r} not in {lines[0]!r}"


@pytest.mark.slow
def test_bad_inputs_table(trained, tmp_path):
    cases = table(trained, tmp_path)
    before = {c[2]: _hashes(c[2]) for c in cases}
    assert before[trained] and not before[str(tmp_path / "new")]
    results = run_cases([(c[0], c[1]) for c in cases], tmp_path)
    assert len(cases) >= 20
    for case, result in zip(cases, results):
        _check(case, result)
        assert _hashes(case[2]) == before[case[2]], f"{case[0]} {case[1]} changed {case[2]}"


def test_a_few_bad_inputs_in_one_process(tmp_path):
    # The fast tier: config errors through the real train.py, and --help of each entry point.
    new = str(tmp_path / "new")
    cases = [("train.py", [f"--workdir={new}"] + TINY + ["--config.train.num_stepz=10"]),
             ("train.py", [f"--workdir={new}"] + TINY + ["--config.penalty.lam=10"]),
             ("train.py", [f"--workdir={new}", "--config=configs/default.py:foo"]),
             ("train.py", [f"--workdir={new}"] + TINY + ["--config.penalty.gamma=nan"])]
    words = [["num_stepz", 'Did you mean "num_steps"'], ["lam", "gamma"], ["foo"],
             ["gamma=nan", "finite"]]
    helps = [("train.py", ["--help"]), ("tfgan_reg.export", ["--help"]),
             ("tfgan_reg.eval", ["scores", "--help"]), ("tfgan_reg.dynamics", ["--help"]),
             ("tfgan_reg.reproduce", ["--help"])]
    results = run_cases(cases + helps, tmp_path)
    for (entry, argv), w, result in zip(cases, words, results):
        _check((entry, argv, new, w), result)
    for (entry, argv), (status, stderr, stdout) in zip(helps, results[len(cases):]):
        assert status == 0, f"{entry} --help: {status}\n{stderr[-2000:]}"
        assert "--" in stdout and "Flags" in stdout or "flags" in stdout, stdout[:500]
    assert not os.path.exists(new)


def test_a_batch_that_does_not_split_over_the_replicas(mirrored_strategy):
    with pytest.raises(ValueError, match=r"multiple of the 2 replicas.*train.batch_size=127"):
        distribute.check_batch(mirrored_strategy, 127)
    distribute.check_batch(mirrored_strategy, 128)


def test_a_workdir_that_is_not_writable(tmp_path, monkeypatch):
    # Root may write anywhere, so the permission is simulated; nothing is created either way.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(PermissionError, match="must be writable.*no write permission"):
        commands.check_writable_dir("workdir", str(tmp_path / "a" / "b"))
    assert not os.path.exists(tmp_path / "a")


def test_penalty_weights_must_be_finite_also_as_tensors():
    from tfgan_reg import penalties
    d = lambda x, training=True: tf.reduce_sum(x, axis=1)  # noqa: E731
    x = tf.ones([2, 2])
    for weight in (float("inf"), float("nan"), tf.constant(float("inf"))):
        with pytest.raises(ValueError, match="finite"):
            penalties.r1(d, x, x, gamma=weight)
