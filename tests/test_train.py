"""`train_lib` / `train.py`: validation, resume, divergence handling, workdir safety."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import config_lib
from tfgan_reg import train_lib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _small_config(**train):
    config = config_lib.base_config()
    config.model.update(g_depth=2, g_width=16, d_depth=2, d_width=16)
    config.train.update(batch_size=32, num_steps=40, checkpoint_every=10, log_every=5,
                        max_checkpoints=10, jit_compile=False)
    config.train.update(**train)
    config.eval.num_samples = 200
    return config


def _restored(config, workdir):
    """A fresh model restored from the workdir's latest checkpoint."""
    model = train_lib.build_gan(config)
    ckpt = train_lib.make_checkpoint(model)
    ckpt.restore(tf.train.latest_checkpoint(os.path.join(workdir, "checkpoints"))) \
        .assert_existing_objects_matched()
    return model


def _weights(model):
    return [np.asarray(v) for v in model.generator.weights + model.discriminator.weights]


# ---- bad input --------------------------------------------------------------------------------

def _set(config, path, value):
    *parents, key = path.split(".")
    node = config
    for p in parents:
        node = node[p]
    with node.ignore_type():
        node[key] = value


@pytest.mark.parametrize("path,value,pattern", [
    ("loss", "bce", r"`loss` must be one of \[.*'hinge'.*\]\. Received: loss='bce'"),
    ("penalty.name", "r3", r"`penalty.name` must be one of \[.*'r1'.*\]\. Received"),
    ("data.name", "ring9", r"`data.name` must be one of \[.*'ring8'.*\]\. Received"),
    ("model.arch", "vgg", r"`model.arch` must be one of \[.*'mlp'.*\]\. Received: model.arch='vgg'"),
    ("penalty.gamma", -1.0, r"`penalty.gamma` must be a non-negative finite number. "
                            r"Received: penalty.gamma=-1.0"),
    ("penalty.gamma", float("nan"), r"penalty.gamma=nan"),
    ("noise.sigma", float("inf"), r"noise.sigma=inf"),
    ("train.n_disc", 0, r"`train.n_disc` must be an integer >= 1. Received: train.n_disc=0"),
    ("train.d_learning_rate", 0.0, r"train.d_learning_rate=0.0"),
    ("train.penalty_every", 0, r"`train.penalty_every` must be an integer >= 1"),
    ("train.scheme", "both", r"`train.scheme` must be one of \['alternating', "
                             r"'simultaneous'\]"),
    ("penalty.schedule", "cosine", r"`penalty.schedule` must be one of \['constant', "
                                   r"'anneal'\]"),
])
def test_validate_rejects_bad_values(path, value, pattern):
    config = config_lib.base_config()
    _set(config, path, value)
    with pytest.raises(ValueError, match=pattern):
        config_lib.validate(config)


@pytest.mark.parametrize("key,value", [("scheme", "simultaneous"), ("optimizer", "acgd")])
def test_validate_rejects_lazy_penalty_without_separate_d_steps(key, value):
    config = config_lib.base_config()
    config.train[key] = value
    config_lib.validate(config)  # valid with the penalty on every step
    config.train.penalty_every = 4
    with pytest.raises(ValueError, match=r"train.penalty_every > 1 \(lazy regularisation\) "
                                         r"needs.*Received: train.scheme="):
        config_lib.validate(config)


def test_validate_rejects_f_penalty_without_f_loss_and_unknown_keys():
    config = config_lib.base_config()
    config.penalty = config_lib.penalty_config("roth_f")
    with pytest.raises(ValueError, match=r"needs an f-divergence loss, one of \[.*'kl'.*\]\. "
                                         r"Received: loss='non_saturating'"):
        config_lib.validate(config)
    config.loss = "kl"
    config_lib.validate(config)
    config = config_lib.base_config()
    config.unlock()
    config.train.dics_iters = 5
    with pytest.raises(ValueError, match=r"Unknown config key `train.dics_iters`"):
        config_lib.validate(config)
    config = config_lib.base_config()
    config.penalty.lam = 1.0  # r1's weight is gamma
    with pytest.raises(ValueError, match=r"Penalty 'r1' takes config keys .*Received: "
                                         r"penalty.lam=1.0"):
        config_lib.validate(config)


def test_every_shipped_config_validates():
    import importlib.util
    for name, args in [("default", [()]), ("ring8", [("none",)] + [
            (p,) for p in train_lib.gan_lib.penalties_lib.names()]),
            ("submanifold7", [("none",), ("roth_js",)]),
            ("bogonet", [("digits",), ("mnist",), ("cifar10",)]),
            ("dcgan", [(f"{d}-{m}",) for d in ("digits", "mnist", "cifar10")
                       for m in ["none", "wgan"] + train_lib.gan_lib.penalties_lib.names()]),
            ("roth_images", [(f"{d}-{a}{n}",) for d in ("celeb_a", "lsun")
                             for a in ("dcgan", "resnet") for n in ("", "-none")]),
            ("fdiv_mlp_g", [(f"{d}-{m}",) for d in ("kl", "reverse_kl", "pearson",
                                                     "squared_hellinger", "total_variation")
                            for m in ("none", "dragan")])]:
        spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "configs",
                                                                         f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for a in args:
            config_lib.validate(module.get_config(*a))


def _run_cli(*args, timeout=300):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    return subprocess.run([sys.executable, os.path.join(ROOT, "train.py"), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


def test_cli_errors_come_before_training(tmp_path):
    workdir = tmp_path / "w"
    bad = _run_cli("--config=configs/default.py", f"--workdir={workdir}",
                   "--config.penalty.name=r3")
    assert bad.returncode != 0
    assert "`penalty.name` must be one of" in bad.stderr and "Received: penalty.name='r3'" \
        in bad.stderr
    assert not (workdir / "checkpoints").exists()
    typo = _run_cli("--config=configs/default.py", f"--workdir={workdir}",
                    "--config.train.dics_iters=5")
    assert typo.returncode != 0 and "dics_iters" in typo.stderr


def _killed_at(step):
    """`make_dataset` that interrupts the run when the chunk starting at `step` begins."""
    make = train_lib.make_dataset

    def crashing(config, *, start_step, num_steps):
        if start_step >= step:
            raise KeyboardInterrupt(f"simulated kill at step {step}")
        return make(config, start_step=start_step, num_steps=num_steps)

    return crashing


# ---- resume, divergence, workdir ----------------------------------------------------------------

def test_resume_after_interruption_matches_uninterrupted_run(tmp_path, monkeypatch):
    config = _small_config()
    straight = train_lib.train_and_evaluate(config, str(tmp_path / "a"), verbose=False)
    assert straight["step"] == 40
    reference = _weights(_restored(config, str(tmp_path / "a")))

    make = train_lib.make_dataset
    monkeypatch.setattr(train_lib, "make_dataset", _killed_at(20))
    with pytest.raises(KeyboardInterrupt):
        train_lib.train_and_evaluate(config, str(tmp_path / "b"), verbose=False)
    ckpts = tf.train.get_checkpoint_state(str(tmp_path / "b" / "checkpoints"))
    assert [os.path.basename(p) for p in ckpts.all_model_checkpoint_paths] == \
        ["ckpt-10", "ckpt-20"]
    monkeypatch.setattr(train_lib, "make_dataset", make)
    resumed = train_lib.train_and_evaluate(config, str(tmp_path / "b"), verbose=False)
    assert resumed["step"] == 40
    ckpts = tf.train.get_checkpoint_state(str(tmp_path / "b" / "checkpoints"))
    assert [os.path.basename(p) for p in ckpts.all_model_checkpoint_paths] == \
        ["ckpt-10", "ckpt-20", "ckpt-30", "ckpt-40"]
    for got, want in zip(_weights(_restored(config, str(tmp_path / "b"))), reference):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # A longer run resumes the finished one (num_steps may change).
    config.train.num_steps = 50
    assert train_lib.train_and_evaluate(config, str(tmp_path / "b"), verbose=False)["step"] == 50


def test_incompatible_workdir_is_refused(tmp_path):
    config = _small_config(num_steps=10)
    train_lib.train_and_evaluate(config, str(tmp_path), verbose=False)
    config.penalty.gamma = 1.0
    with pytest.raises(train_lib.IncompatibleWorkdir,
                       match=r"different config \(penalty.gamma: 10.0 -> 1.0\)"):
        train_lib.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "config.json") as f:
        assert json.load(f)["penalty"]["gamma"] == 10.0


def test_workdir_from_before_a_new_config_key_resumes(tmp_path):
    # A config.json written before `eval.samples_every` and `model.bogonet_seed` existed: the
    # absent keys stand for their defaults, so the run resumes; a non-default value is refused.
    config = _small_config(num_steps=10)
    train_lib.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "config.json") as f:
        old = json.load(f)
    del old["model"]["bogonet_seed"], old["data"]["cache"]
    with open(tmp_path / "config.json", "w") as f:
        json.dump(old, f)
    config.train.num_steps = 20
    assert train_lib.train_and_evaluate(config, str(tmp_path), verbose=False)["step"] == 20
    with open(tmp_path / "config.json") as f:
        old = json.load(f)  # rewritten in full by the resumed run
    del old["model"]["bogonet_seed"]
    with open(tmp_path / "config.json", "w") as f:
        json.dump(old, f)
    config.model.bogonet_seed = 3
    with pytest.raises(train_lib.IncompatibleWorkdir,
                       match=r"model.bogonet_seed: 0 -> 3"):
        train_lib.train_and_evaluate(config, str(tmp_path), verbose=False)


def test_load_run_of_a_workdir_from_before_new_config_keys(tmp_path):
    # Evaluation and export tools read config.json alone: keys it predates take their defaults,
    # while the penalty section stays the run's own (a default R1 `gamma` would break WGAN-GP).
    config = _small_config(num_steps=10)
    config.penalty = config_lib.penalty_config("wgan_gp")
    train_lib.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "config.json") as f:
        old = json.load(f)
    del old["train"]["penalty_every"], old["data"]["cache"], old["eval"]["samples_every"]
    with open(tmp_path / "config.json", "w") as f:
        json.dump(old, f)
    loaded, model = train_lib.load_run(str(tmp_path))
    assert loaded.train.penalty_every == 1 and model.penalty_every == 1
    assert loaded.data.cache == "" and loaded.eval.samples_every == 0
    assert dict(loaded.penalty) == dict(config.penalty) and "gamma" not in loaded.penalty
    assert model.step == 10


def test_nan_stops_with_step_and_keeps_last_good_checkpoint(tmp_path, monkeypatch):
    config = _small_config(num_steps=40)
    # tanh propagates NaN; TensorFlow's CPU relu may map NaN inputs to 0.
    config.model.activation = "tanh"
    make = train_lib.make_dataset

    def poisoned(config, *, start_step, num_steps):
        ds = make(config, start_step=start_step, num_steps=num_steps)
        steps = tf.data.Dataset.range(start_step, start_step + num_steps)
        return tf.data.Dataset.zip((ds, steps)).map(
            lambda x, s: tf.where(s >= 25, np.nan, 1.0) * x)

    monkeypatch.setattr(train_lib, "make_dataset", poisoned)
    with pytest.raises(train_lib.TrainingDiverged,
                       match=r"non-finite at generator step 25 .*ckpt-20"):
        train_lib.train_and_evaluate(config, str(tmp_path), verbose=False)
    model = _restored(config, str(tmp_path))
    assert int(model.step_counter) == 20
    assert all(np.isfinite(w).all() for w in _weights(model))


def test_periodic_evaluation_csv_tensorboard_and_best_checkpoint(tmp_path, monkeypatch):
    # Evaluations every 10 steps, checkpoints every 20: the kill at step 30 comes after the
    # evaluation of step 30 and before its checkpoint, so the resumed run (from 20) must drop
    # that row and write it again.
    config = _small_config(num_steps=40, checkpoint_every=20)
    config.eval.update(every=10, best_metric="w1", num_samples=100)
    make = train_lib.make_dataset
    monkeypatch.setattr(train_lib, "make_dataset", _killed_at(30))
    with pytest.raises(KeyboardInterrupt):
        train_lib.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "eval.csv") as f:
        assert [line.split(",")[0] for line in f.read().splitlines()] == \
            ["step", "10", "20", "30"]
    assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")).endswith("ckpt-20")
    monkeypatch.setattr(train_lib, "make_dataset", make)
    train_lib.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "eval.csv") as f:
        rows = [line.split(",") for line in f.read().splitlines()]
    assert rows[0] == ["step", "hq_fraction", "modes", "w1"]
    assert [int(r[0]) for r in rows[1:]] == [10, 20, 30, 40]  # each step once after resume
    w1 = {int(r[0]): float(r[3]) for r in rows[1:]}
    with open(tmp_path / "best" / "best.json") as f:
        best = json.load(f)
    assert best["metric"] == "w1" and best["step"] == min(w1, key=w1.get)
    assert best["value"] == pytest.approx(min(w1.values()), rel=1e-5)
    best_model = train_lib.build_gan(config)
    tf.train.Checkpoint(generator=best_model.generator, discriminator=best_model.discriminator,
                        step=best_model.step_counter).restore(
        tf.train.latest_checkpoint(str(tmp_path / "best"))).assert_existing_objects_matched()
    assert int(best_model.step_counter) == best["step"]
    events = os.listdir(tmp_path / "tensorboard")
    assert events
    tags = set()
    for name in events:
        for event in tf.compat.v1.train.summary_iterator(str(tmp_path / "tensorboard" / name)):
            tags.update(v.tag for v in event.summary.value)
    assert {"eval/w1", "eval/modes", "d_loss"} <= tags
    for picture in ("samples_final.png", "kde_final.png", "value_final.png"):
        assert (tmp_path / picture).read_bytes()[:4] == b"\x89PNG"


def test_best_metric_must_fit_the_data():
    config = config_lib.base_config()
    config.eval.best_metric = "fid"
    with pytest.raises(ValueError, match=r"`eval.best_metric` must be one of \['', 'w1', "):
        config_lib.validate(config)
    config.data.name = "digits"
    with pytest.raises(ValueError, match=r"needs image scores: set eval.classifier"):
        config_lib.validate(config)


def test_sigkill_mid_run_then_resume(tmp_path):
    # A real kill (SIGKILL, no clean-up) during training: every checkpoint the index lists
    # restores, and resuming finishes with the weights of an uninterrupted run.
    import signal
    import time
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
    assert train_lib.load_run(str(workdir))[1].step == int(ckpts.model_checkpoint_path
                                                            .split("-")[-1])
    resumed = _run_cli("--config=configs/default.py", f"--workdir={workdir}", *overrides)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "Resumed from" in resumed.stdout
    reference = tmp_path / "reference"
    whole = _run_cli("--config=configs/default.py", f"--workdir={reference}", *overrides)
    assert whole.returncode == 0, whole.stderr[-2000:]
    (_, a), (_, b) = train_lib.load_run(str(workdir)), train_lib.load_run(str(reference))
    assert a.step == b.step == 600
    for x, y in zip(a.generator.weights + a.discriminator.weights,
                    b.generator.weights + b.discriminator.weights):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-5, atol=1e-6)
