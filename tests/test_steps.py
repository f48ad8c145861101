"""`tfgan_reg.steps` used alone (no `GAN`): what each step kind hands to `record`, the seed
chain it documents, and its updates, against closed forms of a linear G and a linear D.

G(z) = A z + c, D(x) = w.x + b, the non-saturating loss: D's loss is
mean softplus(-D(real)) + mean softplus(D(fake)), G's mean softplus(-D(G(z))); R1 of a linear D
is (gamma/2) ||w||^2 (grad_x D = w). The latents are drawn in numpy from the documented keys.
"""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import losses, optimizers, penalties, rng, steps

LATENT, DIM, BATCH, LR, SEED = 3, 2, 8, 0.05, 7


def _game(gamma=None):
    keras.utils.set_random_seed(0)
    g = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(DIM)])
    d = keras.Sequential([keras.Input((DIM,)), keras.layers.Dense(1)])
    g.layers[0].bias.assign([0.3, -0.2])
    d.layers[0].bias.assign([0.1])
    loss = losses.get("non_saturating")
    terms = [] if gamma is None else [penalties.configure("r1", gamma=gamma)]
    return steps.Game(g, d, latent_dim=LATENT, loss=loss, generator_loss=loss.generator,
                      penalties=terms)


def _weights(game):
    A, c = (np.asarray(v, np.float64) for v in game.generator.weights)
    w, b = (np.asarray(v, np.float64) for v in game.discriminator.weights)
    return A, c, w, b


def _softplus(v):
    return np.logaddexp(0.0, v)


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _latents(seed, *keys):
    """The latents of `rng.normal` at the seed `seed` folded with each key in turn (one
    `rng.fold` call per key, as the steps derive it), as float64."""
    for key in keys:
        seed = rng.fold(seed, key)
    return np.asarray(rng.normal(seed, BATCH, (LATENT,)), np.float64)


def _d_loss(A, c, w, b, real, z):
    return (np.mean(_softplus(-(real @ w + b))) + np.mean(_softplus(z @ A @ w + c @ w + b)))


def _real(n_disc=1):
    shape = (BATCH, DIM) if n_disc == 1 else (BATCH, n_disc, DIM)
    return np.random.default_rng(1).normal(size=shape).astype(np.float32) + 1.0


def _recorder():
    calls = []
    return calls, lambda terms, weights=None: calls.append(
        ({k: float(v) for k, v in terms.items()}, weights))


def test_alternating_records_each_discriminator_step_then_the_generator_step():
    """n_disc = 2: D step i draws latents at fold(seed, i, LATENT_D) and trains on real[:, i];
    the generator step draws at fold(seed, n_disc, LATENT_G), after both D updates."""
    game = _game(gamma=10.0)
    real = _real(n_disc=2)
    seed = rng.as_seed(SEED)
    calls, record = _recorder()
    A, c, w, b = _weights(game)
    expect_d = []
    for i in range(2):
        x = real[:, i].astype(np.float64)
        z = _latents(seed, i, rng.LATENT_D)
        expect_d.append(_d_loss(A, c, w, b, x, z))
        # The SGD step on D's loss + R1, written out.
        fake = z @ A + c
        gr, gf = -_sigmoid(-(x @ w + b)) / BATCH, _sigmoid(fake @ w + b) / BATCH
        w = w - LR * (x.T @ gr + fake.T @ gf + 10.0 * w)
        b = b - LR * (gr.sum(0) + gf.sum(0))
    z = _latents(seed, 2, rng.LATENT_G)
    expect_g = np.mean(_softplus(-((z @ A + c) @ w + b)))

    steps.alternating(game, keras.optimizers.SGD(LR), keras.optimizers.SGD(LR),
                      tf.constant(real), tf.constant(0, tf.int64), seed, record=record,
                      n_disc=2)
    assert [sorted(terms) for terms, _ in calls] == [["d_loss", "r1"]] * 2 + [["g_loss"]]
    for (terms, weights), want in zip(calls, expect_d):
        np.testing.assert_allclose(terms["d_loss"], want, rtol=1e-5)
        assert weights == {}  # no lazy step: every term counts
    np.testing.assert_allclose(calls[2][0]["g_loss"], expect_g, rtol=1e-5)
    np.testing.assert_allclose(_weights(game)[2], w, rtol=1e-5, atol=1e-6)


def test_discriminator_steps_count_and_a_frozen_generator():
    """`count=1` of n_disc = 3 makes one D update, on real[:, 0], and leaves G alone."""
    game = _game()
    real = _real(n_disc=3)
    d_opt = keras.optimizers.SGD(LR)
    A, c, w, b = _weights(game)
    calls, record = _recorder()
    steps.discriminator_steps(game, d_opt, tf.constant(real), tf.constant(0, tf.int64),
                              rng.as_seed(SEED), record=record, n_disc=3, count=1)
    assert len(calls) == 1 and int(d_opt.iterations) == 1
    x, z = real[:, 0].astype(np.float64), _latents(rng.as_seed(SEED), 0, rng.LATENT_D)
    fake = z @ A + c
    gr, gf = -_sigmoid(-(x @ w + b)) / BATCH, _sigmoid(fake @ w + b) / BATCH
    np.testing.assert_allclose(_weights(game)[2], w - LR * (x.T @ gr + fake.T @ gf),
                               rtol=1e-5, atol=1e-6)
    for got, before in zip(_weights(game)[:2], (A, c)):
        np.testing.assert_array_equal(got, before)


def test_joint_records_the_terms_before_the_update_then_cg_diagnostics():
    """One CGD update: `record` gets D's loss and R1 at the weights before the update, with
    g_loss = -(d_loss + r1) (the zero-sum f), latents at fold(seed, 1, LATENT_G), and CG's
    iterations and residual."""
    game = _game(gamma=1.0)
    real = _real()
    seed = rng.as_seed(SEED)
    A, c, w, b = _weights(game)
    d_loss = _d_loss(A, c, w, b, real.astype(np.float64), _latents(seed, 1, rng.LATENT_G))
    r1 = 0.5 * np.sum(w * w)
    calls, record = _recorder()
    steps.joint(game, optimizers.CGD(0.05, tol=1e-6), tf.constant(real),
                tf.constant(0, tf.int64), seed, record=record)
    [(terms, _)] = calls
    assert sorted(terms) == ["cg_iterations", "cg_residual", "d_loss", "g_loss", "r1"]
    np.testing.assert_allclose(terms["d_loss"], d_loss, rtol=1e-5)
    np.testing.assert_allclose(terms["r1"], r1, rtol=1e-5)
    np.testing.assert_allclose(terms["g_loss"], -(d_loss + r1), rtol=1e-5)
    assert terms["cg_iterations"] >= 1 and terms["cg_residual"] <= 1e-6
    moved = [np.abs(a - b).max() for a, b in zip(_weights(game), (A, c, w, b))]
    assert min(moved) > 1e-4  # both players moved


def test_discriminator_terms_scale_the_penalties_or_leave_them_out():
    game = _game(gamma=4.0)
    real = tf.constant(_real())
    fake = real * 0.5
    w = _weights(game)[2]
    args = (real, fake, tf.constant(0, tf.int64), rng.as_seed(SEED))
    total, terms, _ = game.discriminator_terms(*args, penalty_scale=3.0)
    np.testing.assert_allclose(terms["r1"], 3.0 * 2.0 * np.sum(w * w), rtol=1e-5)
    np.testing.assert_allclose(total, terms["d_loss"] + terms["r1"], rtol=1e-6)
    total, terms, _ = game.discriminator_terms(*args, penalty_scale=0.0)
    assert float(terms["r1"]) == 0.0 and float(total) == float(terms["d_loss"])


def test_evaluation_batch_takes_samples_or_a_training_element():
    x = tf.reshape(tf.range(24, dtype=tf.float32), [4, 3, DIM])
    flat = steps.evaluation_batch(x, (DIM,), n_disc=3)
    np.testing.assert_array_equal(flat.numpy(), x.numpy().reshape(12, DIM))
    np.testing.assert_array_equal(steps.evaluation_batch(x[:, 0], (DIM,), n_disc=3).numpy(),
                                  x[:, 0].numpy())  # samples pass as they are
    with pytest.raises(ValueError, match=r"shaped \[batch, \*\(2,\)\].*shape=\(4, 3, 2\)"):
        steps.evaluation_batch(x, (DIM,), n_disc=1)
    with pytest.raises(ValueError, match=r"n_disc=3.*\[batch, n_disc, \.\.\.\].*\(4, 2\)"):
        steps.training_element(x[:, 0], n_disc=3)


def test_update_ema_is_the_moving_average():
    ema = [tf.Variable([1.0, 2.0])]
    steps.update_ema(ema, [tf.constant([3.0, -2.0])], 0.75)
    np.testing.assert_allclose(ema[0].numpy(), [0.75 * 1 + 0.25 * 3, 0.75 * 2 - 0.25 * 2])
