"""Mixed precision (`tfgan_reg.precision`) and the one-pass penalties.

References: every low-precision value is compared with float32 on the same (seeded, float32)
weights and inputs; the shared-pass penalties with the stand-alone functions.
"""
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import GAN, config_lib, penalties, precision
from tfgan_reg.nets import dcgan, mlp

from helpers import picture, relative_error, restored, share_saturated

# Relative tolerance of a penalty value against float32: bfloat16 keeps 8 mantissa bits
# (~0.4 % per rounding), float16 11 bits (~0.05 %); a few layers of rounding accumulate.
VALUE_RTOL = {"mixed_bfloat16": 0.06, "mixed_float16": 0.01}
# Cosine of the penalty's weight gradient with float32's (second-order terms round twice).
GRAD_COS = {"mixed_bfloat16": 0.99, "mixed_float16": 0.99}
# Norm-wise relative error of a network's bfloat16 output against the same weights in float32
# (8 significant bits, a few layers of rounding; measured <= 0.006 on every CPU path here).
BF16_VALUE_ERROR = 2.0 ** -5
SHAPE = (8, 8, 1)


def _conv_d(prec, scale=1.0):
    with precision.policy_scope(prec):
        d = dcgan.dcgan_discriminator(input_shape=SHAPE, width=8, normalization="layer",
                                      seed=5)
    if scale != 1.0:
        last = d.layers[-1]
        last.kernel.assign(last.kernel * scale)
        last.bias.assign(last.bias * scale)
    return d


def _batches():
    r = np.random.default_rng(0)
    real = tf.constant(r.uniform(-1, 1, (6,) + SHAPE).astype(np.float32))
    fake = tf.constant(r.uniform(-1, 1, (6,) + SHAPE).astype(np.float32))
    return real, fake


def _kwargs(name):
    return {"divergence": "kl"} if name == "roth_f" else {}


def _value_and_grad(fn, d, real, fake, **kwargs):
    with tf.GradientTape() as tape:
        value = fn(d, real, fake, seed=7, **kwargs)
    grads = tape.gradient(value, d.trainable_variables)
    # The last bias does not reach an input gradient: no gradient, counted as zeros.
    return float(value), np.concatenate([np.zeros(v.shape).ravel() if g is None
                                         else np.ravel(g)
                                         for g, v in zip(grads, d.trainable_variables)])


def _cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.mark.parametrize("prec", ["mixed_bfloat16", "mixed_float16"])
@pytest.mark.parametrize("name", penalties.names())
def test_each_penalty_in_mixed_precision_matches_float32(name, prec):
    real, fake = _batches()
    fn = penalties.get(name)
    ref, ref_grad = _value_and_grad(fn, _conv_d("float32"), real, fake, **_kwargs(name))
    value, grad = _value_and_grad(fn, _conv_d(prec), real, fake, **_kwargs(name))
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert value == pytest.approx(ref, rel=VALUE_RTOL[prec]), (value, ref)
    assert _cos(grad, ref_grad) > GRAD_COS[prec]


@pytest.mark.parametrize("name", ["r1", "r2", "wgan_gp", "zero_gp", "zero_gp_sample",
                                  "dragan", "roth_js"])
def test_tiny_input_gradients_do_not_underflow_in_float16(name):
    """D scaled by 1e-6: ||grad_x D|| ~ 1e-6, whose backward pass underflows in float16
    unless the inner gradient is loss-scaled."""
    real, fake = _batches()
    fn = penalties.get(name)
    d32 = _conv_d("float32", scale=1e-6)
    _, grad_sq = penalties.logits_and_grad_sq(d32, real)
    assert 1e-8 < float(tf.sqrt(tf.reduce_max(grad_sq))) < 1e-5
    ref = float(fn(d32, real, fake, seed=7))
    d16 = _conv_d("mixed_float16", scale=1e-6)
    value, grad = _value_and_grad(fn, d16, real, fake)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert value == pytest.approx(ref, rel=VALUE_RTOL["mixed_float16"]), (value, ref)
    if name in ("r1", "r2", "zero_gp", "zero_gp_sample"):
        # The same penalty without the inner scale: the float16 backward pass loses it.
        unscaled = float(fn(d16, real, fake, seed=7, loss_scale=1.0))
        assert abs(unscaled - ref) > 0.1 * ref, (unscaled, ref)


@pytest.mark.bfloat16
def test_inner_gradient_is_float32_and_reductions_too():
    real, _ = _batches()
    for prec in precision.PRECISIONS:
        logits, grad_sq = penalties.logits_and_grad_sq(_conv_d(prec), real)
        assert logits.dtype == tf.float32 and grad_sq.dtype == tf.float32


def test_float32_casts_every_tensor_of_a_nest_and_keeps_its_values():
    values = np.array([1.5, -2.25, 1024.0], np.float32)  # exact in bfloat16 and float16
    nest = {"a": tf.constant(values, tf.bfloat16), "b": [tf.constant(values, tf.float16),
                                                        tf.constant(values, tf.float64)]}
    out = precision.float32(nest)
    leaves = tf.nest.flatten(out)
    assert len(leaves) == 3
    assert set(out) == {"a", "b"} and isinstance(out["b"], list)
    for leaf in leaves:
        assert leaf.dtype == tf.float32
        np.testing.assert_array_equal(leaf.numpy(), values)


# ---- one discriminator pass ------------------------------------------------------------------

class _Counting(keras.Model):
    """A per-sample MLP discriminator that counts its calls."""

    def __init__(self):
        super().__init__()
        self.net = mlp.mlp_discriminator(input_shape=(3,), depth=2, width=8, seed=3,
                                         activation="tanh")
        self.calls = 0

    def call(self, x, training=False):
        self.calls += 1
        return self.net(x, training=training)


def _gan(name, d=None, **kwargs):
    g = mlp.mlp_generator(latent_dim=2, output_shape=(3,), depth=2, width=8, seed=4)
    d = d or mlp.mlp_discriminator(input_shape=(3,), depth=2, width=8, seed=3,
                                   activation="tanh")
    loss = "kl" if name == "roth_f" else "non_saturating"
    return GAN(g, d, latent_dim=2, loss=loss, penalties={name: {}}, seed=1, **kwargs)


@pytest.mark.parametrize("name", sorted(penalties.SHARED_POINTS))
def test_shared_pass_penalties_equal_the_stand_alone_ones(name):
    model = _gan(name)
    d = model.discriminator
    r = np.random.default_rng(1)
    real = tf.constant(r.normal(size=(5, 3)).astype(np.float32))
    fake = tf.constant(r.normal(size=(5, 3)).astype(np.float32))
    step, seed = tf.constant(0, tf.int64), tf.constant([1, 2], tf.int64)
    with tf.GradientTape(persistent=True) as tape:
        total, terms, _ = model.game.discriminator_terms(real, fake, step, seed)
        alone = penalties.get(name)(d, real, fake, seed=0, **(
            {"divergence": "kl"} if name == "roth_f" else {}))
        two_pass = model.loss_fn.discriminator(d(real), d(fake)) + alone
    np.testing.assert_array_equal(terms[name].numpy(), alone.numpy())
    for a, b in zip(tape.gradient(terms[name], d.trainable_variables),
                    tape.gradient(alone, d.trainable_variables)):
        assert (a is None) == (b is None)  # the last bias never reaches an input gradient
        if a is not None:
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    # The total's gradient sums the same two parts in another order: equal to rounding.
    for a, b in zip(tape.gradient(total, d.trainable_variables),
                    tape.gradient(two_pass, d.trainable_variables)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name,calls", [("r1", 2), ("r2", 2), ("roth_js", 2),
                                        ("zero_gp_sample", 2), ("wgan_gp", 3)])
def test_one_discriminator_pass_per_batch(name, calls):
    """D runs once on the reals and once on the fakes for the loss and the shared-pass
    penalties; WGAN-GP's interpolates are new points (a third pass)."""
    d = _Counting()
    d(tf.zeros([1, 3]))
    model = _gan(name, d=d)
    d.calls = 0
    real = tf.constant(np.ones((4, 3), np.float32))
    model.game.discriminator_terms(real, real * 0.5, tf.constant(0, tf.int64),
                                   tf.constant([1, 2], tf.int64))
    assert d.calls == calls


# ---- the GAN under each precision -------------------------------------------------------------

def _pair(prec):
    with precision.policy_scope(prec):
        g = mlp.mlp_generator(latent_dim=4, output_shape=(2,), depth=2, width=16, seed=1)
        d = mlp.mlp_discriminator(input_shape=(2,), depth=2, width=16, seed=2)
    return g, d


def _fit(model, steps=4):
    x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    data = tf.data.Dataset.from_tensor_slices(x).batch(16).repeat()
    return model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0).history


@pytest.mark.parametrize("prec", precision.PRECISIONS)
def test_gan_trains_in_each_precision(prec):
    g, d = _pair(prec)
    model = GAN(g, d, latent_dim=4, penalties={"r1": {}}, precision=prec)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3),
                  g_optimizer=keras.optimizers.Adam(1e-3))
    before = [w.numpy() for w in g.trainable_weights + d.trainable_weights]
    history = _fit(model)
    assert all(np.isfinite(v[-1]) for v in history.values())
    # Both players moved (a step that drops its update also ends with finite losses).
    after = [w.numpy() for w in g.trainable_weights + d.trainable_weights]
    moved = [np.abs(a - b).max() for a, b in zip(after, before)]
    assert min(max(moved[:len(g.trainable_weights)]), max(moved[len(g.trainable_weights):])) > 0
    scaled = isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (prec == "mixed_float16")
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer) == scaled
    assert g.weights[0].dtype == "float32"
    samples = model.predict(np.zeros((3, 4), np.float32), verbose=0)
    assert samples.dtype == np.float32
    again = GAN.from_config(model.get_config())
    assert again.precision == prec and precision.policy_name(again.discriminator) == prec


def test_float16_overflow_skips_the_step_and_halves_the_scale():
    g, d = _pair("mixed_float16")
    model = GAN(g, d, latent_dim=4, penalties={"r1": {}}, precision="mixed_float16")
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3),
                  g_optimizer=keras.optimizers.Adam(1e-3))
    model.build_optimizers()
    _fit(model, steps=1)
    # A scale float16 cannot hold: the scaled logits' gradient overflows to inf.
    model.d_optimizer.dynamic_scale.assign(1e9)
    before = [w.numpy() for w in d.trainable_variables]
    _fit(model, steps=1)
    for a, b in zip(before, d.trainable_variables):
        np.testing.assert_array_equal(a, b.numpy())
    assert float(model.d_optimizer.dynamic_scale) == 5e8


@pytest.mark.bfloat16
def test_mismatched_networks_and_unsupported_combinations_are_refused():
    g, d = _pair("float32")
    with pytest.raises(ValueError, match="policy_scope.*mixed_bfloat16"):
        GAN(g, d, latent_dim=4, precision="mixed_bfloat16")
    with pytest.raises(ValueError, match=r"precision.*'float64'"):
        GAN(g, d, latent_dim=4, precision="float64")
    g16, d16 = _pair("mixed_float16")
    with pytest.raises(ValueError, match="Consensus.*float16"):
        GAN(g16, d16, latent_dim=4, scheme="simultaneous", consensus_gamma=1.0,
            precision="mixed_float16")
    gb, db = _pair("mixed_bfloat16")
    model = GAN(gb, db, latent_dim=4, precision="mixed_bfloat16")
    with pytest.raises(ValueError, match="CGD / ACGD.*float32"):
        model.compile(joint_optimizer="acgd")


@pytest.mark.bfloat16
def test_convert_keeps_the_weights_and_changes_the_policy():
    d = _conv_d("float32")
    copy = precision.convert(d, "mixed_bfloat16")
    assert copy.dtype_policy.name == "mixed_bfloat16"
    for a, b in zip(d.get_weights(), copy.get_weights()):
        np.testing.assert_array_equal(a, b)
    real, _ = _batches()
    assert relative_error(copy(real), d(real)) <= BF16_VALUE_ERROR


def test_config_precision_is_validated_and_refused_with_cgd():
    config = config_lib.base_config()
    config.train.precision = "half"
    with pytest.raises(ValueError, match=r"train\.precision.*'half'"):
        config_lib.validate(config)
    config = config_lib.base_config()
    config.train.precision = "mixed_bfloat16"
    config.train.optimizer = "cgd"
    config.penalty = config_lib.penalty_config("none")
    with pytest.raises(ValueError, match=r"train\.precision='float32'"):
        config_lib.validate(config)


@pytest.mark.bfloat16
def test_exported_mixed_precision_networks_take_and_return_float32(tmp_path):
    from tfgan_reg import export
    g, d = _pair("mixed_bfloat16")
    assert g(tf.zeros([1, 4])).dtype == tf.bfloat16  # what the export must hide
    config = tmp_path / "config.json"
    config.write_text("{}")
    module = export.GeneratorModule(g, 4, (2,), str(config))
    tf.saved_model.save(module, str(tmp_path / "g"), signatures={
        "serving_default": module.serving_default, "sample": module.sample})
    loaded = tf.saved_model.load(str(tmp_path / "g"))
    z = tf.constant(np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32))
    images = loaded(z)
    assert images.dtype == tf.float32
    assert relative_error(images, precision.convert(g, "float32")(z)) <= BF16_VALUE_ERROR
    out = loaded.signatures["serving_default"](z=z)
    assert out["images"].dtype == tf.float32
    dmod = export.DiscriminatorModule(d, (2,), str(config))
    tf.saved_model.save(dmod, str(tmp_path / "d"),
                        signatures={"serving_default": dmod.serving_default})
    assert tf.saved_model.load(str(tmp_path / "d"))(images).dtype == tf.float32


@pytest.mark.bfloat16
def test_a_mixed_precision_toy_run_writes_its_metrics_and_pictures(tmp_path):
    """The evaluation at a run's end reads D and G in float32 (a bfloat16 value surface once
    crashed matplotlib)."""
    from tfgan_reg import runs, training
    from tfgan_reg.training import evaluation
    from tfgan_reg.eval import lowdim
    config = config_lib.base_config()
    config.train.precision = "mixed_bfloat16"
    config.train.num_steps, config.train.batch_size = 20, 64
    config.train.checkpoint_every, config.train.log_every = 20, 10
    config.train.jit_compile = False
    config.eval.num_samples = 200
    training.train_and_evaluate(config, str(tmp_path), verbose=False)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    # The metrics are those of the final generator, judged against float32: the same weights
    # give samples within bfloat16's rounding, and W1 moves by at most the mean distance the
    # samples move (triangle inequality), far less than another draw or scale moves it.
    n, seed = config.eval.num_samples, config.eval.seed
    bf16 = runs.generate(restored(config, str(tmp_path)), n, seed)
    config.train.precision = "float32"
    f32 = runs.generate(restored(config, str(tmp_path)), n, seed)
    assert relative_error(bf16, f32) <= BF16_VALUE_ERROR
    real = np.asarray(evaluation.toy_source(config).sample(n, seed + 1))
    moved = float(np.mean(np.linalg.norm(bf16 - f32, axis=1)))
    assert abs(metrics["w1"] - lowdim.wasserstein1(f32, real)) <= moved + 1e-6, metrics
    assert metrics["step"] == 20 and metrics["num_modes"] == 8
    # The pictures decode; the value surface colours the plane by D (a constant or NaN D
    # leaves it grey or white: under 4 % of the pixels coloured).
    for name in ("samples_final.png", "kde_final.png", "value_final.png"):
        assert picture(tmp_path / name).std() > 0.05, name
    assert share_saturated(picture(tmp_path / "value_final.png")) > 0.2


def test_an_exported_bfloat16_dcgan_generator_loads_and_matches(tmp_path):
    # Its 4x4-map convolutions take nets.layers' custom-gradient path under bfloat16.
    from tfgan_reg import export
    with precision.policy_scope("mixed_bfloat16"):
        g = dcgan.dcgan_generator(latent_dim=4, output_shape=(16, 16, 1), width=8, seed=1)
    config = tmp_path / "config.json"
    config.write_text("{}")
    module = export.GeneratorModule(g, 4, (16, 16, 1), str(config))
    tf.saved_model.save(module, str(tmp_path / "g"), signatures={
        "serving_default": module.serving_default, "sample": module.sample})
    z = tf.constant(np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32))
    images = tf.saved_model.load(str(tmp_path / "g"))(z)
    assert images.dtype == tf.float32
    assert relative_error(images, precision.convert(g, "float32")(z)) <= BF16_VALUE_ERROR
