"""`experiments.drift` (Schaefer et al. 2020, appendix A.3.1): the distance of eq. 5 in closed form,
the experiment on tiny trained runs and a planted frozen one, and its command."""
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import data as data_lib
from tfgan_reg import runs as runs_lib
from tfgan_reg import training
from tfgan_reg.experiments import drift

from helpers import eval_tool, tiny_ring8_config


def test_drift_closed_form():
    x = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    d_t = lambda v: 2.0 * v[:, :1]
    d_c = lambda v: 0.5 * v[:, :1]
    assert drift.drift(d_t, d_c, x) == pytest.approx(1.5 * np.linalg.norm(x[:, 0]), rel=1e-6)
    assert drift.drift(d_c, d_c, x) == 0.0


def test_freeze_generator_trains_the_discriminator_only(ring8_runs):
    config, model = runs_lib.load_run(ring8_runs[0])
    g0 = [w.copy() for w in model.generator.get_weights()]
    d0 = [w.copy() for w in model.discriminator.get_weights()]
    model.freeze_generator = True
    model.train_step(tf.constant(np.random.default_rng(0).normal(size=(32, 2)), tf.float32))
    for a, b in zip(g0, model.generator.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert any(np.abs(a - b).max() > 0 for a, b in zip(d0, model.discriminator.get_weights()))


def test_drift_stops_at_the_first_row_below_stop_below(ring8_runs):
    config, model = runs_lib.load_run(ring8_runs[0])
    real = data_lib.real_samples("ring8", 50, 1)
    fake = runs_lib.generate(model, 50, 0)
    kw = dict(mode="discriminator", steps=6, every=2, real=real, fake=fake)
    full = drift.run(ring8_runs[0], **kw)
    assert [r["step"] for r in full] == [2, 4, 6]
    # Every loss is below +inf: the first row ends it; none is below 0: the run goes on.
    assert [r["step"] for r in drift.run(ring8_runs[0], stop_below=np.inf, **kw)] == [2]
    assert [r["step"] for r in drift.run(ring8_runs[0], stop_below=0.0, **kw)] == [2, 4, 6]
    # A threshold between the rows' losses: the same rows (the continuation is deterministic)
    # up to the first one below it.
    losses = [r["d_loss"] for r in full]
    cut = (min(losses) + max(losses)) / 2
    first = next(i for i, loss in enumerate(losses) if loss < cut)
    cut_rows = drift.run(ring8_runs[0], stop_below=cut, **kw)
    assert len(cut_rows) == first + 1
    np.testing.assert_allclose([r["d_loss"] for r in cut_rows], losses[:first + 1], rtol=1e-6)


@pytest.mark.slow  # fast sibling: test_drift's freeze_generator
def test_drift_experiment(ring8_runs, tmp_path):
    config, model = runs_lib.load_run(ring8_runs[0])
    real = data_lib.real_samples("ring8", 100, 1)
    fake = runs_lib.generate(model, 100, 0)
    rows = {mode: drift.run(ring8_runs[0], mode=mode, steps=10, every=5, real=real, fake=fake)
            for mode in drift.MODES}
    for mode, rs in rows.items():
        assert [r["step"] for r in rs] == [5, 10]
        assert all(r["drift_real"] > 0 and r["drift_fake"] > 0 and np.isfinite(r["d_loss"])
                   for r in rs)
        assert rs[-1]["drift_real"] > 1e-3
    # The planted case: with a negligible discriminator learning rate nothing moves.
    frozen = str(tmp_path / "frozen")
    training.train_and_evaluate(tiny_ring8_config(0, d_learning_rate=1e-30), frozen, verbose=False)
    for mode in drift.MODES:
        for r in drift.run(frozen, mode=mode, steps=4, every=2, real=real, fake=fake):
            assert r["drift_real"] < 1e-12 and r["drift_fake"] < 1e-12
    with pytest.raises(ValueError, match=r"`mode` must be one of \['discriminator', 'joint'\]"):
        drift.run(ring8_runs[0], mode="generator", steps=4, every=2, real=real, fake=fake)
    with pytest.raises(ValueError, match="positive multiple of `every`"):
        drift.run(ring8_runs[0], mode="joint", steps=5, every=2, real=real, fake=fake)


@pytest.mark.slow
def test_drift_cli(ring8_runs, tmp_path):
    out = eval_tool("drift", f"--workdir={ring8_runs[1]}", "--steps=6", "--every=3",
                "--num_samples=50", f"--out={tmp_path}")
    assert out.returncode == 0, out.stderr[-2000:]
    with open(tmp_path / "drift.csv") as f:
        lines = f.read().splitlines()
    assert lines[0] == "mode,step,d_loss,drift_real,drift_fake" and len(lines) == 5
    assert (tmp_path / "drift.png").stat().st_size > 1000
    usage = eval_tool("drift", "--help")
    assert usage.returncode == 0 and "d_set(D_t, D_c)" in usage.stdout and "--every" in usage.stdout
    bad = eval_tool("drift", f"--workdir={ring8_runs[1]}", "--modes=both")
    assert bad.returncode != 0
    assert "from ['discriminator', 'joint']. Received: modes=['both']" in bad.stderr
