"""`tfgan_reg.GAN`: one train_step equals a hand-written update of a linear G and a linear D.

Reference: G(z) = A z + c, D(x) = w.x + b, non-saturating loss, R1 (grad_x D = w, so the penalty
is (gamma/2) ||w||^2 and its gradient gamma w), plain SGD. The gradients are written out in
numpy below; the latents follow the documented keying of `tfgan_reg.rng`.
"""
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import GAN
from tfgan_reg import rng
from tfgan_reg import schedules

LATENT, DIM, BATCH, LR = 3, 2, 8, 0.05


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _models(seed=0):
    keras.utils.set_random_seed(seed)
    g = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(DIM)])
    d = keras.Sequential([keras.Input((DIM,)), keras.layers.Dense(1)])
    # Non-trivial biases so every gradient term is exercised.
    g.layers[0].bias.assign([0.3, -0.2])
    d.layers[0].bias.assign([0.1])
    return g, d


def _latents(seed, step, key, purpose):
    s = rng.fold(rng.fold(rng.as_seed(seed), step), key)
    return np.asarray(rng.normal(rng.fold(s, purpose), BATCH, (LATENT,)), np.float64)


def _d_grads(w, b, A, c, real, z, gamma):
    fake = z @ A + c
    dr, df = real @ w + b, fake @ w + b
    # d/dD softplus(-D) = -sigmoid(-D);  d/dD softplus(D) = sigmoid(D)
    gr, gf = -_sigmoid(-dr) / len(real), _sigmoid(df) / len(fake)
    gw = real.T @ gr + fake.T @ gf + gamma * w
    gb = gr.sum(0) + gf.sum(0)
    return gw, gb


def _g_grads(w, b, A, c, z):
    fake = z @ A + c
    gd = -_sigmoid(-(fake @ w + b)) / len(z)    # d/dD softplus(-D(G(z)))
    gx = gd @ w.T                               # dL/dfake, [B, DIM]
    return z.T @ gx, gx.sum(0)


def _weights(g, d):
    A, c = (np.asarray(v, np.float64) for v in g.layers[0].weights)
    w, b = (np.asarray(v, np.float64) for v in d.layers[0].weights)
    return A, c, w, b


def _reference(g, d, real_steps, *, scheme, n_disc, seed, gammas, every=1, r1_values=None):
    """Hand-written updates for len(real_steps) generator steps; returns the final weights.
    With `every` = k > 1 (lazy R1), D step j carries weight k * gamma when j % k == 0 and none
    otherwise; the (step, R1 value added) pairs are appended to `r1_values`."""
    A, c, w, b = _weights(g, d)
    for step, real in enumerate(real_steps):
        alone = n_disc - (1 if scheme == "simultaneous" else 0)
        for i in range(alone):
            gamma = gammas(step)
            if every > 1:
                gamma = every * gamma if (step * n_disc + i) % every == 0 else 0.0
                if gamma and r1_values is not None:
                    r1_values.append((step, 0.5 * gamma * float(np.sum(w * w))))  # grad D = w
            z = _latents(seed, step, i, rng.LATENT_D)
            x = real if n_disc == 1 else real[:, i]
            gw, gb = _d_grads(w, b, A, c, x, z, gamma)
            w, b = w - LR * gw, b - LR * gb
        z = _latents(seed, step, n_disc, rng.LATENT_G)
        if scheme == "simultaneous":
            gamma = gammas(step)
            x = real if n_disc == 1 else real[:, alone]
            gw, gb = _d_grads(w, b, A, c, x, z, gamma)
            gA, gc = _g_grads(w, b, A, c, z)
            w, b, A, c = w - LR * gw, b - LR * gb, A - LR * gA, c - LR * gc
        else:
            gA, gc = _g_grads(w, b, A, c, z)
            A, c = A - LR * gA, c - LR * gc
    return A, c, w, b


def _gan(g, d, *, scheme="alternating", n_disc=1, seed=7, gamma=10.0, mode="function",
         every=1):
    model = GAN(g, d, latent_dim=LATENT, loss="non_saturating",
                penalties={"r1": {"gamma": gamma}}, scheme=scheme, n_disc=n_disc, seed=seed,
                penalty_every=every)
    model.compile(d_optimizer=keras.optimizers.SGD(LR), g_optimizer=keras.optimizers.SGD(LR),
                  run_eagerly=(mode == "eager"), jit_compile=(mode == "xla"))
    return model


def _real(steps, n_disc, seed=1):
    r = np.random.default_rng(seed)
    shape = (BATCH, DIM) if n_disc == 1 else (BATCH, n_disc, DIM)
    return [r.normal(size=shape).astype(np.float32) + 1.0 for _ in range(steps)]


@pytest.mark.parametrize("scheme,n_disc,mode", [
    ("alternating", 1, "eager"), ("alternating", 1, "function"), ("alternating", 1, "xla"),
    ("alternating", 3, "function"), ("simultaneous", 1, "function"),
    ("simultaneous", 2, "xla")])
def test_train_step_matches_reference(scheme, n_disc, mode):
    g, d = _models()
    reals = _real(3, n_disc)
    expected = _reference(g, d, [r.astype(np.float64) for r in reals], scheme=scheme,
                          n_disc=n_disc, seed=7, gammas=lambda s: 10.0)
    model = _gan(g, d, scheme=scheme, n_disc=n_disc, mode=mode)
    for r in reals:
        model.train_on_batch(r)
    assert int(model.step_counter) == 3
    for got, want in zip(_weights(g, d), expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("n_disc,every,mode", [(1, 3, "function"), (2, 3, "xla"),
                                                 (2, 2, "eager")])
def test_lazy_r1_matches_reference(n_disc, every, mode):
    g, d = _models()
    reals = _real(5, n_disc)
    r1_values = []
    expected = _reference(g, d, [r.astype(np.float64) for r in reals], scheme="alternating",
                          n_disc=n_disc, seed=7, gammas=lambda s: 10.0, every=every,
                          r1_values=r1_values)
    model = _gan(g, d, n_disc=n_disc, mode=mode, every=every)
    logged = [model.train_on_batch(r, return_dict=True)["r1"] for r in reals]
    for got, want in zip(_weights(g, d), expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
    # Each step's r1 metric averages its D steps that applied R1, as added (every * gamma);
    # 0 when none did (train_on_batch resets the metrics).
    assert len(r1_values) == -(-5 * n_disc // every)
    for step, value in enumerate(logged):
        applied = [v for s, v in r1_values if s == step]
        np.testing.assert_allclose(value, np.mean(applied) if applied else 0.0, rtol=1e-5)
    # Lazy R1 ends elsewhere than R1 on every step: the test can tell them apart.
    eager_r1 = _reference(g, d, [r.astype(np.float64) for r in reals], scheme="alternating",
                          n_disc=n_disc, seed=7, gammas=lambda s: 10.0)
    assert not np.allclose(eager_r1[2], expected[2], atol=1e-4)


def test_lazy_penalty_bad_settings():
    g, d = _models()
    for bad in (0, 1.5, "2"):
        with pytest.raises(ValueError, match="penalty_every"):
            GAN(g, d, latent_dim=LATENT, penalty_every=bad)
    with pytest.raises(ValueError, match="scheme='alternating'"):
        GAN(g, d, latent_dim=LATENT, scheme="simultaneous", penalty_every=2)
    model = GAN(g, d, latent_dim=LATENT, penalties={"r1": {}}, penalty_every=4)
    with pytest.raises(ValueError, match="penalty_every=1"):
        model.compile(joint_optimizer="cgd")


def test_schedule_applied_per_step():
    g, d = _models()
    reals = _real(4, 1)
    schedule = schedules.make(2.0, "anneal", alpha=0.01, total_steps=4)
    expected = _reference(g, d, [r.astype(np.float64) for r in reals], scheme="alternating",
                          n_disc=1, seed=7, gammas=lambda s: 2.0 * 0.01 ** (s / 4))
    model = _gan(g, d, gamma=schedule)
    for r in reals:
        model.train_on_batch(r)
    for got, want in zip(_weights(g, d), expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
    # A constant weight would end elsewhere: the schedule matters in this test.
    g2, d2 = _models()
    constant = _gan(g2, d2, gamma=2.0)
    for r in reals:
        constant.train_on_batch(r)
    assert not np.allclose(_weights(g2, d2)[2], expected[2], atol=1e-6)


def test_n_disc_discriminator_steps_per_generator_step():
    g, d = _models()
    model = _gan(g, d, n_disc=3)
    model.d_optimizer.build(d.trainable_variables)
    model.g_optimizer.build(g.trainable_variables)
    for r in _real(2, 3):
        model.train_on_batch(r)
    assert int(model.d_optimizer.iterations) == 6
    assert int(model.g_optimizer.iterations) == 2
    with pytest.raises(ValueError, match=r"\[batch, n_disc, \.\.\.\]"):
        model.train_on_batch(np.zeros((BATCH, DIM), np.float32))


def test_same_seed_same_weights_and_other_seed_differs():
    reals = _real(3, 1)
    results = []
    for seed in (5, 5, 6):
        g, d = _models()
        model = _gan(g, d, seed=seed)
        for r in reals:
            model.train_on_batch(r)
        results.append(_weights(g, d))
    for a, b in zip(results[0], results[1]):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(results[0][0], results[2][0])


def test_trackers_report_every_term():
    g, d = _models()
    model = _gan(g, d)
    logs = model.train_on_batch(_real(1, 1)[0], return_dict=True)
    assert set(logs) == {"d_loss", "g_loss", "r1"}
    A, c, w, b = _weights(*_models())
    # R1 of a linear D is (gamma/2) ||w||^2 at the weights before the step.
    np.testing.assert_allclose(logs["r1"], 5.0 * np.sum(w ** 2), rtol=1e-5)


@pytest.mark.slow  # fast sibling: test_keras_model
def test_fit_with_callbacks_and_keras_files(tmp_path):
    g, d = _models()
    model = _gan(g, d)
    ds = tf.data.Dataset.from_tensor_slices(np.concatenate(_real(4, 1))).batch(BATCH)
    history = model.fit(ds, epochs=2, verbose=0,
                        callbacks=[keras.callbacks.CSVLogger(str(tmp_path / "log.csv"))])
    assert len(history.history["r1"]) == 2 and (tmp_path / "log.csv").exists()
    g.save(tmp_path / "g.keras")
    d.save(tmp_path / "d.keras")
    z = np.random.default_rng(0).normal(size=(4, LATENT)).astype(np.float32)
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "g.keras")(z), g(z),
                               rtol=1e-6)
    x = np.asarray(g(z))
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "d.keras")(x), d(x),
                               rtol=1e-6)


def test_bad_arguments():
    g, d = _models()
    with pytest.raises(ValueError, match="scheme"):
        GAN(g, d, latent_dim=LATENT, scheme="sometimes")
    with pytest.raises(ValueError, match="n_disc"):
        GAN(g, d, latent_dim=LATENT, n_disc=0)
    with pytest.raises(ValueError, match="f-divergence"):
        GAN(g, d, latent_dim=LATENT, loss="hinge", penalties={"roth_f": {}})
    with pytest.raises(ValueError, match="lam"):
        GAN(g, d, latent_dim=LATENT, penalties={"wgan_gp": {"gamma": 1.0}})
    with pytest.raises(ValueError, match="penalty"):
        GAN(g, d, latent_dim=LATENT, penalties={"r3": {}})


def test_ema_of_generator_weights(tmp_path):
    """After each generator step, ema = d ema + (1 - d) w, starting from the initial weights;
    `ema_generator()` samples with it and the checkpoint carries it."""
    from tfgan_reg import config_lib, runs
    g, d = _models()
    model = GAN(g, d, latent_dim=g.input_shape[-1], penalties={"r1": {"gamma": 1.0}},
                ema_decay=0.9, seed=2)
    model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    model.build_optimizers()
    want = [w.numpy().copy() for w in g.weights]
    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append([w.numpy().copy() for w in g.weights])

    real = np.random.default_rng(0).normal(size=(4 * 8, d.input_shape[-1])).astype(np.float32)
    model.fit(tf.data.Dataset.from_tensor_slices(real).batch(8), epochs=1, verbose=0,
              callbacks=[Record()])
    assert len(seen) == 4
    for weights in seen:
        want = [0.9 * e + 0.1 * w for e, w in zip(want, weights)]
    for got, expect in zip(model.ema_weights, want):
        np.testing.assert_allclose(got.numpy(), expect, rtol=1e-6, atol=1e-7)
    z = tf.ones([2, g.input_shape[-1]])
    manual = keras.models.clone_model(g)
    manual.set_weights(want)
    np.testing.assert_allclose(model.ema_generator()(z).numpy(), manual(z).numpy(), rtol=1e-5)
    assert not np.allclose(model.ema_generator()(z).numpy(), g(z).numpy())
    with pytest.raises(ValueError, match=r"`ema_decay` must be in \(0, 1\) \(None: off\)"):
        GAN(g, d, latent_dim=1, ema_decay=1.0)

    config = config_lib.base_config()
    config.train.ema_decay = 0.99
    built = runs.build_gan(config)
    ckpt = runs.make_checkpoint(built)
    built.ema_weights[0].assign(built.ema_weights[0] + 1.0)
    path = ckpt.save(str(tmp_path / "c"))
    other = runs.build_gan(config)
    runs.make_checkpoint(other).restore(path).assert_consumed()
    np.testing.assert_array_equal(other.ema_weights[0].numpy(), built.ema_weights[0].numpy())
    config.train.ema_decay = 1.0
    with pytest.raises(ValueError, match=r"Received: train.ema_decay=1.0"):
        config_lib.validate(config)


def test_scalar_seed_tensor_splits_like_a_python_int():
    # Exported samplers take the seed as a tensor; it must key the draws a Python int does.
    for s in (0, 7, 2**31 + 5, 2**40 + 3):
        expected = [s & 0x7FFFFFFF, (s >> 31) & 0x7FFFFFFF]
        np.testing.assert_array_equal(rng.as_seed(s).numpy(), expected)
        np.testing.assert_array_equal(rng.as_seed(tf.constant(s, tf.int64)).numpy(), expected)
    pair = tf.constant([3, 4], tf.int32)
    np.testing.assert_array_equal(rng.as_seed(pair).numpy(), [3, 4])
