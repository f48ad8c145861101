"""`training` and `train.py`: the loop, resume after a kill, the non-finite guard, CLI errors."""
import json
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

from helpers import ROOT, killed_at, restored, run_cli, small_config, weights


@pytest.mark.slow  # fast sibling: test_bad_inputs
def test_cli_errors_come_before_training(tmp_path):
    workdir = tmp_path / "w"
    bad = run_cli("--config=configs/default.py", f"--workdir={workdir}",
                   "--config.penalty.name=r3")
    assert bad.returncode != 0
    assert "`penalty.name` must be one of" in bad.stderr and "Received: penalty.name='r3'" \
        in bad.stderr
    assert not (workdir / "checkpoints").exists()
    typo = run_cli("--config=configs/default.py", f"--workdir={workdir}",
                    "--config.train.dics_iters=5")
    assert typo.returncode != 0 and "dics_iters" in typo.stderr


@pytest.mark.slow  # fast sibling: test_faults
def test_resume_after_interruption_matches_uninterrupted_run(tmp_path, monkeypatch):
    config = small_config()
    straight = training.train_and_evaluate(config, str(tmp_path / "a"), verbose=False)
    assert straight["step"] == 40
    reference = weights(restored(config, str(tmp_path / "a")))

    make = runs.make_dataset
    monkeypatch.setattr(runs, "make_dataset", killed_at(20))
    with pytest.raises(KeyboardInterrupt):
        training.train_and_evaluate(config, str(tmp_path / "b"), verbose=False)
    ckpts = tf.train.get_checkpoint_state(str(tmp_path / "b" / "checkpoints"))
    assert [os.path.basename(p) for p in ckpts.all_model_checkpoint_paths] == \
        ["ckpt-10", "ckpt-20"]
    monkeypatch.setattr(runs, "make_dataset", make)
    resumed = training.train_and_evaluate(config, str(tmp_path / "b"), verbose=False)
    assert resumed["step"] == 40
    ckpts = tf.train.get_checkpoint_state(str(tmp_path / "b" / "checkpoints"))
    assert [os.path.basename(p) for p in ckpts.all_model_checkpoint_paths] == \
        ["ckpt-10", "ckpt-20", "ckpt-30", "ckpt-40"]
    for got, want in zip(weights(restored(config, str(tmp_path / "b"))), reference):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # A longer run resumes the finished one (num_steps may change).
    config.train.num_steps = 50
    assert training.train_and_evaluate(config, str(tmp_path / "b"), verbose=False)["step"] == 50


def test_nan_stops_with_step_and_keeps_last_good_checkpoint(tmp_path, monkeypatch):
    config = small_config(num_steps=40)
    # tanh propagates NaN; TensorFlow's CPU relu may map NaN inputs to 0.
    config.model.activation = "tanh"
    make = runs.make_dataset

    def poisoned(config, *, start_step, num_steps):
        ds = make(config, start_step=start_step, num_steps=num_steps)
        steps = tf.data.Dataset.range(start_step, start_step + num_steps)
        return tf.data.Dataset.zip((ds, steps)).map(
            lambda x, s: tf.where(s >= 25, np.nan, 1.0) * x)

    monkeypatch.setattr(runs, "make_dataset", poisoned)
    with pytest.raises(training.TrainingDiverged,
                       match=r"non-finite at generator step 25 .*ckpt-20"):
        training.train_and_evaluate(config, str(tmp_path), verbose=False)
    model = restored(config, str(tmp_path))
    assert int(model.step_counter) == 20
    assert all(np.isfinite(w).all() for w in weights(model))


@pytest.mark.slow
def test_sigkill_mid_run_then_resume(tmp_path):
    # A real kill (SIGKILL, no clean-up) during training: every checkpoint the index lists
    # restores, and resuming finishes with the weights of an uninterrupted run.
    overrides = ["--config.train.num_steps=600", "--config.train.checkpoint_every=100",
                 "--config.train.max_checkpoints=10", "--config.model.g_width=32",
                 "--config.model.d_width=32", "--nojit_compile"]
    workdir = tmp_path / "killed"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "train.py"),
                             "--config=configs/default.py", f"--workdir={workdir}",
                             *overrides], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and not (workdir / "checkpoints" / "ckpt-200.index").exists():
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    ckpts = tf.train.get_checkpoint_state(str(workdir / "checkpoints"))
    assert ckpts is not None and int(ckpts.model_checkpoint_path.split("-")[-1]) < 600
    with open(workdir / "config.json") as f:
        assert json.load(f)["train"]["jit_compile"] is False  # the flag reached the config
    for path in ckpts.all_model_checkpoint_paths:  # readable, not truncated
        assert tf.train.load_checkpoint(path).get_variable_to_shape_map()
    # The newest readable checkpoint: the state file's, or ckpt-200 itself when the kill came
    # after its files were written and before the state file named it (checkpoints are found
    # from the files present).
    listed = int(ckpts.model_checkpoint_path.split("-")[-1])
    assert runs.load_run(str(workdir))[1].step in {listed, max(listed, 200)}
    resumed = run_cli("--config=configs/default.py", f"--workdir={workdir}", *overrides)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "Resumed from" in resumed.stdout
    reference = tmp_path / "reference"
    whole = run_cli("--config=configs/default.py", f"--workdir={reference}", *overrides)
    assert whole.returncode == 0, whole.stderr[-2000:]
    (_, a), (_, b) = runs.load_run(str(workdir)), runs.load_run(str(reference))
    assert a.step == b.step == 600
    for x, y in zip(a.generator.weights + a.discriminator.weights,
                    b.generator.weights + b.discriminator.weights):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-5, atol=1e-6)


def test_training_step_traces_once_over_many_steps_and_chunks(tmp_path, monkeypatch):
    # Schedules take the step as a tensor and lazy penalties branch on it inside the graph, so
    # 40 steps in 4 `fit` chunks (checkpoints every 10) trace `train_step` once. A schedule
    # that returned a Python float, or a new train function per chunk, would trace again.
    from tfgan_reg import config_lib, gan as gan_lib
    traces = []
    step = gan_lib.GAN.train_step

    def counted(self, data):
        traces.append(1)
        return step(self, data)

    monkeypatch.setattr(gan_lib.GAN, "train_step", counted)
    config = small_config(num_steps=40, penalty_every=4)
    config.penalty = config_lib.penalty_config("r1", 1.0, schedule="anneal", alpha=0.1)
    config.noise.update(sigma=0.1, schedule="anneal", alpha=0.5)
    metrics = training.train_and_evaluate(config, str(tmp_path), verbose=False)
    assert metrics["step"] == 40
    assert len(traces) == 1


def test_library_call_checks_data_and_batch_before_building(tmp_path, monkeypatch,
                                                            tiny_digits_config,
                                                            mirrored_strategy):
    """`train_and_evaluate` (not only train.py) fails on offline data or an uneven batch
    before it builds a model or writes the workdir."""
    def no_build(config):
        raise AssertionError("built a model before checking the inputs")

    monkeypatch.setattr(runs, "build_gan", no_build)
    workdir = tmp_path / "w"
    offline = tiny_digits_config()
    offline.data.update(name="mnist", data_dir=str(tmp_path / "no_data"))
    with pytest.raises(FileNotFoundError, match="data_dir"):
        training.train_and_evaluate(offline, str(workdir), verbose=False)
    uneven = tiny_digits_config(batch_size=33)
    with pytest.raises(ValueError, match="multiple of the 2 replicas"):
        training.train_and_evaluate(uneven, str(workdir), strategy=mirrored_strategy,
                                    verbose=False)
    assert not workdir.exists()
