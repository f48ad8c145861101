"""Every penalty against closed forms (docs/METHODS.md section 2) on discriminators whose input
gradient is known: linear `D(x) = w.x + b` (gradient w) and quadratic `D(x) = x^T M x / 2`
(gradient M x), on inputs of shape [B, 2, 3] so the per-sample norm spans every dimension."""
import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgan_reg import penalties, rng, stabilizers
from test_losses import LD, TABLE

B, SHAPE = 6, (2, 3)
D_IN = 6


def _data(seed=0):
    g = np.random.default_rng(seed)
    return (g.normal(size=(B,) + SHAPE).astype(np.float32),
            g.normal(size=(B,) + SHAPE).astype(np.float32))


class Quadratic:
    """`D(x) = x^T M x / 2` over the flattened sample; its input gradient is `M x`."""

    def __init__(self, seed=0):
        a = np.random.default_rng(seed).normal(size=(D_IN, D_IN)) / 3
        self.m = (a + a.T).astype(np.float32)

    def __call__(self, x, training=False):
        flat = tf.reshape(x, [-1, D_IN])
        return 0.5 * tf.reduce_sum(flat * tf.matmul(flat, self.m), 1, keepdims=True)

    def value(self, x):
        flat = x.reshape(len(x), D_IN).astype(np.float64)
        return 0.5 * np.einsum("bi,ij,bj->b", flat, self.m, flat)

    def grad_norm_sq(self, x):
        flat = x.reshape(len(x), D_IN).astype(np.float64)
        return np.sum((flat @ self.m) ** 2, 1)


def _linear(w, b=0.3):
    model = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.layers[-1].set_weights([np.reshape(w, (D_IN, 1)).astype(np.float32),
                                  np.array([b], np.float32)])
    return model


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


@pytest.fixture
def fixed_draws(monkeypatch):
    """Replaces the random draws with known arrays: e / a per sample, u elementwise."""
    draws = {"per_sample": np.linspace(0.05, 0.95, B).astype(np.float32),
             "elementwise": np.random.default_rng(7).uniform(size=(B,) + SHAPE)
             .astype(np.float32)}
    monkeypatch.setattr(penalties, "_per_sample_uniform",
                        lambda seed, x: tf.reshape(draws["per_sample"], [-1, 1, 1]))
    monkeypatch.setattr(penalties.rng, "like", lambda kind, seed, x: draws["elementwise"])
    return draws


def test_quadratic_closed_forms(fixed_draws):
    d = Quadratic()
    real, fake = _data()
    e = fixed_draws["per_sample"].reshape(-1, 1, 1).astype(np.float64)
    u = fixed_draws["elementwise"].astype(np.float64)
    x_hat = e * real + (1 - e) * fake
    c = 0.5
    x_drag = real + e * c * np.std(real.astype(np.float64)) * u  # a = e here (same fixture)
    norm = lambda x: np.sqrt(d.grad_norm_sq(x))
    gamma, lam = 3.0, 7.0
    want = {
        "r1": gamma / 2 * np.mean(d.grad_norm_sq(real)),
        "r2": gamma / 2 * np.mean(d.grad_norm_sq(fake)),
        "zero_gp": lam * np.mean(d.grad_norm_sq(x_hat)),
        "zero_gp_sample": lam * np.mean(np.concatenate([d.grad_norm_sq(real),
                                                        d.grad_norm_sq(fake)])),
        "wgan_gp": lam * np.mean((norm(x_hat) - 1) ** 2),
        "dragan": lam * np.mean((norm(x_drag) - 1) ** 2),
        "roth_js": gamma / 2 * (np.mean(_sigmoid(-d.value(real)) ** 2 * d.grad_norm_sq(real))
                                + np.mean(_sigmoid(d.value(fake)) ** 2 * d.grad_norm_sq(fake))),
    }
    for name, value in want.items():
        kw = {penalties.WEIGHT_KEYWORD[name]: gamma if name in ("r1", "r2", "roth_js") else lam}
        got = penalties.get(name)(d, tf.constant(real), tf.constant(fake), seed=1, **kw)
        np.testing.assert_allclose(float(got), value, rtol=2e-5, err_msg=name)
    # Per-sample norms: the mean of squared norms differs from the squared norm of the mean.
    assert abs(want["wgan_gp"] - lam * (np.linalg.norm(
        (x_hat.reshape(B, -1) @ d.m).mean(0)) - 1) ** 2) > 1e-2


@pytest.mark.parametrize("divergence", sorted(TABLE))
def test_roth_f_against_conjugate_second_derivative(divergence):
    """`(gamma/2) E f*''(T) ||grad T||^2`, `T = g_f(v)`, `grad T = g_f'(v) grad v`."""
    d = Quadratic(1)
    _, fake = _data(2)
    v = LD(d.value(fake))
    ref = TABLE[divergence]
    weight = np.asarray(ref["fdd"](ref["g"](v)) * ref["dg"](v) ** 2, np.float64)
    want = 0.5 * 2.0 * np.mean(weight * d.grad_norm_sq(fake))
    got = penalties.roth_f(d, tf.constant(fake), tf.constant(fake), gamma=2.0,
                           divergence=divergence)
    np.testing.assert_allclose(float(got), want, rtol=2e-5, atol=1e-7)
    if divergence == "total_variation":
        assert float(got) == 0.0


def test_gradients_in_discriminator_weights_are_closed_form():
    """Double backprop: for `D = w.x + b`, R1 = (gamma/2)|w|^2 has gradient gamma w, and
    WGAN-GP = lam (|w| - 1)^2 has gradient 2 lam (|w| - 1) w / |w|; l2 sums every weight."""
    w = np.random.default_rng(3).normal(size=D_IN)
    d = _linear(w, b=0.3)
    real, fake = map(tf.constant, _data())
    nw = np.linalg.norm(w)
    cases = {
        "r1": (dict(gamma=4.0), 2.0 * nw**2, 4.0 * w),
        "r2": (dict(gamma=4.0), 2.0 * nw**2, 4.0 * w),
        "zero_gp": (dict(lam=5.0), 5.0 * nw**2, 10.0 * w),
        "wgan_gp": (dict(lam=5.0), 5.0 * (nw - 1) ** 2, 10.0 * (nw - 1) * w / nw),
        "dragan": (dict(lam=5.0), 5.0 * (nw - 1) ** 2, 10.0 * (nw - 1) * w / nw),
        # A target t: lam (|w| - t)^2, gradient 2 lam (|w| - t) w / |w|.
        "wgan_gp@3": (dict(lam=5.0, target=3.0), 5.0 * (nw - 3) ** 2,
                      10.0 * (nw - 3) * w / nw),
        "dragan@0.5": (dict(lam=5.0, target=0.5), 5.0 * (nw - 0.5) ** 2,
                       10.0 * (nw - 0.5) * w / nw),
        "l2": (dict(lam=0.1), 0.1 * (nw**2 + 0.09), 0.2 * w),
    }
    for name, (kw, value, grad_w) in cases.items():
        with tf.GradientTape() as tape:
            got = penalties.get(name.partition("@")[0])(d, real, fake, seed=5, **kw)
        gw, gb = tape.gradient(got, d.trainable_variables)
        np.testing.assert_allclose(float(got), value, rtol=1e-5, err_msg=name)
        np.testing.assert_allclose(gw.numpy().ravel(), grad_w, rtol=1e-4, atol=1e-6,
                                   err_msg=name)
        gb = np.zeros(1) if gb is None else gb.numpy()  # None: b does not enter the penalty
        np.testing.assert_allclose(gb, [0.6 * kw.get("lam", 0) if name == "l2" else 0],
                                   atol=1e-6, err_msg=name)


def test_no_nan_where_the_input_gradient_is_zero():
    d = _linear(np.zeros(D_IN), b=0.0)
    real, fake = map(tf.constant, _data())
    for name in penalties.names():
        kw = {"divergence": "gan"} if name == "roth_f" else {}
        with tf.GradientTape() as tape:
            value = penalties.get(name)(d, real, fake, seed=0, **kw)
        grads = tape.gradient(value, d.trainable_variables)
        assert np.isfinite(float(value)), name
        assert all(np.isfinite(g.numpy()).all() for g in grads if g is not None), name
    # The 1-centred penalties are lam * (0 - 1)^2 there.
    assert float(penalties.wgan_gp(d, real, fake, lam=10.0, seed=0)) == pytest.approx(10.0)


def test_safe_norm_value_and_derivative():
    x = tf.constant([0.0, 4.0, 1e-30])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = penalties.safe_norm(x)
    np.testing.assert_allclose(y.numpy(), [0.0, 2.0, 1e-15], rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0.0, 0.25, 0.5e15], rtol=1e-6)


def test_random_points_lie_where_the_papers_put_them():
    real, fake = map(tf.constant, _data())
    seed = rng.as_seed(11)
    x_hat = penalties._interpolate(real, fake, seed).numpy()
    # x^ - x~ = e (x - x~) with one e in [0, 1] per sample.
    ratio = (x_hat - fake.numpy()) / (real.numpy() - fake.numpy())
    e = ratio.reshape(B, -1)
    np.testing.assert_allclose(e, e[:, :1] * np.ones_like(e), rtol=1e-4, atol=1e-5)
    assert np.all((e[:, 0] >= 0) & (e[:, 0] <= 1)) and len(set(np.round(e[:, 0], 6))) == B
    np.testing.assert_array_equal(x_hat, penalties._interpolate(real, fake, seed).numpy())
    assert not np.allclose(x_hat, penalties._interpolate(real, fake, rng.as_seed(12)).numpy())
    # DRAGAN: 0 <= (x^ - x) / (C std(batch)) < 1 elementwise, std over the whole batch.
    pts = penalties.dragan_points(real, seed, c=0.5).numpy()
    scaled = (pts - real.numpy()) / (0.5 * np.std(real.numpy()))
    assert scaled.min() >= 0 and scaled.max() < 1 and scaled.std() > 0.05


def test_penalties_agree_in_eager_function_and_xla():
    d = _linear(np.random.default_rng(4).normal(size=D_IN))
    real, fake = map(tf.constant, _data())
    for name in penalties.names():
        kw = {"divergence": "jensen_shannon"} if name == "roth_f" else {}
        fn = lambda: penalties.get(name)(d, real, fake, seed=tf.constant([3, 4]), **kw)
        eager = float(fn())
        for jit in (False, True):
            got = float(tf.function(fn, jit_compile=jit)())
            np.testing.assert_allclose(got, eager, rtol=1e-5, err_msg=f"{name} jit={jit}")


def test_penalty_errors():
    d, (real, fake) = Quadratic(), map(tf.constant, _data())
    with pytest.raises(ValueError, match=r"`penalty` must be one of \[.*'r1'.*\]. "
                                         r"Received: penalty='r3'"):
        penalties.get("r3")
    with pytest.raises(ValueError, match=r"Received: gamma=-1.0"):
        penalties.r1(d, real, fake, gamma=-1.0)
    with pytest.raises(ValueError, match=r"Received: lam=nan"):
        penalties.wgan_gp(d, real, fake, lam=float("nan"))
    with pytest.raises(ValueError, match=r"`divergence` must be one of \[.*'kl'.*\]. "
                                         r"Received: divergence='wasserstein'"):
        penalties.roth_f(d, real, fake, divergence="wasserstein")


def test_weights_must_be_finite():
    d, (real, fake) = Quadratic(), map(tf.constant, _data())
    for name in ("r1", "wgan_gp", "dragan", "zero_gp", "roth_js", "l2"):
        keyword, _ = penalties.default_weight(name)
        with pytest.raises(ValueError, match=rf"`{keyword}` must be a non-negative finite "
                                             rf"number. Received: {keyword}=inf"):
            penalties.get(name)(d, real, fake, **{keyword: float("inf")})


def test_configure_owns_the_weight_keyword_schedule_and_loss_requirement():
    d, (real, fake) = Quadratic(), map(tf.constant, _data())
    seed = rng.as_seed(3)
    # The configured penalty at step t is the function with the scheduled weight at t.
    p = penalties.configure("r1", gamma=2.0, schedule="anneal", alpha=0.01, total_steps=10)
    assert (p.name, p.weight_keyword) == ("r1", "gamma")
    for t in (0, 5, 10):
        want = penalties.r1(d, real, fake, gamma=2.0 * 0.01 ** (t / 10))
        np.testing.assert_allclose(p(d, real, fake, tf.constant(t), seed), want, rtol=1e-5)
    # Absent weight: the function's default; other keywords pass through (DRAGAN's c).
    p = penalties.configure("dragan", c=0.25)
    want = penalties.dragan(d, real, fake, lam=10.0, c=0.25, seed=seed)
    np.testing.assert_allclose(p(d, real, fake, tf.constant(0), seed), want, rtol=1e-6)
    assert penalties.default_weight("wgan_gp") == ("lam", 10.0)
    assert penalties.keywords("dragan") == ["alpha", "c", "lam", "schedule", "target"]
    with pytest.raises(ValueError, match=r"^Penalty 'r1' takes keywords \['alpha', 'gamma', "
                                         r"'schedule'\] \(its weight is `gamma`\). Received: "
                                         r"penalty.lam=1.0$"):
        penalties.configure("r1", prefix="penalty.", lam=1.0)
    with pytest.raises(ValueError, match=r"`penalty.gamma` must be a non-negative finite number"):
        penalties.configure("r1", prefix="penalty.", gamma=-1.0)
    with pytest.raises(ValueError, match=r"`penalty.schedule` must be one of"):
        penalties.configure("r1", prefix="penalty.", schedule="cosine")
    with pytest.raises(ValueError, match=r"needs an f-divergence loss.*Received: loss='hinge'"):
        penalties.configure("roth_f", loss="hinge")
    p = penalties.configure("roth_f", loss="kl", gamma=0.5)
    np.testing.assert_allclose(p(d, real, fake, tf.constant(0), seed),
                               penalties.roth_f(d, real, fake, gamma=0.5, divergence="kl"),
                               rtol=1e-6)


# ---- other stabilisers ------------------------------------------------------------------------

def test_instance_noise_statistics():
    x = tf.fill([20000, 3], 2.0)
    noisy = stabilizers.instance_noise(x, sigma=0.5, seed=rng.as_seed(1)).numpy() - 2.0
    assert abs(noisy.mean()) < 0.01 and noisy.std() == pytest.approx(0.5, rel=0.01)
    assert abs(np.corrcoef(noisy[:, 0], noisy[:, 1])[0, 1]) < 0.03


def test_explicit_noise_keeps_m_over_nsr_samples_with_nsr_draws_each():
    x = tf.constant(np.arange(8, dtype=np.float32).reshape(8, 1) * 10)
    out = stabilizers.explicit_noise(x, sigma=0.1, nsr=4, seed=rng.as_seed(2)).numpy()
    base = np.repeat([[0.0], [40.0]], 4, 0)  # the first sample of each group of 4
    noise = out - base
    assert np.abs(noise).max() < 1.0 and len(np.unique(np.round(noise, 6))) == 8
    # Groups are global sample indices: two halves of the batch (two replicas' local batches)
    # give the same rows as the whole.
    halves = [stabilizers.explicit_noise(x[k:k + 4], sigma=0.0, nsr=2, seed=rng.as_seed(2))
              for k in (0, 4)]
    whole = stabilizers.explicit_noise(x, sigma=0.0, nsr=2, seed=rng.as_seed(2))
    np.testing.assert_array_equal(np.concatenate(halves), whole)
    np.testing.assert_array_equal(whole[:, 0], [0, 0, 20, 20, 40, 40, 60, 60])
    with pytest.raises(ValueError, match="divisible by `nsr`.*batch size 8, nsr=3"):
        stabilizers.explicit_noise(x, sigma=0.1, nsr=3, seed=rng.as_seed(2))


def test_clip_weights():
    v = tf.Variable([-1.0, -0.005, 0.02])
    stabilizers.clip_weights([v], c=0.01)
    np.testing.assert_allclose(v.numpy(), [-0.01, -0.005, 0.01])
    with pytest.raises(ValueError, match="Received: c=0"):
        stabilizers.clip_weights([v], c=0)


def test_consensus_gradient_on_bilinear_game():
    """For f(x, y) = x y, v = (y, -x) (D ascends), so ConOpt's gamma/2 |v|^2 has gradient
    gamma (x, y) in (x, y)."""
    x, y = tf.Variable(0.7), tf.Variable(-1.3)
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape(persistent=True) as inner:
            f = x * y
            minus_f = -f
        v = [inner.gradient(f, x), inner.gradient(minus_f, y)]
        reg = penalties.consensus(v, gamma=3.0)
    np.testing.assert_allclose(float(reg), 1.5 * (0.7**2 + 1.3**2), rtol=1e-6)
    np.testing.assert_allclose([float(outer.gradient(reg, x)), float(outer.gradient(reg, y))],
                               [3.0 * 0.7, -3.0 * 1.3], rtol=1e-6)


def test_a_penalty_on_rescaled_inputs_is_the_same_penalty_with_lam_and_target_rescaled():
    """Inputs x' = s x + t: D'(x') = D(x) has input gradients 1/s times D's, so
    lam (|grad D| - 1)^2 = lam s^2 (|grad D'| - 1/s)^2 (the DRAGAN notebook's [0, 1] inputs
    on [-1, 1]: s = 2, lam 10 -> 40, target 1 -> 0.5)."""
    w = np.random.default_rng(7).normal(size=D_IN)
    real, fake = map(tf.constant, _data())
    s_, t_ = 2.0, -1.0
    d = _linear(w)                        # D on x
    d_scaled = _linear(w / s_)            # D' on x' = s x + t (up to a constant)
    for name in ("wgan_gp", "dragan"):
        kw = {"c": 0.0} if name == "dragan" else {}  # DRAGAN at the data: same points
        theirs = penalties.get(name)(d, real, fake, lam=10.0, seed=3, **kw)
        ours = penalties.get(name)(d_scaled, s_ * real + t_, s_ * fake + t_, lam=40.0,
                                   target=0.5, seed=3, **kw)
        np.testing.assert_allclose(float(ours), float(theirs), rtol=1e-5, err_msg=name)


def test_target_is_a_configurable_keyword_and_checked():
    assert "target" in penalties.keywords("wgan_gp")
    assert "target" in penalties.keywords("dragan")
    p = penalties.configure("wgan_gp", lam=1.0, target=5.0)
    assert p.kwargs["target"] == 5.0
    d = _linear(np.ones(D_IN))
    real, fake = map(tf.constant, _data())
    with pytest.raises(ValueError, match="`target` must be"):
        penalties.wgan_gp(d, real, fake, target=-1.0)

