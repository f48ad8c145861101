"""Faults a run must survive: damaged checkpoints (resume and `load_run` take the newest readable
one), preemption (SIGTERM / SIGINT stop after a whole step with a checkpoint of it), and
TensorBoard keeping each step once after a resume. Every draw is keyed by step, so a resumed run
ends with the weights of an uninterrupted one, bit for bit."""
import glob
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import runs
from tfgan_reg import training

from helpers import ROOT, killed_at, run_cli, small_config, weights


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Final weights of the uninterrupted 40-step `small_config` run."""
    workdir = str(tmp_path_factory.mktemp("reference"))
    training.train_and_evaluate(small_config(), workdir, verbose=False)
    return weights(runs.load_run(workdir)[1])


def _assert_same(got, want):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def _interrupted(workdir, monkeypatch, at=30):
    """A run killed when the chunk starting at step `at` begins: ckpt-10 ... ckpt-`at`."""
    make = runs.make_dataset
    monkeypatch.setattr(runs, "make_dataset", killed_at(at))
    with pytest.raises(KeyboardInterrupt):
        training.train_and_evaluate(small_config(), workdir, verbose=False)
    monkeypatch.setattr(runs, "make_dataset", make)


def _truncate_data(ckpts):
    path, = glob.glob(os.path.join(ckpts, "ckpt-30.data-*"))
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)


def _corrupt_index(ckpts):
    with open(os.path.join(ckpts, "ckpt-30.index"), "wb") as f:
        f.write(np.random.default_rng(0).bytes(300))


def _garbage_state(ckpts):
    with open(os.path.join(ckpts, "checkpoint"), "wb") as f:
        f.write(b"\x00\x17 not { a state file")


def _remove_latest(ckpts):
    for path in glob.glob(os.path.join(ckpts, "ckpt-30.*")):
        os.remove(path)


DAMAGE = {  # name: (damage, step resumed from, reason in the warning)
    "truncated_data": (_truncate_data, 20, "data file truncated: Read less bytes"),
    "corrupt_index": (_corrupt_index, 20, "index file corrupt: not an sstable"),
    "garbage_state": (_garbage_state, 30, "state file"),
    "missing_latest_files": (_remove_latest, 20, "files missing"),
}


# The fast tier keeps one kind of damage (the truncated data file of the issue); the others
# run in the slow tier.
@pytest.mark.parametrize("kind", [pytest.param(k, marks=() if k == "truncated_data" else
                                               pytest.mark.slow) for k in sorted(DAMAGE)])
def test_resume_over_damage_continues_from_newest_good_checkpoint(kind, tmp_path, monkeypatch,
                                                                  capsys, reference):
    damage, expected, reason = DAMAGE[kind]
    workdir = str(tmp_path)
    ckpts = runs.checkpoint_dir(workdir)
    _interrupted(workdir, monkeypatch)
    damage(ckpts)
    capsys.readouterr()
    metrics = training.train_and_evaluate(small_config(), workdir, verbose=True)
    out, err = capsys.readouterr()
    assert metrics["step"] == 40
    assert f"Resumed from {os.path.join(ckpts, f'ckpt-{expected}')} (step {expected})" in out
    # The bar counts the steps of this session and shows the generator step beside them.
    assert f"{40 - expected}/{40 - expected}" in out and "step: 40" in out
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings and reason in warnings[0]
    if expected == 20:
        assert len(warnings) == 1
        assert warnings[0].startswith(
            f"warning: skipping checkpoint {os.path.join(ckpts, 'ckpt-30')} (")
        assert warnings[0].endswith(
            f"); using {os.path.join(ckpts, 'ckpt-20')} (step 20) instead.")
    _assert_same(weights(runs.load_run(workdir)[1]), reference)
    # The state file lists the checkpoints again: the manager rotates and resumes them.
    state = tf.train.get_checkpoint_state(ckpts)
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == \
        ["ckpt-10", "ckpt-20", "ckpt-30", "ckpt-40"]


def test_load_run_skips_damaged_and_refuses_when_none_readable(tmp_path, monkeypatch, capsys):
    workdir = str(tmp_path)
    ckpts = runs.checkpoint_dir(workdir)
    _interrupted(workdir, monkeypatch, at=20)
    _truncate = glob.glob(os.path.join(ckpts, "ckpt-20.data-*"))[0]
    with open(_truncate, "r+b") as f:
        f.truncate(10)
    capsys.readouterr()
    assert runs.load_run(workdir)[1].step == 10
    assert "skipping checkpoint" in capsys.readouterr().err
    # Every readable checkpoint (a claim's sweep over them), the damaged one named.
    assert runs.readable_checkpoints(ckpts) == {10: os.path.join(ckpts, "ckpt-10")}
    assert capsys.readouterr().err.startswith(
        f"warning: skipping checkpoint {os.path.join(ckpts, 'ckpt-20')} (data file truncated")
    for path in glob.glob(os.path.join(ckpts, "ckpt-10.index")):
        os.remove(path)
    with pytest.raises(runs.NoReadableCheckpoint) as error:
        runs.load_run(workdir)
    message = str(error.value)
    assert "\n" not in message and "ckpt-20: data file truncated" in message \
        and "ckpt-10: " in message
    # Training refuses too, rather than starting again from step 0 over the old run.
    with pytest.raises(runs.NoReadableCheckpoint):
        training.train_and_evaluate(small_config(), workdir, verbose=False)


def _signal_at(monkeypatch, steps):
    """Makes the process send itself signals {generator step: signum} right after that step."""
    end = training.Monitor.on_train_batch_end

    def on_train_batch_end(self, batch, logs=None):
        if self.step + 1 in steps:
            signal.raise_signal(steps[self.step + 1])
        end(self, batch, logs)

    monkeypatch.setattr(training.Monitor, "on_train_batch_end", on_train_batch_end)


def _event_steps(workdir):
    """{tag: [steps in file order]} over the TensorBoard event files of a workdir."""
    tags = {}
    for path in sorted(glob.glob(os.path.join(workdir, "tensorboard", "*tfevents*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    return tags


def test_signals_stop_after_the_step_with_a_checkpoint_and_lose_nothing(tmp_path, monkeypatch,
                                                                        reference):
    workdir = str(tmp_path)
    ckpts = runs.checkpoint_dir(workdir)
    # The handlers before (SIGINT is ignored, not Python's default, in a job started in the
    # background by a non-interactive shell, as CI may do).
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    # Mid-chunk, at a chunk boundary (the checkpoint already exists), and Ctrl-C.
    for stop, signum in ((7, signal.SIGTERM), (20, signal.SIGTERM), (23, signal.SIGINT)):
        with monkeypatch.context() as patch:
            _signal_at(patch, {stop: signum})
            with pytest.raises(training.Preempted) as preempted:
                training.train_and_evaluate(small_config(), workdir, verbose=False)
        e = preempted.value
        assert (e.step, e.signum, e.exit_status) == (stop, signum, 128 + signum)
        assert e.checkpoint == os.path.join(ckpts, f"ckpt-{stop}")
        assert tf.train.latest_checkpoint(ckpts) == e.checkpoint
        assert f"Stopped by {signum.name} after generator step {stop}" in str(e)
        # The handlers are given back.
        assert {s: signal.getsignal(s) for s in before} == before
    assert training.train_and_evaluate(small_config(), workdir, verbose=False)["step"] == 40
    _assert_same(weights(runs.load_run(workdir)[1]), reference)
    steps = _event_steps(workdir)
    assert steps["d_loss"] == [5, 10, 15, 20, 25, 30, 35, 40]


def test_tensorboard_keeps_each_step_once_after_a_crash(tmp_path, monkeypatch):
    # A crash at step 17 after the scalars of step 15 reached the disk; the resumed run (from
    # ckpt-10) logs step 15 again, and the old record of it is purged.
    workdir = str(tmp_path)
    end = training.Monitor.on_train_batch_end

    def crash(self, batch, logs=None):
        end(self, batch, logs)
        if self.step == 17:
            self.writer.flush()
            raise KeyboardInterrupt("simulated crash")

    with monkeypatch.context() as patch:
        patch.setattr(training.Monitor, "on_train_batch_end", crash)
        with pytest.raises(KeyboardInterrupt):
            training.train_and_evaluate(small_config(), workdir, verbose=False)
    assert _event_steps(workdir)["d_loss"] == [5, 10, 15]
    training.train_and_evaluate(small_config(), workdir, verbose=False)
    steps = _event_steps(workdir)
    assert steps["d_loss"] == [5, 10, 15, 20, 25, 30, 35, 40]
    assert all(len(s) == len(set(s)) for s in steps.values()), steps


OVERRIDES = ["--config.train.num_steps=600", "--config.train.checkpoint_every=100",
             "--config.train.max_checkpoints=20", "--config.train.log_every=50",
             "--config.model.g_width=32", "--config.model.d_width=32", "--nojit_compile"]


def _train_until(workdir, ready, signum, delay=0.0):
    """Starts `train.py`, sends `signum` `delay` s after `ready(workdir)` holds; returns
    (status, stderr)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "train.py"),
                             "--config=configs/default.py", f"--workdir={workdir}", *OVERRIDES],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline and not ready(workdir) and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(delay)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err


def _has(name):
    return lambda workdir: os.path.exists(os.path.join(workdir, "checkpoints", name))


@pytest.mark.slow
def test_sigterm_at_several_moments_of_train_py(tmp_path):
    workdir = str(tmp_path / "preempted")
    stops = []
    # Mid-chunk after a checkpoint, the moment a checkpoint appears, and Ctrl-C mid-chunk.
    for ready, signum, delay in ((_has("ckpt-100.index"), signal.SIGTERM, 0.5),
                                 (_has("ckpt-300.index"), signal.SIGTERM, 0.0),
                                 (_has("ckpt-400.index"), signal.SIGINT, 0.3)):
        status, err = _train_until(workdir, ready, signum, delay)
        assert status == 128 + signum, err[-2000:]
        last = err.strip().splitlines()[-1]
        assert last.startswith(f"Stopped by {signum.name} after generator step "), err[-2000:]
        step = int(last.split("generator step ")[1].split()[0])
        assert os.path.exists(os.path.join(workdir, "checkpoints", f"ckpt-{step}.index"))
        assert not stops or step > stops[-1]
        stops.append(step)
    assert any(s % 100 for s in stops)  # at least one stop between checkpoints
    resumed = run_cli("--config=configs/default.py", f"--workdir={workdir}", *OVERRIDES)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"Resumed from {os.path.join(workdir, 'checkpoints', f'ckpt-{stops[-1]}')}" \
        in resumed.stdout
    reference = str(tmp_path / "reference")
    whole = run_cli("--config=configs/default.py", f"--workdir={reference}", *OVERRIDES)
    assert whole.returncode == 0, whole.stderr[-2000:]
    (_, a), (_, b) = runs.load_run(workdir), runs.load_run(reference)
    assert a.step == b.step == 600
    _assert_same(weights(a), weights(b))
    assert _event_steps(workdir)["d_loss"] == list(range(50, 601, 50))


def _workers(workdir, overrides, env_extra=None):
    """Starts the two `train.py --strategy=multi_worker` processes of a localhost cluster."""
    import json
    import socket
    socks = [socket.socket() for _ in range(2)]
    for s in socks:
        s.bind(("localhost", 0))
    cluster = {"worker": [f"localhost:{s.getsockname()[1]}" for s in socks]}
    for s in socks:
        s.close()
    args = [sys.executable, os.path.join(ROOT, "train.py"), "--config=configs/default.py",
            f"--workdir={workdir}", "--strategy=multi_worker", *overrides]
    procs = []
    for index in range(2):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="",
                   TF_CONFIG=json.dumps({"cluster": cluster,
                                         "task": {"type": "worker", "index": index}}))
        procs.append(subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True))
    return procs


@pytest.mark.slow
def test_multi_worker_preemption_stops_every_worker_at_one_step(tmp_path):
    # TensorFlow's PreemptionCheckpointHandler: a SIGTERM to either worker (the other one, then
    # the chief after a resume) stops both after the same step with a checkpoint of it.
    overrides = ["--config.model.g_depth=1", "--config.model.g_width=16",
                 "--config.model.d_depth=1", "--config.model.d_width=16",
                 "--config.train.batch_size=32", "--config.train.num_steps=400",
                 "--config.train.checkpoint_every=100", "--config.train.max_checkpoints=20",
                 "--config.train.log_every=50", "--config.eval.num_samples=100",
                 "--nojit_compile"]
    workdir = str(tmp_path / "multi")
    stops = []
    for signalled, ready in ((1, "ckpt-100.index"), (0, "ckpt-200.index")):
        procs = _workers(workdir, overrides)
        try:
            deadline = time.time() + 300
            while time.time() < deadline and not _has(ready)(workdir) \
                    and all(p.poll() is None for p in procs):
                time.sleep(0.02)
            time.sleep(0.3)
            procs[signalled].send_signal(signal.SIGTERM)
            errs = [p.communicate(timeout=300)[1] for p in procs]
        finally:
            for p in procs:
                p.kill()
        lines = [err.strip().splitlines()[-1] for err in errs]
        assert [p.returncode for p in procs] == [143, 143], errs[0][-2000:] + errs[1][-2000:]
        assert lines[0] == lines[1], lines
        step = int(lines[0].split("generator step ")[1].split()[0])
        assert os.path.exists(os.path.join(workdir, "checkpoints", f"ckpt-{step}.index"))
        stops.append(step)
    assert stops[0] < stops[1] < 400
    procs = _workers(workdir, overrides)
    errs = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs[0][-2000:] + errs[1][-2000:]
    assert not [n for n in os.listdir(workdir) if n.startswith(".worker")]
    single = str(tmp_path / "single")
    whole = run_cli("--config=configs/default.py", f"--workdir={single}", *overrides)
    assert whole.returncode == 0, whole.stderr[-2000:]
    (_, a), (_, b) = runs.load_run(workdir), runs.load_run(single)
    assert a.step == b.step == 400
    # Multi-worker and one process differ only in float summation order.
    for x, y in zip(weights(a), weights(b)):
        np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-5)
