"""Kodali et al.'s (DRAGAN) own CPU experiments (`reproduce.dragan_swissroll`,
`reproduce.dragan_mnist`): the density coverage and the collapse events against hand-computed
cases, the verdict rules and gates on planted results (pass, fail, boundary), and the configs'
authors' settings."""
import numpy as np
import pytest

from tfgan_reg import config_lib
from tfgan_reg.reproduce import dragan_mnist
from tfgan_reg.reproduce import dragan_swissroll as swiss
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED

CHECKPOINTS = [1000, 2500, 4000, 5000]


# ---- swissroll: coverage ------------------------------------------------------------------------

def test_coverage_by_hand():
    real = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    # Two generated points near real 0 and 1 (0.03 and 0.05 away), one far (5, 5): recall 2/4,
    # precision 2/3 at radius 0.05 (the boundary counts); at 0.04 only the first: 1/4, 1/3.
    fake = np.array([[0.03, 0.0], [1.0, 0.05], [5.0, 5.0]])
    assert swiss.coverage(fake, real, 0.05) == pytest.approx((0.5, 2 / 3))
    assert swiss.coverage(fake, real, 0.04) == pytest.approx((0.25, 1 / 3))
    assert swiss.coverage(np.full((3, 2), np.nan), real, 0.05) == (0.0, 0.0)


# ---- swissroll: verdict and gate ----------------------------------------------------------------

def _run(w1, recall, precision):
    return {"w1": list(w1), "recall": list(recall), "precision": list(precision),
            "diverged": False}


GOOD = _run([0.3, 0.08, 0.07, 0.07], [0.8, 0.95, 0.96, 0.97], [0.8, 0.95, 0.96, 0.96])
APPROX = _run([0.4, 0.2, 0.12, 0.11], [0.6, 0.7, 0.8, 0.8], [0.6, 0.7, 0.76, 0.8])
FAILING = _run([0.5, 0.36, 0.35, 0.34], [0.5, 0.6, 0.6, 0.6], [0.3, 0.4, 0.4, 0.4])
NOISE_W1 = 0.46   # a standard normal's W1 to the data (2,000 points)


def _swiss(none, wgan_gp, dragan):
    return {"checkpoints": CHECKPOINTS, "seeds": [0, 1, 2], "noise_w1": NOISE_W1,
            "runs": {"none": none, "wgan_gp": wgan_gp, "dragan": dragan}}


def test_swissroll_reproduced_when_the_paper_ordering_holds():
    verdict, reason = swiss.swissroll_verdict(_swiss([GOOD] * 3, [FAILING] * 3, [APPROX] * 3))
    assert verdict == REPRODUCED, reason
    assert "3/3" in reason


def test_swissroll_partly_and_not_reproduced():
    # DRAGAN fails too: (a) and (c) only.
    assert swiss.swissroll_verdict(_swiss([GOOD] * 3, [FAILING] * 3,
                                          [FAILING] * 3))[0] == PARTLY
    # WGAN-GP captures the density: (c) fails, whatever the rest.
    assert swiss.swissroll_verdict(_swiss([GOOD] * 3, [GOOD] * 3,
                                          [APPROX] * 3))[0] == NOT_REPRODUCED


def test_swissroll_majority_and_margin_boundaries():
    # WGAN-GP fails in 2 of 3 seeds: a majority, still reproduced; in 1 of 3: not.
    assert swiss.swissroll_verdict(_swiss([GOOD] * 3, [FAILING, FAILING, GOOD],
                                          [APPROX] * 3))[0] == REPRODUCED
    assert swiss.swissroll_verdict(_swiss([GOOD] * 3, [FAILING, GOOD, GOOD],
                                          [APPROX] * 3))[0] == NOT_REPRODUCED
    # Not captured but within the W1 margin of vanilla (0.07 + 0.06 = 0.13): no failure.
    close = _run([0.5, 0.4, 0.2, 0.07 + swiss.W1_MARGIN], [0.85] * 4, [0.85] * 4)
    assert swiss.swissroll_verdict(_swiss([GOOD] * 3, [close] * 3,
                                          [APPROX] * 3))[0] == NOT_REPRODUCED
    just_over = _run([0.5, 0.4, 0.2, 0.1301], [0.85] * 4, [0.85] * 4)
    assert swiss.swissroll_verdict(_swiss([GOOD] * 3, [just_over] * 3,
                                          [APPROX] * 3))[0] == REPRODUCED
    # Vanilla captures only at the end (not by the second checkpoint): not "quickly".
    slow = _run([0.5, 0.3, 0.1, 0.07], [0.5, 0.85, 0.95, 0.95], [0.5, 0.85, 0.95, 0.95])
    assert swiss.swissroll_verdict(_swiss([slow] * 3, [FAILING] * 3,
                                          [APPROX] * 3))[0] == PARTLY


def test_swissroll_gate():
    # FAILING's mean W1 goes 0.36 (2,500) -> 0.34 (5,000): >= 0.9 x, no longer closing in;
    # APPROX captures approximately in every seed.
    passed, reason = swiss.swissroll_gate(_swiss([GOOD] * 3, [FAILING] * 3, [APPROX] * 3))
    assert passed, reason
    # 5 % per 1,000 steps from 2,500 on (0.4 -> 0.4 x 0.95^2.5 = 0.35) is still closing in,
    # though the last 1,000 steps alone (0.368 -> 0.35) would pass the old test.
    still = _run([0.8, 0.4, 0.368, 0.35], [0.5] * 4, [0.5] * 4)
    passed, reason = swiss.swissroll_gate(_swiss([GOOD] * 3, [still] * 3, [APPROX] * 3))
    assert not passed and "WGAN-GP" in reason and "short run" in reason
    for eps, passes in ((1e-9, True), (-1e-9, False)):  # the boundary 0.9 x 0.4 (at 2,500)
        edge = _run([0.8, 0.4, 0.4, swiss.PLATEAU * 0.4 + eps], [0.5] * 4, [0.5] * 4)
        assert swiss.swissroll_gate(_swiss([GOOD] * 3, [edge] * 3, [APPROX] * 3))[0] == passes
    # Still improving but already captured in a majority: the gate passes.
    assert swiss.swissroll_gate(_swiss([GOOD] * 3, [GOOD, GOOD, still], [APPROX] * 3))[0]


def test_swissroll_gate_on_dragan_and_noise():
    still = _run([0.8, 0.4, 0.368, 0.35], [0.5] * 4, [0.5] * 4)
    # DRAGAN not captured and still closing in: inconclusive, not a failed (b).
    passed, reason = swiss.swissroll_gate(_swiss([GOOD] * 3, [FAILING] * 3, [still] * 3))
    assert not passed and "DRAGAN" in reason and "short run" in reason
    # DRAGAN converged without capturing: the gate passes and (b) fails as a verdict.
    result = _swiss([GOOD] * 3, [FAILING] * 3, [FAILING] * 3)
    assert swiss.swissroll_gate(result)[0]
    assert swiss.swissroll_verdict(result)[0] == PARTLY
    # Approximately captured in 2 of 3 seeds: passes whatever the third does.
    assert swiss.swissroll_gate(_swiss([GOOD] * 3, [FAILING] * 3, [APPROX, APPROX, still]))[0]
    # A noise generator (flat W1 at the normal's level) fails the gate, for either method;
    # just below the normal's W1 passes (the boundary). Vanilla is not gated.
    noise = _run([NOISE_W1] * 4, [0.3] * 4, [0.3] * 4)
    below = _run([NOISE_W1 - 1e-6] * 4, [0.3] * 4, [0.3] * 4)
    for wgan_gp, dragan in (([noise] * 3, [APPROX] * 3), ([FAILING] * 3, [noise] * 3)):
        passed, reason = swiss.swissroll_gate(_swiss([GOOD] * 3, wgan_gp, dragan))
        assert not passed and "not trained" in reason
    assert swiss.swissroll_gate(_swiss([noise] * 3, [below] * 3, [APPROX] * 3))[0]


def test_swissroll_config_is_the_improved_wgan_toy_setup():
    w = config_lib.from_file("configs/dragan_swissroll.py:wgan_gp")
    assert (w.model.g_width, w.model.d_width, w.model.g_depth) == (512, 512, 3)
    assert (w.train.d_learning_rate, w.train.beta1, w.train.beta2) == (1e-4, 0.5, 0.9)
    assert (w.loss, w.train.n_disc, w.penalty.lam, w.train.batch_size) == (
        "wasserstein", 5, 0.1, 256)
    d = config_lib.from_file("configs/dragan_swissroll.py:dragan")
    assert (d.loss, d.train.n_disc, d.penalty.lam, d.penalty.c) == (
        "non_saturating", 1, 10.0, 0.5)
    claim = config_lib.from_file("configs/dragan_swissroll.py:claim")
    # Every judged checkpoint is saved, and kept.
    assert all(t % d.train.checkpoint_every == 0 for t in claim.checkpoints)
    assert d.train.num_steps // d.train.checkpoint_every <= d.train.max_checkpoints
    assert claim.checkpoints[-1] == d.train.num_steps
    with pytest.raises(ValueError, match="wgan_gp"):
        config_lib.from_file("configs/dragan_swissroll.py:wgan")


# ---- MNIST: collapse events and the penalty ------------------------------------------------------

def test_collapse_events_by_hand():
    kw = dict(drop=0.25, window=3, onset_is=3.0)
    # The curve reaches 3.0 at index 0, so the drop at 1 (2.0 < 0.75 x 3.0) is an event; index
    # 3 (4.0 < 0.75 x 6.0) starts one that lasts to 4 (4.4 < 4.5); index 7 (3.0 < 0.75 x 7.0)
    # starts a third.
    assert dragan_mnist.collapse_events([3.0, 2.0, 6.0, 4.0, 4.4, 7.0, 7.0, 3.0], **kw) == \
        [1, 3, 7]
    # Not before the onset level: a dip at 1.5 -> 1.0 is the start of training.
    assert dragan_mnist.collapse_events([1.5, 1.0, 3.5, 5.0, 5.0], **kw) == []
    # Boundary: exactly 0.75 x the peak is no event; just below is.
    assert dragan_mnist.collapse_events([4.0, 3.0], **kw) == []
    assert dragan_mnist.collapse_events([4.0, 2.999], **kw) == [1]
    # The window: a peak 4 evaluations back is out of a window of 3.
    assert dragan_mnist.collapse_events([8.0, 5.0, 5.0, 5.0, 5.0], **kw) == [1]
    assert dragan_mnist.collapse_events([8.0, 6.5, 6.5, 6.5, 5.0], **kw) == []


def test_penalty_rises_by_hand():
    # Quiet evaluations (outside 2..4 and 6..8): 1, 1, 2, 1 -> median 1.
    penalty = [1.0, 1.0, 0.5, 5.0, 9.0, 2.0, 1.4, 1.3, 0.1, 1.0]
    assert dragan_mnist.penalty_rises(penalty, [3, 7]) == [True, False]
    # At the onset's predecessor counts; 1.5 = RISE x median is a rise (boundary).
    assert dragan_mnist.RISE == 1.5
    assert dragan_mnist.penalty_rises([1.0, 1.0, 1.5, 0.1, 1.0, 1.0], [3]) == [True]
    assert dragan_mnist.penalty_rises([1.0, 1.0, 1.49, 0.1, 1.0, 1.0], [3]) == [False]
    # The paper's figure 7 ratio (4.103e3 -> 6.267e3, x 1.53) is a rise.
    assert dragan_mnist.penalty_rises([4.103e3] * 3 + [6.267e3] + [4.103e3] * 3, [3]) == [True]


def test_tracked_penalty_is_the_notebooks_scale():
    import keras
    # Linear D(x) = w.x: grad_x D = w everywhere, so the penalty is lam (s ||w|| - 1)^2.
    w = np.random.default_rng(0).normal(size=12) * 0.2
    d = keras.Sequential([keras.Input((12,)), keras.layers.Dense(1)])
    d.layers[-1].set_weights([w.reshape(12, 1).astype(np.float32), np.zeros(1, np.float32)])
    real = np.random.default_rng(1).uniform(-1, 1, (64, 12)).astype(np.float32)
    norm = np.linalg.norm(w)
    for scale in (1.0, 2.0):
        got = dragan_mnist.tracked_penalty(d, real, lam=10.0, c=0.5, input_scale=scale, seed=3)
        assert got == pytest.approx(10.0 * (scale * norm - 1.0) ** 2, rel=1e-5)
    # Scale 1 is the library's DRAGAN penalty at the same points.
    from tfgan_reg import penalties
    want = float(penalties.dragan(d, keras.ops.convert_to_tensor(real), None, lam=10.0, c=0.5,
                                  seed=3, training=False))
    assert dragan_mnist.tracked_penalty(d, real, lam=10.0, c=0.5, input_scale=1.0,
                                        seed=3) == pytest.approx(want, rel=1e-6)


def _mnist_run(events, penalty=None, best=6.0, learned=(0.95, 20.0, 300.0), diverged=False):
    n = 10
    confidence, fid, noise_fid = learned
    return {"steps": list(range(500, 500 * (n + 1), 500)), "is": [best] * n,
            "penalty": penalty or [1.0] * n, "events": events, "diverged": diverged,
            "learned": {"confidence": confidence, "fid": fid, "noise_fid": noise_fid,
                        "classes": 10, "step": 500}}


SPIKE = [1.0, 1.0, 1.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]


def _mnist(vanilla, dragan):
    return {"seeds": [0, 1, 2], "runs": {"none": vanilla, "dragan": dragan}}


def test_mnist_verdict():
    vanilla = [_mnist_run([3], SPIKE)] * 3
    stable = [_mnist_run([])] * 3
    verdict, reason = dragan_mnist.mnist_verdict(_mnist(vanilla, stable))
    assert verdict == REPRODUCED and "3/3" in reason
    # No penalty rise: partly.
    flat = [_mnist_run([3])] * 3
    assert dragan_mnist.mnist_verdict(_mnist(flat, stable))[0] == PARTLY
    # Events in 2 of 3 vanilla seeds (a majority) and DRAGAN with one event in 1 seed.
    two = [_mnist_run([3], SPIKE)] * 2 + [_mnist_run([])]
    one = [_mnist_run([4])] + [_mnist_run([])] * 2
    assert dragan_mnist.mnist_verdict(_mnist(two, one))[0] == REPRODUCED
    # DRAGAN as many events as vanilla: (b) fails.
    assert dragan_mnist.mnist_verdict(_mnist(two, [_mnist_run([4])] * 2 + [_mnist_run([])]
                                             ))[0] == NOT_REPRODUCED
    # Vanilla events in 1 of 3 seeds only: (a) fails.
    lone = [_mnist_run([3], SPIKE)] + [_mnist_run([])] * 2
    assert dragan_mnist.mnist_verdict(_mnist(lone, stable))[0] == NOT_REPRODUCED
    # A divergence is an event: a second vanilla seed that diverged restores (a) and (b);
    # it has no IS drop, so no penalty rise to count for (c).
    div = [_mnist_run([3], SPIKE), _mnist_run([], diverged=True), _mnist_run([])]
    verdict, reason = dragan_mnist.mnist_verdict(_mnist(div, stable))
    assert verdict == PARTLY and "2/3 seeds (2 in all)" in reason and "1/1" in reason
    # A diverged DRAGAN seed counts against (b): 2 of 3 with one divergence each, as many
    # events as vanilla.
    dv = [_mnist_run([], diverged=True)] * 2 + [_mnist_run([])]
    assert dragan_mnist.mnist_verdict(_mnist(two, dv))[0] == NOT_REPRODUCED


def test_mnist_gate():
    def run(fid, classes=10, confidence=0.7, **kw):
        r = _mnist_run([], learned=(confidence, fid, 300.0), **kw)
        r["learned"]["classes"] = classes
        return r
    edge = run(149.99, classes=8)  # the boundaries pass: FID just under half, 8 classes
    noise = run(300.0, classes=4, confidence=0.785)  # a noise generator fails
    passed, reason = dragan_mnist.mnist_gate(_mnist([noise] * 3, [edge, edge, noise]))
    assert passed and "2/3" in reason  # vanilla is not gated; confidence is not asked
    for bad in (run(150.0), run(20.0, classes=7)):
        passed, reason = dragan_mnist.mnist_gate(_mnist([edge] * 3, [edge, bad, noise]))
        assert not passed and "1/3" in reason, reason
    # No finite samples at any checkpoint: not learned.
    empty = dict(_mnist_run([]), learned={})
    passed, reason = dragan_mnist.mnist_gate(_mnist([edge] * 3, [empty, edge, noise]))
    assert not passed and "no finite samples" in reason
    # A DRAGAN seed that learned, then diverged, passes: its divergence is an event for (b).
    assert dragan_mnist.mnist_gate(_mnist([edge] * 3, [run(20.0, diverged=True), edge,
                                                        noise]))[0]


def test_mnist_config_is_the_authors_notebook():
    d = config_lib.from_file("configs/dragan_mnist.py:dragan")
    assert (d.model.g_depth, d.model.g_width, d.model.d_width, d.model.latent_dim) == (
        1, 128, 128, 100)
    assert (d.train.batch_size, d.train.d_learning_rate, d.train.beta1, d.train.beta2) == (
        128, 1e-4, 0.5, 0.9)
    # The notebook's lambda 10 on [0, 1] inputs is 4 x 10 on our [-1, 1] (centre: a named
    # deviation); the tracked penalty is on the notebook's own scale.
    assert (d.penalty.name, d.penalty.lam, d.penalty.c, d.loss) == (
        "dragan", 40.0, 0.5, "non_saturating")
    assert d.model.g_output == "tanh"
    v = config_lib.from_file("configs/dragan_mnist.py:none")
    assert v.penalty.name == "none"
    claim = config_lib.from_file("configs/dragan_mnist.py:claim")
    # The penalty as the notebook prints it (before its lambda), at its [0, 1] inputs; the
    # notebook's length, range(1, 200000), to its last evaluation (every 1,000).
    assert (claim.tracked_lam, claim.tracked_input_scale) == (1.0, 2.0)
    assert claim.num_steps == (200000 - 1) // 1000 * 1000 and claim.eval_every == 1000
    # A checkpoint at every evaluation, none rotated out before it is scored.
    assert d.train.checkpoint_every == claim.eval_every
    assert d.train.max_checkpoints >= claim.num_steps // claim.eval_every
    with pytest.raises(ValueError, match="dragan"):
        config_lib.from_file("configs/dragan_mnist.py:wgan_gp")


def test_swissroll_data_is_sklearns_as_the_toy_code_draws_it():
    # The improved-WGAN toy code: make_swiss_roll(noise=0.25), coordinates 0 and 2, / 7.5.
    # Ours against that (independent draws): within the two-sample W1 floor (0.07-0.12 at 1,000
    # points); a wrong projection (coordinates 0 and 1) or scale is far off.
    from sklearn.datasets import make_swiss_roll
    from tfgan_reg.data import toy
    from tfgan_reg.eval import lowdim
    ours = np.asarray(toy.sample("swissroll", 1000, 3))
    theirs = make_swiss_roll(n_samples=1000, noise=0.25, random_state=0)[0]
    assert lowdim.wasserstein1(ours, theirs[:, [0, 2]] / 7.5) < 0.2  # 0.14 here
    assert lowdim.wasserstein1(ours, theirs[:, [0, 1]] / 7.5) > 1.0  # 1.43
    assert lowdim.wasserstein1(ours, theirs[:, [0, 2]] / 5.0) > 0.4  # 0.65
