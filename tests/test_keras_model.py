"""`tfgan_reg.GAN` as a Keras citizen: config, `.keras` / `.weights.h5` files, Keras callbacks,
`evaluate`, `predict`, and the batch-norm warning.

References are independent of the code under test: an uninterrupted `fit` for every resume
(weights, optimiser slots, step and EMA compared to 1e-6), and the loss and penalty functions
called directly for `evaluate`'s numbers.
"""
import csv
import glob
import json
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import GAN
from tfgan_reg import losses
from tfgan_reg import penalties
from tfgan_reg import rng
from tfgan_reg import schedules
from tfgan_reg.gan import TerminateOnNonFinite

LATENT, DIM, BATCH, STEPS = 3, 2, 8, 4  # STEPS batches per epoch


def _players(seed=0, d_norm=None):
    keras.utils.set_random_seed(seed)
    g = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(8, activation="tanh"),
                          keras.layers.Dense(DIM)])
    d_layers = [keras.Input((DIM,)), keras.layers.Dense(8)]
    if d_norm is not None:
        d_layers.append(d_norm)
    d_layers += [keras.layers.Activation("tanh"), keras.layers.Dense(1)]
    return g, keras.Sequential(d_layers)


SETUPS = {
    # An annealed R1 weight (a Keras ExponentialDecay) with an EMA generator.
    "schedule": dict(penalties={"r1": {"gamma": schedules.anneal(2.0, 0.1, 3 * STEPS)}},
                     ema_decay=0.8),
    # Lazy regularisation (every 3rd D step, weight x3), two penalties, EMA.
    "lazy": dict(penalties={"wgan_gp": {"lam": 1.0}, "r1": {"gamma": 0.5}}, penalty_every=3,
                 ema_decay=0.8),
}


def _gan(setup="schedule", seed=0):
    g, d = _players(seed)
    model = GAN(g, d, latent_dim=LATENT, seed=3, **SETUPS[setup])
    model.compile(d_optimizer=keras.optimizers.Adam(1e-2),
                  g_optimizer=keras.optimizers.Adam(2e-2, beta_1=0.5))
    return model


def _data():
    real = np.random.default_rng(0).normal(size=(STEPS * BATCH, DIM)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices((real + [1.0, -0.5]).astype(np.float32)).batch(BATCH)


def _state(model):
    """Every number a continued run depends on: networks, step, EMA (model.weights), both
    optimisers' iterations, learning rates and slots."""
    return [np.asarray(v) for v in model.weights + model.d_optimizer.variables
            + model.g_optimizer.variables]


def _assert_same_state(got, want):
    got, want = _state(got), _state(want)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def _uninterrupted(setup, epochs):
    model = _gan(setup)
    model.fit(_data(), epochs=epochs, verbose=0)
    return model


class RaiseAt(keras.callbacks.Callback):
    """Interrupts `fit` after batch `batch` of epoch `epoch`."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise KeyboardInterrupt(f"simulated kill at epoch {self.epoch} batch {batch}")


def test_config_round_trip_and_unsaveable_arguments():
    g, d = _players()
    noise = schedules.anneal(0.1, 0.5, 10)
    model = GAN(g, d, latent_dim=LATENT, loss="kl", generator_loss="alternative",
                penalties={"roth_f": {"gamma": schedules.anneal(2.0, 0.01, 100)},
                           "dragan": {"lam": 3.0, "c": 0.25}},
                scheme="simultaneous", n_disc=2, seed=11, noise_sigma=noise, noise_nsr=2,
                clip_value=0.5, consensus_gamma=0.1, ema_decay=0.5)
    config = json.loads(json.dumps(model.get_config()))  # JSON-ready
    other = GAN.from_config(config)
    assert json.loads(json.dumps(other.get_config())) == config
    assert (other.loss_fn.name, other.generator_loss, other.scheme, other.n_disc, other.seed,
            other.noise_nsr, other.clip_value, other.consensus_gamma, other.ema_decay) == \
        ("kl", "alternative", "simultaneous", 2, 11, 2, 0.5, 0.1, 0.5)
    assert [p.name for p in other.game.penalties] == ["roth_f", "dragan"]
    roth, dragan = other.game.penalties
    assert roth.kwargs == {"divergence": "kl"} and dragan.kwargs == {"c": 0.25}
    for step in (0, 40, 100):
        np.testing.assert_allclose(roth.schedule(step), 2.0 * 0.01 ** (step / 100), rtol=1e-6)
        np.testing.assert_allclose(other.game.noise(step), 0.1 * 0.5 ** (step / 10), rtol=1e-6)
    assert float(dragan.schedule(7)) == 3.0
    assert other.game.noise_on
    assert GAN.from_config(GAN(g, d, latent_dim=LATENT).get_config()).game.noise_on is False

    lam = GAN(g, d, latent_dim=LATENT, penalties={"r1": {"gamma": lambda step: 1.0}})
    with pytest.raises(ValueError, match=r"Penalty 'r1'.*LearningRateSchedule.*Received: "
                                         r"gamma=<function"):
        lam.get_config()
    custom = losses.Loss("mine", losses.get("hinge").discriminator,
                         losses.get("hinge").generator)
    with pytest.raises(ValueError, match=r"registered loss.*Received: loss='mine'"):
        GAN(g, d, latent_dim=LATENT, loss=custom).get_config()


@pytest.mark.parametrize("setup", [  # [lazy] in the slow tier; its fast sibling: [schedule]
    pytest.param(s, marks=pytest.mark.slow) if s == "lazy" else s for s in sorted(SETUPS)])
def test_save_load_model_continues_like_an_uninterrupted_fit(setup, tmp_path):
    reference = _uninterrupted(setup, 3)
    model = _gan(setup)
    model.fit(_data(), epochs=1, verbose=0)
    model.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert type(loaded) is GAN and loaded.step == STEPS
    _assert_same_state(loaded, model)
    assert loaded.d_optimizer.get_config() == model.d_optimizer.get_config()
    assert loaded.g_optimizer.get_config() == model.g_optimizer.get_config()
    loaded.fit(_data(), epochs=3, initial_epoch=1, verbose=0)
    assert loaded.step == reference.step == 3 * STEPS
    _assert_same_state(loaded, reference)
    # The step keys the draws, the schedule and the lazy steps: a file that lost it would
    # not continue exactly (so the comparison above can fail).
    again = keras.models.load_model(tmp_path / "gan.keras")
    again.step_counter.assign(0)
    again.fit(_data(), epochs=3, initial_epoch=1, verbose=0)
    assert not np.allclose(again.generator.weights[0], reference.generator.weights[0],
                           rtol=1e-4)


@pytest.mark.slow  # ~20 s here
def test_model_checkpoint_files_resume_an_interrupted_fit(tmp_path):
    reference = _uninterrupted("lazy", 3)
    keras_file = str(tmp_path / "ckpt.keras")
    weights_file = str(tmp_path / "ckpt.weights.h5")
    model = _gan("lazy")
    with pytest.raises(KeyboardInterrupt):
        model.fit(_data(), epochs=3, verbose=0, callbacks=[
            keras.callbacks.ModelCheckpoint(keras_file),
            keras.callbacks.ModelCheckpoint(weights_file, save_weights_only=True),
            RaiseAt(epoch=2, batch=1)])
    assert model.step == 2 * STEPS + 2  # interrupted inside epoch 2

    loaded = keras.models.load_model(keras_file)
    assert loaded.step == 2 * STEPS
    loaded.fit(_data(), epochs=3, initial_epoch=2, verbose=0)
    _assert_same_state(loaded, reference)

    fresh = _gan("lazy", seed=5)  # other initial weights: all of them come from the file
    fresh.load_weights(weights_file)
    assert fresh.step == 2 * STEPS
    fresh.fit(_data(), epochs=3, initial_epoch=2, verbose=0)
    _assert_same_state(fresh, reference)


@pytest.mark.slow
def test_backup_and_restore_resumes_an_interrupted_fit(tmp_path):
    reference = _uninterrupted("schedule", 3)
    backup = str(tmp_path / "backup")
    model = _gan("schedule")
    with pytest.raises(KeyboardInterrupt):
        model.fit(_data(), epochs=3, verbose=0, callbacks=[
            keras.callbacks.BackupAndRestore(backup), RaiseAt(epoch=1, batch=2)])
    assert model.step == STEPS + 3
    # The same object (its weights now mid-epoch 1) resumes from the end-of-epoch-0 backup.
    history = model.fit(_data(), epochs=3, verbose=0,
                        callbacks=[keras.callbacks.BackupAndRestore(backup)])
    assert history.epoch == [1, 2]
    assert model.step == 3 * STEPS
    _assert_same_state(model, reference)


@pytest.mark.slow
def test_tensorboard_csv_logger_and_early_stopping_on_validation_losses(tmp_path):
    model = _gan("schedule")
    val = np.random.default_rng(1).normal(size=(2 * BATCH, DIM)).astype(np.float32)
    logdir = str(tmp_path / "tb")
    history = model.fit(_data(), epochs=6, verbose=0, validation_data=val,
                        validation_batch_size=BATCH, callbacks=[
                            keras.callbacks.TensorBoard(logdir),
                            keras.callbacks.CSVLogger(str(tmp_path / "log.csv")),
                            # No epoch after the first improves by 1e9: stops after epoch 2.
                            keras.callbacks.EarlyStopping("val_d_loss", mode="min", min_delta=1e9,
                                                          patience=1)])
    assert history.epoch == [0, 1]
    assert {"d_loss", "g_loss", "r1", "val_d_loss", "val_g_loss", "val_r1"} <= \
        set(history.history)
    with open(tmp_path / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    np.testing.assert_allclose([float(r["val_r1"]) for r in rows],
                               history.history["val_r1"], rtol=1e-6)
    scalars = {}
    for path in glob.glob(f"{logdir}/train/events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                scalars.setdefault(value.tag, []).append(
                    float(tf.make_ndarray(value.tensor)))
    np.testing.assert_allclose(scalars["epoch_d_loss"], history.history["d_loss"], rtol=1e-6)


@pytest.mark.slow
def test_terminate_on_nan_does_not_apply_and_terminate_on_non_finite_does():
    real = np.random.default_rng(0).normal(size=(STEPS * BATCH, DIM)).astype(np.float32)
    real[BATCH + 1] = np.nan  # batch 1
    ds = tf.data.Dataset.from_tensor_slices(real).batch(BATCH)
    keras_callback = _gan("schedule")
    history = keras_callback.fit(ds, epochs=2, verbose=0,
                                 callbacks=[keras.callbacks.TerminateOnNaN()])
    assert keras_callback.step == 2 * STEPS and np.isnan(history.history["d_loss"][0])
    model = _gan("schedule")
    guard = TerminateOnNonFinite()
    model.fit(ds, epochs=2, verbose=0, callbacks=[guard])
    assert model.step == 2 and set(guard.bad) >= {"d_loss"}
    with pytest.raises(FloatingPointError, match="Non-finite terms at batch 1"):
        _gan("schedule").fit(ds, epochs=1, verbose=0,
                             callbacks=[TerminateOnNonFinite(raise_error=True)])


def _eval_reference(model, real_batches, gammas):
    """Mean over batches of D's loss, G's loss, R1 and WGAN-GP from the functions themselves,
    with the draws of `test_step`'s documented keying (seed, rng.EVAL, batch index)."""
    loss = losses.get("non_saturating")
    out = {"d_loss": [], "g_loss": [], "r1": [], "wgan_gp": []}
    d = model.discriminator
    for index, real in enumerate(real_batches):
        seed = rng.fold(rng.as_seed(model.seed), rng.EVAL, index)
        z = rng.normal(rng.fold(seed, rng.LATENT_D), len(real), (LATENT,))
        fake = model.generator(z, training=False)
        real_logits, fake_logits = d(real, training=False), d(fake, training=False)
        out["d_loss"].append(loss.discriminator(real_logits, fake_logits))
        out["g_loss"].append(loss.generator(fake_logits))
        out["r1"].append(penalties.r1(d, tf.constant(real), fake, gamma=gammas["r1"],
                                      training=False))
        out["wgan_gp"].append(penalties.wgan_gp(
            d, tf.constant(real), fake, lam=gammas["wgan_gp"],
            seed=rng.fold(seed, rng.PENALTY, 1), training=False))
    return {k: float(np.mean(v)) for k, v in out.items()}


@pytest.mark.slow  # ~20 s here
def test_evaluate_matches_the_loss_and_penalty_functions_and_updates_nothing():
    g, d = _players(d_norm=keras.layers.LayerNormalization())
    anneal = schedules.anneal(2.0, 0.1, 10)
    model = GAN(g, d, latent_dim=LATENT, seed=4, ema_decay=0.5,
                penalties={"r1": {"gamma": anneal}, "wgan_gp": {"lam": 1.5}})
    model.compile(d_optimizer=keras.optimizers.Adam(1e-2),
                  g_optimizer=keras.optimizers.Adam(1e-2))
    model.fit(_data(), epochs=1, verbose=0)
    held_out = np.random.default_rng(9).normal(size=(3 * BATCH, DIM)).astype(np.float32)
    before = _state(model)
    got = model.evaluate(held_out, batch_size=BATCH, verbose=0, return_dict=True)
    assert set(got) == {"d_loss", "g_loss", "r1", "wgan_gp"}
    for a, b in zip(_state(model), before):
        np.testing.assert_array_equal(a, b)
    want = _eval_reference(model, np.split(held_out, 3),
                           {"r1": float(anneal(STEPS)), "wgan_gp": 1.5})
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, err_msg=name)
    assert model.evaluate(held_out, batch_size=BATCH, verbose=0, return_dict=True) == got
    # Batch 1's draws are not batch 0's: the same data in other batches gives other numbers.
    swapped = np.concatenate(np.split(held_out, 3)[::-1])
    assert model.evaluate(swapped, batch_size=BATCH, verbose=0,
                          return_dict=True)["wgan_gp"] != got["wgan_gp"]


@pytest.mark.slow
def test_predict_samples_the_moving_average_generator():
    model = _gan("schedule")
    model.fit(_data(), epochs=1, verbose=0)
    z = np.random.default_rng(2).normal(size=(5, LATENT)).astype(np.float32)
    manual = keras.models.clone_model(model.generator)
    manual.set_weights([np.asarray(e) for e in model.ema_weights])
    np.testing.assert_allclose(model.predict(z, verbose=0), manual(z), rtol=1e-6)
    assert not np.allclose(model.predict(z, verbose=0), model.generator(z))
    model.fit(_data(), epochs=1, verbose=0)  # predict follows the EMA as it moves
    manual.set_weights([np.asarray(e) for e in model.ema_weights])
    np.testing.assert_allclose(model.predict(z, verbose=0), manual(z), rtol=1e-6)
    g, d = _players()
    plain = GAN(g, d, latent_dim=LATENT)
    np.testing.assert_allclose(plain.predict(z, verbose=0), g(z), rtol=1e-6)


def test_joint_optimizer_refuses_keras_files_naming_the_checkpoint(tmp_path):
    g, d = _players()
    model = GAN(g, d, latent_dim=LATENT, penalties={"r1": {}})
    model.compile(joint_optimizer="cgd")
    for save in (lambda: model.save(tmp_path / "x.keras"),
                 lambda: model.save_weights(tmp_path / "x.weights.h5")):
        with pytest.raises(ValueError, match=r"joint_optimizer=CGD cannot be saved in a "
                                             r"Keras file.*tf\.train\.Checkpoint.*"
                                             r"runs\.make_checkpoint"):
            save()
    assert GAN.from_config(model.get_config()).n_disc == 1  # the architecture still saves


def _warnings_about(d, penalty, about):
    """The texts of the warnings mentioning `about` when a GAN of `d` is built."""
    g, _ = _players()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        GAN(g, d, latent_dim=LATENT, penalties={penalty: {}})
    return [str(w.message) for w in caught if about in str(w.message)]


def _bn_messages(d, penalty):
    return _warnings_about(d, penalty, "batch normalisation")


def test_batch_norm_discriminator_warns_with_per_sample_penalties():
    _, bn = _players(d_norm=keras.layers.BatchNormalization(name="bn_d"))
    messages = _bn_messages(bn, "r1")
    assert len(messages) == 1 and "bn_d" in messages[0] and "['r1']" in messages[0] \
        and "layer normalisation" in messages[0]
    # Nested inside another model, and Keras's subclass in nets.layers.
    from tfgan_reg.nets import layers as nets_layers
    _, inner = _players(d_norm=nets_layers.BatchNormalization(name="bn_inner"))
    outer = keras.Sequential([keras.Input((DIM,)), inner])
    assert "bn_inner" in _bn_messages(outer, "wgan_gp")[0]
    _, ln = _players(d_norm=keras.layers.LayerNormalization())
    assert _bn_messages(ln, "r1") == []
    assert _bn_messages(bn, "l2") == []  # a weight penalty takes no input gradients


def test_a_gan_of_the_library_networks_saves_and_loads(tmp_path):
    """nets' layers (batch and layer normalisation subclasses) are registered, so a GAN of
    them loads with keras.models.load_model (a DCGAN pair on 8x8 images)."""
    from tfgan_reg.nets import dcgan
    g = dcgan.dcgan_generator(latent_dim=4, output_shape=(8, 8, 1), width=4,
                              normalization="batch", seed=0)
    d = dcgan.dcgan_discriminator(input_shape=(8, 8, 1), width=4, normalization="layer",
                                  seed=1)
    model = GAN(g, d, latent_dim=4, penalties={"r1": {}})
    model.compile(d_optimizer="adam", g_optimizer="adam")
    real = np.random.default_rng(0).uniform(-1, 1, size=(2 * BATCH, 8, 8, 1))
    model.fit(real.astype(np.float32), batch_size=BATCH, epochs=1, verbose=0)
    model.save(tmp_path / "dcgan.keras")
    loaded = keras.models.load_model(tmp_path / "dcgan.keras")
    assert [type(layer).__module__ for layer in loaded.generator.layers] == \
        [type(layer).__module__ for layer in g.layers]
    z = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(z, verbose=0), model.predict(z, verbose=0),
                               rtol=1e-6, atol=1e-7)
    _assert_same_state(loaded, model)


def test_evaluate_takes_training_elements_and_names_a_bad_shape():
    g, d = _players()
    model = GAN(g, d, latent_dim=LATENT, n_disc=2, penalties={"r1": {}})
    model.compile(d_optimizer="adam", g_optimizer="adam")
    x = np.random.default_rng(0).normal(size=(2 * BATCH, DIM)).astype(np.float32)
    flat = model.evaluate(x, batch_size=2 * BATCH, verbose=0, return_dict=True)
    # The same samples as one training element [B, n_disc, DIM]: D batch i is x[:, i].
    element = x.reshape(BATCH, 2, DIM)
    paired = model.evaluate(element, batch_size=BATCH, verbose=0, return_dict=True)
    np.testing.assert_allclose(paired["d_loss"], flat["d_loss"], rtol=1e-6)
    fresh = GAN(g, d, latent_dim=LATENT, n_disc=2)  # traced once: the shape is static
    fresh.compile(d_optimizer="adam", g_optimizer="adam")
    with pytest.raises(ValueError, match=r"real samples shaped \[batch, \*\(2,\)\].*"
                                         r"Received: shape=\((None|8), 2, 2, 1\)"):
        fresh.evaluate(element[..., None], batch_size=BATCH, verbose=0)


def test_keras_own_normalisation_in_the_discriminator_warns_with_gradient_penalties():
    from tfgan_reg.nets import layers as nets_layers

    def messages(d, penalty):
        return _warnings_about(d, penalty, "second derivatives")

    _, ln = _players(d_norm=keras.layers.LayerNormalization(name="ln_d"))
    (message,) = messages(ln, "wgan_gp")
    assert "ln_d" in message and "tfgan_reg.nets.layers" in message
    _, ours = _players(d_norm=nets_layers.LayerNormalization())
    assert messages(ours, "wgan_gp") == []
    assert messages(ln, "l2") == []  # no input gradients, no second derivative through D
