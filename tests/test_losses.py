"""Every loss against closed forms (docs/METHODS.md section 1), including logits of +-1e4.

The references are the table's formulas evaluated in numpy extended precision (`longdouble`,
exponent range ~1e4932), so exp(1e4) is representable there; a float32 result must equal the
reference rounded to float32 (inf exactly where the true value exceeds float32's range).
"""
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import losses

LD = np.longdouble
LOGITS = np.array([-1e4, -100.0, -20.0, -3.0, -0.5, 0.0, 0.5, 3.0, 20.0, 100.0, 1e4],
                  np.float32)
F_NAMES = ["kl", "reverse_kl", "pearson", "squared_hellinger", "total_variation",
           "jensen_shannon", "gan"]


def _softplus(v):
    v = np.asarray(v, LD)
    return np.maximum(v, 0) + np.log1p(np.exp(-np.abs(v)))


def _sigmoid(v):
    v = np.asarray(v, LD)
    return np.where(v >= 0, 1 / (1 + np.exp(-v)), np.exp(v) / (1 + np.exp(v)))


# The table of docs/METHODS.md section 1: g_f(v), f*(t), f*''(t), and g_f'(v) (differentiated by
# hand from g_f). expm1/log1p keep the extended-precision reference accurate near 0.
TABLE = {
    "kl": dict(g=lambda v: v, f=lambda t: np.exp(t - 1), fdd=lambda t: np.exp(t - 1),
               dg=lambda v: np.ones_like(v)),
    "reverse_kl": dict(g=lambda v: -np.exp(-v), f=lambda t: -1 - np.log(-t),
                       fdd=lambda t: 1 / t**2, dg=lambda v: np.exp(-v)),
    "pearson": dict(g=lambda v: v, f=lambda t: t**2 / 4 + t, fdd=lambda t: 0 * t + LD(0.5),
                    dg=lambda v: np.ones_like(v)),
    "squared_hellinger": dict(g=lambda v: -np.expm1(-v), f=lambda t: t / (1 - t),
                              fdd=lambda t: 2 / (1 - t)**3, dg=lambda v: np.exp(-v)),
    "total_variation": dict(g=lambda v: np.tanh(v) / 2, f=lambda t: t, fdd=lambda t: 0 * t,
                            dg=lambda v: (1 - np.tanh(v)**2) / 2),
    "jensen_shannon": dict(g=lambda v: np.log(LD(2)) - _softplus(-v),
                           f=lambda t: -np.log(2 - np.exp(t)),
                           fdd=lambda t: 2 * np.exp(t) / (2 - np.exp(t))**2,
                           dg=lambda v: _sigmoid(-v),
                           # f*(g(v)) with exp(g(v)) = 2 exp(-softplus(-v)) written out, so
                           # 2 - exp(g) does not cancel in the reference itself.
                           f_of_g=lambda v: -np.log(-2 * np.expm1(-_softplus(-v)))),
    "gan": dict(g=lambda v: -_softplus(-v), f=lambda t: -np.log(-np.expm1(t)),
                fdd=lambda t: np.exp(t) / np.expm1(t)**2, dg=lambda v: _sigmoid(-v)),
}


def _f32(x):
    with np.errstate(over="ignore"):
        return np.asarray(x, LD).astype(np.float32)


def _close(got, want, rtol=2e-6, atol=1e-30):
    got, want = np.asarray(got, np.float32), _f32(want)
    assert not np.any(np.isnan(got)), got
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_array_equal(np.sign(got[np.isinf(got)]), np.sign(want[np.isinf(want)]))
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=rtol, atol=atol)


# ---- standard objectives ---------------------------------------------------------------------

def _value_and_grads(fn, *args):
    args = [tf.constant(a) for a in args]
    with tf.GradientTape() as tape:
        tape.watch(args)
        value = fn(*args)
    return value.numpy(), [g.numpy() for g in tape.gradient(value, args)]


def test_standard_losses_closed_forms():
    r, f = LOGITS, LOGITS[::-1].copy()
    n = len(r)
    log_sig = lambda v: -_softplus(-v)             # log sigma(v)
    log_one_minus_sig = lambda v: -_softplus(v)    # log(1 - sigma(v))
    cases = {
        # name: (D loss, dD/dr, dD/df, G loss, dG/df)
        "minimax": (-np.mean(log_sig(r)) - np.mean(log_one_minus_sig(f)),
                    -_sigmoid(-r) / n, _sigmoid(f) / n,
                    np.mean(log_one_minus_sig(f)), -_sigmoid(f) / n),
        "non_saturating": (-np.mean(log_sig(r)) - np.mean(log_one_minus_sig(f)),
                           -_sigmoid(-r) / n, _sigmoid(f) / n,
                           -np.mean(log_sig(f)), -_sigmoid(-f) / n),
        "wasserstein": (np.mean(LD(f)) - np.mean(LD(r)), -np.ones(n) / n, np.ones(n) / n,
                        -np.mean(LD(f)), -np.ones(n) / n),
        "hinge": (np.mean(np.maximum(0, 1 - LD(r))) + np.mean(np.maximum(0, 1 + LD(f))),
                  -(r < 1).astype(float) / n, (f > -1).astype(float) / n, -np.mean(LD(f)), -np.ones(n) / n),
    }
    for name, (d, d_r, d_f, g, g_f) in cases.items():
        loss = losses.get(name)
        value, (gr, gf) = _value_and_grads(loss.discriminator, r, f)
        _close(value, d, rtol=1e-6)
        _close(gr, d_r, atol=1e-9)
        _close(gf, d_f, atol=1e-9)
        value, (gg,) = _value_and_grads(loss.generator, f)
        _close(value, g, rtol=1e-6)
        _close(gg, g_f, atol=1e-9)


# ---- f-GAN family ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", F_NAMES)
def test_f_divergence_activation_and_conjugate_of_logit(name):
    f, ref = losses.get(name), TABLE[name]
    v = LD(LOGITS)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        _close(f.activation(tf.constant(LOGITS)), ref["g"](v))
        want = ref["f_of_g"](v) if "f_of_g" in ref else ref["f"](ref["g"](v))
        _close(f.conjugate_of_logit(tf.constant(LOGITS)), want, rtol=1e-5)


@pytest.mark.parametrize("name", F_NAMES)
def test_f_divergence_conjugate_and_its_second_derivative(name):
    """`f*` and `f*''` on the activation's range, in float64, against the table and against a
    finite-difference second derivative of the table's `f*`."""
    f, ref = losses.get(name), TABLE[name]
    t = np.asarray(ref["g"](LD(np.linspace(-3, 3, 13))), np.float64)
    _close(f.conjugate(tf.constant(t)), ref["f"](LD(t)), rtol=1e-12, atol=1e-15)
    _close(f.conjugate_dd(tf.constant(t)), ref["fdd"](LD(t)), rtol=1e-12, atol=1e-300)
    h = LD(1e-4)
    fd = (ref["f"](LD(t) + h) - 2 * ref["f"](LD(t)) + ref["f"](LD(t) - h)) / h**2
    np.testing.assert_allclose(np.asarray(ref["fdd"](LD(t)), np.float64),
                               np.asarray(fd, np.float64), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("name", F_NAMES)
def test_roth_weight_is_conjugate_dd_times_squared_activation_slope(name):
    f, ref = losses.get(name), TABLE[name]
    v = LD(LOGITS)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        want = ref["fdd"](ref["g"](v)) * ref["dg"](v) ** 2
    # Where the naive product is inf * 0 or 0 / 0 in extended precision, fall back to the
    # closed-form limits (the weight is a smooth function of v).
    limits = {"kl": np.exp(v - 1), "reverse_kl": np.ones_like(v), "squared_hellinger": 2 * np.exp(v),
              "jensen_shannon": _sigmoid(v), "gan": _sigmoid(v)}
    if name in limits:
        want = np.where(np.isfinite(want), want, limits[name])
        moderate = np.abs(v) <= 20
        np.testing.assert_allclose(np.asarray(want[moderate], np.float64),
                                   np.asarray(limits[name][moderate], np.float64), rtol=1e-8)
    _close(f.roth_weight(tf.constant(LOGITS)), want, rtol=1e-5)


@pytest.mark.parametrize("name", F_NAMES)
def test_f_divergence_losses_and_gradients(name):
    f, ref = losses.get(name), TABLE[name]
    r = np.linspace(-4, 4, 9)
    q = np.linspace(-3, 5, 9)[::-1].copy()
    fstar_g = lambda v: ref["f"](ref["g"](LD(v)))
    d_want = -np.mean(ref["g"](LD(r))) + np.mean(fstar_g(q))
    g_want = -np.mean(fstar_g(q))
    alt_want = -np.mean(ref["g"](LD(q)))
    value, (gr, gq) = _value_and_grads(f.discriminator, r, q)
    _close(value, d_want, rtol=1e-12)
    h = 1e-5
    num = lambda fn, x: np.asarray((fn(LD(x) + h) - fn(LD(x) - h)) / (2 * h), np.float64)
    np.testing.assert_allclose(gr, -num(ref["g"], r) / len(r), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(gq, num(fstar_g, q) / len(q), rtol=1e-6, atol=1e-12)
    _close(f.generator(tf.constant(q)), g_want, rtol=1e-12)
    _close(f.generator_alternative(tf.constant(q)), alt_want, rtol=1e-12)


@pytest.mark.parametrize("name", losses.names())
def test_no_nan_values_or_gradients_at_extreme_logits(name):
    loss = losses.get(name)
    for r, q in [(LOGITS, LOGITS[::-1].copy()), (LOGITS[:1], LOGITS[-1:])]:
        value, grads = _value_and_grads(loss.discriminator, r, q)
        assert not np.isnan(value) and not any(np.isnan(g).any() for g in grads), (name, value)
        value, grads = _value_and_grads(loss.generator, q)
        assert not np.isnan(value) and not np.isnan(grads[0]).any(), (name, value)


def test_losses_compile_with_xla():
    r, q = tf.constant(LOGITS), tf.constant(LOGITS[::-1].copy())
    for name in losses.names():
        loss = losses.get(name)
        fn = tf.function(lambda a, b: (loss.discriminator(a, b), loss.generator(b)),
                         jit_compile=True)
        got = fn(r, q)
        want = (loss.discriminator(r, q), loss.generator(q))
        np.testing.assert_allclose([g.numpy() for g in got], [w.numpy() for w in want],
                                   rtol=1e-6)


def test_registry():
    assert set(losses.names()) == {"minimax", "non_saturating", "wasserstein", "hinge", *F_NAMES}
    assert set(losses.F_DIVERGENCES) == set(F_NAMES)
    assert losses.get("gan") is losses.gan
    with pytest.raises(ValueError, match=r"`loss` must be one of \[.*'wasserstein'\]\. "
                                         r"Received: loss='wgan'"):
        losses.get("wgan")
