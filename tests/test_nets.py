"""DCGAN, ResNet, the hard DCGAN variants and the BogoNet sampler: shapes, ranges, structure
against the papers' tables, bad input."""
import collections

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import config_lib, nets
from tfgan_reg import gan as gan_lib
from tfgan_reg.nets import bogonet, dcgan, icr, layers, mlp, resnet

SHAPES = [(8, 8, 1), (28, 28, 1), (32, 32, 3), (64, 64, 3)]


def _model_config(arch, **kw):
    m = config_lib.base_config().model
    m.update(arch=arch, latent_dim=8, g_width=8, d_width=8, g_normalization="batch",
             d_normalization="layer", bogonet_scale=0.1)
    m.update(**kw)
    return m


@pytest.mark.parametrize("arch", nets.IMAGE_ONLY)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}px")
def test_image_architectures_build_with_the_expected_shapes(arch, shape):
    g, d = nets.build(arch, _model_config(arch), shape, seed=0)
    x = g(tf.random.normal([3, 8]), training=False)
    logits = d(x, training=False)
    assert x.shape == (3,) + shape and logits.shape == (3, 1)
    assert float(tf.reduce_max(tf.abs(x))) <= 1.0  # tanh output


def test_dcgan_equals_the_wgan_gp_cifar_tables():
    # The ICR paper's Tables 4-5 (Gulrajani et al.'s DCGAN) are DCGAN at width 64 with BN in G
    # and no normalisation in D: same layers, same parameter counts.
    g = dcgan.dcgan_generator(latent_dim=128, output_shape=(32, 32, 3), width=64)
    d = dcgan.dcgan_discriminator(input_shape=(32, 32, 3), width=64, normalization="none")
    assert g.count_params() == icr.cifar_generator(latent_dim=128).count_params()
    assert d.count_params() == icr.cifar_discriminator().count_params()
    convs = [layer for layer in g.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert [c.filters for c in convs] == [128, 64, 3]
    # 64 px: four stride-2 stages, 8w -> 4w -> 2w -> w -> C.
    g64 = dcgan.dcgan_generator(latent_dim=100, output_shape=(64, 64, 3), width=64)
    assert [c.filters for c in g64.layers
            if isinstance(c, keras.layers.Conv2DTranspose)] == [256, 128, 64, 3]
    assert g64.layers[1].units == 4 * 4 * 512
    # Constant filters (the first hard variant): every stage keeps `width`.
    gc = dcgan.dcgan_generator(latent_dim=8, output_shape=(64, 64, 3), width=32,
                               normalization="none", constant_width=True)
    assert [c.filters for c in gc.layers
            if isinstance(c, keras.layers.Conv2DTranspose)] == [32, 32, 32, 3]
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in gc.layers)


def test_resnet_has_the_papers_stages():
    # 64 px (Roth et al. 2017, app. 7.4): linear, four up-sampling residual blocks, conv + tanh; the
    # critic: conv, four down-sampling blocks, linear. 32 px: three blocks of `width` filters.
    g = resnet.resnet_generator(latent_dim=128, output_shape=(64, 64, 3), width=16)
    d = resnet.resnet_discriminator(input_shape=(64, 64, 3), width=16)
    adds = lambda m: sum(isinstance(layer, keras.layers.Add) for layer in m.layers)
    assert adds(g) == 4 and adds(d) == 4
    assert g.layers[1].units == 4 * 4 * 8 * 16
    g32 = resnet.resnet_generator(latent_dim=128, output_shape=(32, 32, 3), width=16,
                                  extra_blocks=2)
    assert adds(g32) == 5
    kernels = {layer.kernel_size for layer in g.layers if isinstance(layer, keras.layers.Conv2D)}
    assert kernels == {(3, 3), (1, 1)}  # 3x3 convolutions, 1x1 shortcut projections


@pytest.mark.parametrize("normalization", ["none", "batch", "layer", "spectral"])
def test_mlp_normalization_follows_every_hidden_dense(normalization):
    d = mlp.mlp_discriminator(input_shape=(2,), depth=2, width=4, normalization=normalization)
    kinds = [type(layer) for layer in d.layers
             if not isinstance(layer, (keras.layers.InputLayer, keras.layers.Flatten))]
    dense = keras.layers.SpectralNormalization if normalization == "spectral" else \
        keras.layers.Dense
    after = {"batch": layers.BatchNormalization,
             "layer": layers.LayerNormalization}.get(normalization, keras.layers.Identity)
    act = keras.layers.Activation
    assert kinds == [dense, after, act, dense, after, act, dense]
    if normalization == "layer":
        assert [list(d.layers[i].axis) for i in (3, 6)] == [[-1], [-1]]  # over the features


def test_icr_spectral_discriminators_wrap_every_weight_layer():
    for d in (icr.mnist_discriminator(normalization="spectral"),
              icr.cifar_discriminator(normalization="spectral")):
        assert not any(type(layer) in (keras.layers.Conv2D, keras.layers.Dense)
                       for layer in d.layers)
        assert sum(isinstance(layer, keras.layers.SpectralNormalization)
                   for layer in d.layers) == 4  # Tables 2 and 5: four weight layers


def test_bad_architecture_input_is_named():
    with pytest.raises(ValueError, match=r"`normalization` must be one of \['none', 'batch', "
                                         r"'layer', 'spectral'\]. Received: normalization='bn'"):
        dcgan.dcgan_discriminator(input_shape=(32, 32, 3), normalization="bn")
    with pytest.raises(ValueError, match=r"\['none', 'batch'\]. Received: normalization='layer'"):
        resnet.resnet_generator(latent_dim=4, output_shape=(32, 32, 3), normalization="layer")
    with pytest.raises(ValueError,
                       match=r"\['none', 'spectral'\]. Received: normalization='layer'"):
        icr.mnist_discriminator(normalization="layer")
    with pytest.raises(ValueError, match=r"'spectral'\]. Received: normalization='group'"):
        mlp.mlp_discriminator(input_shape=(2,), normalization="group")
    with pytest.raises(ValueError, match="Image side 9 must be even and at least 8"):
        dcgan.dcgan_generator(latent_dim=4, output_shape=(9, 9, 1))
    with pytest.raises(ValueError, match=r"square NHWC images. Received: sample shape \(2,\)"):
        dcgan.dcgan_discriminator(input_shape=(2,))
    config = config_lib.base_config()
    config.model.arch = "resnet"
    with pytest.raises(ValueError, match="takes images; data.name='ring8' is low-dimensional"):
        config_lib.validate(config)


def test_bogonet_sampler_draws_the_papers_families():
    pairs = [bogonet.sample_pair(s) for s in range(3000)]
    for role in ("generator", "discriminator"):
        counts = collections.Counter(p[role]["family"] for p in pairs)
        for family, p in zip(bogonet.FAMILIES, bogonet.PROBABILITIES):
            assert abs(counts[family] / len(pairs) - p) < 4 * np.sqrt(p * (1 - p) / len(pairs))
    assert {p["latent_dim"] for p in pairs} == set(bogonet.LATENT_DIMS)
    assert {p["discriminator"]["normalization"] for p in pairs} == set(dcgan.D_NORMALIZATIONS)
    assert {p["generator"]["normalization"] for p in pairs} == set(dcgan.G_NORMALIZATIONS)
    assert bogonet.sample_pair(7) == bogonet.sample_pair(7)
    assert len({str(p) for p in pairs[:50]}) == 50  # independent draws differ
    # Independence of G and D families.
    joint = collections.Counter((p["generator"]["family"], p["discriminator"]["family"])
                                for p in pairs)
    assert abs(joint[("dcgan", "dcgan")] / len(pairs) - 0.36) < 0.04


def test_bogonet_pairs_build_and_train_a_step():
    for s in range(12):
        pair = bogonet.sample_pair(s, width_scale=1 / 16)
        g, d = bogonet.build(pair, (8, 8, 1), seed=s)
        z = tf.random.normal([4, pair["latent_dim"]])
        assert g(z).shape == (4, 8, 8, 1) and d(g(z)).shape == (4, 1)
    model = gan_lib.GAN(g, d, latent_dim=pair["latent_dim"], penalties={"dragan": {}})
    model.compile(d_optimizer="adam", g_optimizer="adam")
    before = [w.numpy() for w in g.trainable_weights + d.trainable_weights]
    logs = model.train_step(tf.random.uniform([4, 8, 8, 1], -1, 1))
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))
    # The step updated every trainable weight of both players (Adam's first step moves each
    # weight by about the learning rate, whatever its gradient's size).
    after = [w.numpy() for w in g.trainable_weights + d.trainable_weights]
    assert all(np.abs(a - b).max() > 0 for a, b in zip(after, before))


def test_mlp_maxout_discriminator_against_numpy():
    # Two maxout layers of 3 units, 4 pieces each, then a linear logit; a dense layer's output
    # index p * width + j is piece p of unit j.
    d = mlp.mlp_discriminator(input_shape=(2,), depth=2, width=3, maxout_pieces=4, seed=0)
    (w1, b1), (w2, b2), (w3, b3) = [layer.get_weights() for layer in d.layers
                                    if isinstance(layer, keras.layers.Dense)]
    assert w1.shape == (2, 12) and w2.shape == (3, 12) and w3.shape == (3, 1)
    x = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)

    def maxout(h, w, b):
        return (h @ w + b).reshape(len(h), 4, 3).max(1)

    want = maxout(maxout(x, w1, b1), w2, b2) @ w3 + b3
    np.testing.assert_allclose(np.asarray(d(x)), want, rtol=1e-5, atol=1e-6)
    # Its input gradient is the active pieces' weights (one maxout layer: sum_j w3_j W1[:, a_j]),
    # through a nested tape as the penalties take it.
    d1 = mlp.mlp_discriminator(input_shape=(2,), depth=1, width=3, maxout_pieces=4, seed=1)
    (w1, b1), (w3, _) = [layer.get_weights() for layer in d1.layers
                         if isinstance(layer, keras.layers.Dense)]
    active = (x @ w1 + b1).reshape(16, 4, 3).argmax(1)  # [16, 3]: the piece of each unit
    cols = active * 3 + np.arange(3)
    want = np.einsum("j,ibj->bi", w3[:, 0], w1[:, cols])
    xt = tf.constant(x)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            inner.watch(xt)
            logits = d1(xt)
        grad = inner.gradient(logits, xt)
        penalty = tf.reduce_sum(grad ** 2)
    np.testing.assert_allclose(grad.numpy(), want, rtol=1e-5, atol=1e-6)
    # The penalty P = sum_b |g_b|^2 by hand: dP/dW1[:, c] = sum over (b, j) with column c
    # active of 2 w3_j g_b; dP/dw3_j = sum_b 2 g_b . W1[:, c_bj]; the selection is piecewise
    # constant, so W1's bias gets no gradient.
    dw1, dw3 = np.zeros_like(w1), np.zeros_like(w3)
    for b in range(16):
        for j in range(3):
            dw1[:, cols[b, j]] += 2 * w3[j, 0] * want[b]
            dw3[j, 0] += 2 * want[b] @ w1[:, cols[b, j]]
    kernel1, bias1, kernel3, _ = outer.gradient(penalty, d1.trainable_variables)
    np.testing.assert_allclose(kernel1.numpy(), dw1, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(kernel3.numpy(), dw3, rtol=1e-4, atol=1e-6)
    assert bias1 is None or not np.any(bias1.numpy())
    # Keras layers only: the architecture round-trips through Keras's own serialisation.
    assert not any(type(layer).__module__.startswith("tfgan_reg") for layer in d.layers)
    clone = keras.models.model_from_json(d.to_json())
    clone.set_weights(d.get_weights())
    np.testing.assert_array_equal(np.asarray(clone(x)), np.asarray(d(x)))
    with pytest.raises(ValueError, match=r"`maxout_pieces` must be an integer >= 0 \(0: off\). "
                                         r"Received: maxout_pieces=-1"):
        mlp.mlp_discriminator(input_shape=(2,), maxout_pieces=-1)


def test_mlp_generator_output_tanh_is_tanh_of_the_linear_output():
    model = config_lib.base_config().model
    model.update(latent_dim=3, g_depth=1, g_width=8)
    linear, _ = nets.build("mlp", model, (2,), seed=1)
    model.g_output = "tanh"
    squashed, _ = nets.build("mlp", model, (2,), seed=1)
    z = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32) * 30
    out = squashed(z).numpy()
    np.testing.assert_allclose(out, np.tanh(linear(z).numpy()), rtol=1e-5, atol=1e-6)
    assert np.abs(linear(z).numpy()).max() > 1.0  # the linear output is not squashed


def test_validate_names_a_bad_g_output():
    config = config_lib.base_config()
    config.model.g_output = "sigmoid"
    with pytest.raises(ValueError, match=r"`model.g_output` must be one of \['linear', 'tanh'\]"):
        config_lib.validate(config)
