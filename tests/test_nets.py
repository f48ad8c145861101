"""DCGAN, ResNet, the hard DCGAN variants and the BogoNet sampler: shapes, ranges, structure
against the papers' tables, bad input."""
import collections
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import config_lib, nets
from tfgan_reg import gan as gan_lib
from tfgan_reg.nets import bogonet, dcgan, layers, mlp, resnet, seed003

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
    start = time.perf_counter()
    g, d = nets.build(arch, _model_config(arch), shape, seed=0)
    x = g(tf.random.normal([3, 8]), training=False)
    logits = d(x, training=False)
    assert x.shape == (3,) + shape and logits.shape == (3, 1)
    assert float(tf.reduce_max(tf.abs(x))) <= 1.0  # tanh output
    assert time.perf_counter() - start < 2.0


def test_dcgan_equals_the_wgan_gp_cifar_tables():
    # Seed 003 Tables 4-5 (Gulrajani et al.'s DCGAN) are DCGAN at width 64 with BN in G and no
    # normalisation in D: same layers, same parameter counts.
    g = dcgan.dcgan_generator(latent_dim=128, output_shape=(32, 32, 3), width=64)
    d = dcgan.dcgan_discriminator(input_shape=(32, 32, 3), width=64, normalization="none")
    assert g.count_params() == seed003.cifar_generator(latent_dim=128).count_params()
    assert d.count_params() == seed003.cifar_discriminator().count_params()
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
    # 64 px (seed 001 app. 7.4): linear, four up-sampling residual blocks, conv + tanh; the
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


def test_seed003_spectral_discriminators_wrap_every_weight_layer():
    for d in (seed003.mnist_discriminator(normalization="spectral"),
              seed003.cifar_discriminator(normalization="spectral")):
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
        seed003.mnist_discriminator(normalization="layer")
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
    logs = model.train_step(tf.random.uniform([4, 8, 8, 1], -1, 1))
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))
