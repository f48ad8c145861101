"""The papers' protocols: cross-testing (seed 001 section 5.5) and the ICR drift (seed 003
appendix A.3.1), on planted cases with known answers and on tiny trained runs."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from tfgan_reg import config_lib, train_lib
from tfgan_reg.eval import cross_test, drift

ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")


def _tool(*args):
    return subprocess.run([sys.executable, "-m", "tfgan_reg.eval", *args], capture_output=True,
                          text=True, env=ENV, timeout=600)


def _config(seed=0, **train):
    config = config_lib.base_config()
    config.seed = seed
    config.model.update(g_depth=1, g_width=16, d_depth=1, d_width=16)
    config.train.update(batch_size=32, num_steps=20, checkpoint_every=20, log_every=10,
                        jit_compile=False)
    config.train.update(**train)
    config.eval.num_samples = 100
    return config


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    out = []
    for seed in (0, 1):
        workdir = str(base / f"run{seed}")
        train_lib.train_and_evaluate(_config(seed), workdir, verbose=False)
        out.append(workdir)
    return out


def test_confusion_matrix_by_hand():
    m = cross_test.confusion([1.0, 2.0, -1.0, 0.5], [-3.0, 0.2, -0.1, -2.0, -1.0])
    np.testing.assert_allclose(m, [[0.75, 0.2], [0.25, 0.8]])


def test_cross_testing_planted_gaussians():
    # Real data N(0, 1). Model 1 collapsed to 5; its discriminator accepts x < 2. Model 2
    # generates N(0, 1) exactly; its discriminator accepts |x| < 3. Model 1's discriminator is
    # fooled by model 2's samples (cross FP = Phi(2)); model 2's is not fooled (cross FP = 0):
    # model 2 is the better one, as in seed 001's table.
    rng = np.random.default_rng(0)
    n = 200_000
    real = rng.normal(size=n)
    samples = [5.0 + 0.1 * rng.normal(size=n), rng.normal(size=n)]
    d1, d2 = (lambda x: 2.0 - x), (lambda x: 3.0 - np.abs(x))
    r = cross_test.cross_test([d1, d2], samples, real)
    phi2, within3 = stats.norm.cdf(2.0), stats.norm.cdf(3.0) - stats.norm.cdf(-3.0)
    tol = 4 / np.sqrt(n)
    np.testing.assert_allclose(r["model1"]["confusion"], [[phi2, 0.0], [1 - phi2, 1.0]],
                               atol=tol)
    np.testing.assert_allclose(r["model2"]["confusion"],
                               [[within3, within3], [1 - within3, 1 - within3]], atol=tol)
    assert r["model1"]["cross_fp"] == pytest.approx(phi2, abs=tol)
    assert r["model2"]["cross_fp"] == 0.0 and r["model2"]["fn"] == pytest.approx(
        1 - within3, abs=tol)
    assert r["better"] == 2
    swapped = cross_test.cross_test([d2, d1], samples[::-1], real)
    assert swapped["better"] == 1
    same = cross_test.cross_test([d1, d1], [samples[0]] * 2, real)
    assert same["better"] == 0


def test_cross_test_cli(runs, tmp_path):
    out = _tool("cross_test", f"--workdir1={runs[0]}", f"--workdir2={runs[1]}",
                "--num_samples=300", f"--out={tmp_path / 'x.json'}")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "cross-testing on" in out.stdout and "better model:" in out.stdout
    with open(tmp_path / "x.json") as f:
        r = json.load(f)
    assert r["num_samples"] == 300 and r["better"] in (0, 1, 2)
    for k in ("model1", "model2"):
        m = np.array(r[k]["confusion"])
        assert m.shape == (2, 2) and np.allclose(m.sum(0), 1.0)
        assert 0.0 <= r[k]["cross_fp"] <= 1.0
    bad = _tool("cross_test", f"--workdir1={runs[0]}")
    assert bad.returncode != 0 and "--workdir1 and --workdir2 are required" in bad.stderr


def test_drift_closed_form():
    x = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    d_t = lambda v: 2.0 * v[:, :1]
    d_c = lambda v: 0.5 * v[:, :1]
    assert drift.drift(d_t, d_c, x) == pytest.approx(1.5 * np.linalg.norm(x[:, 0]), rel=1e-6)
    assert drift.drift(d_c, d_c, x) == 0.0


def test_freeze_generator_trains_the_discriminator_only(runs):
    import tensorflow as tf
    config, model = train_lib.load_run(runs[0])
    g0 = [w.copy() for w in model.generator.get_weights()]
    d0 = [w.copy() for w in model.discriminator.get_weights()]
    model.freeze_generator = True
    model.train_step(tf.constant(np.random.default_rng(0).normal(size=(32, 2)), tf.float32))
    for a, b in zip(g0, model.generator.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert any(np.abs(a - b).max() > 0 for a, b in zip(d0, model.discriminator.get_weights()))


def test_drift_experiment(runs, tmp_path):
    from tfgan_reg import data as data_lib
    config, model = train_lib.load_run(runs[0])
    real = data_lib.real_samples("ring8", 100, 1)
    fake = train_lib.generate(model, 100, 0)
    rows = {mode: drift.run(runs[0], mode=mode, steps=10, every=5, real=real, fake=fake)
            for mode in drift.MODES}
    for mode, rs in rows.items():
        assert [r["step"] for r in rs] == [5, 10]
        assert all(r["drift_real"] > 0 and r["drift_fake"] > 0 and np.isfinite(r["d_loss"])
                   for r in rs)
        assert rs[-1]["drift_real"] > 1e-3
    # The planted case: with a negligible discriminator learning rate nothing moves.
    frozen = str(tmp_path / "frozen")
    train_lib.train_and_evaluate(_config(0, d_learning_rate=1e-30), frozen, verbose=False)
    for mode in drift.MODES:
        for r in drift.run(frozen, mode=mode, steps=4, every=2, real=real, fake=fake):
            assert r["drift_real"] < 1e-12 and r["drift_fake"] < 1e-12
    with pytest.raises(ValueError, match=r"`mode` must be one of \['discriminator', 'joint'\]"):
        drift.run(runs[0], mode="generator", steps=4, every=2, real=real, fake=fake)
    with pytest.raises(ValueError, match="positive multiple of `every`"):
        drift.run(runs[0], mode="joint", steps=5, every=2, real=real, fake=fake)


def test_drift_cli(runs, tmp_path):
    out = _tool("drift", f"--workdir={runs[1]}", "--steps=6", "--every=3",
                "--num_samples=50", f"--out={tmp_path}")
    assert out.returncode == 0, out.stderr[-2000:]
    with open(tmp_path / "drift.csv") as f:
        lines = f.read().splitlines()
    assert lines[0] == "mode,step,d_loss,drift_real,drift_fake" and len(lines) == 5
    assert (tmp_path / "drift.png").stat().st_size > 1000
    usage = _tool("drift", "--help")
    assert usage.returncode == 0 and "d_set(D_t, D_c)" in usage.stdout and "--every" in usage.stdout
    bad = _tool("drift", f"--workdir={runs[1]}", "--modes=both")
    assert bad.returncode != 0 and "must be drawn from ['discriminator', 'joint']" in bad.stderr
