"""DCGAN (Radford et al. 2016) generators and discriminators for square images with an even side
of at least 8 (8, 16, 28, 32, 64, ... px), with the options Kodali et al.'s hard variants
need (supplement 2.4; registered in `tfgan_reg.nets`). Images are NHWC in [-1, 1]; discriminators
output raw logits [B, 1]."""
import keras

from tfgan_reg import checks
from tfgan_reg.nets import layers

G_NORMALIZATIONS = ("none", "batch")
D_NORMALIZATIONS = layers.NORMALIZATIONS
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu")


def stages(size):
    """(start side, number of stride-2 stages): 64 -> (4, 4), 32 -> (4, 3), 28 -> (7, 2)."""
    side, k = int(size), 0
    while side % 2 == 0 and side // 2 >= 4:
        side, k = side // 2, k + 1
    if k == 0:
        raise ValueError(f"Image side {size} must be even and at least 8 (the networks "
                         f"double a side of 4 or more), e.g. 8, 16, 28, 32 or 64.")
    return side, k


def activation_layer(name):
    checks.choice("activation", name, ACTIVATIONS)
    if name == "leaky_relu":
        return keras.layers.LeakyReLU(0.2)
    return keras.layers.Activation(name)


def check_square(shape):
    """`shape` as a tuple; raises `ValueError` unless it is a square NHWC image."""
    shape = tuple(shape)
    if len(shape) != 3 or shape[0] != shape[1]:
        raise ValueError(f"DCGAN and ResNet networks take square NHWC images. "
                         f"Received: sample shape {shape}")
    return shape


def dcgan_generator(*, latent_dim, output_shape, width=64, kernel=4, normalization="batch",
                    activation="relu", constant_width=False, seed=None, name="generator"):
    """Linear to (side0, side0, width * 2^(k-1)), then k-1 ConvT(stride 2)-norm-activation
    stages halving the filters (all `width` when `constant_width`), then ConvT-tanh."""
    h_out, _, channels = check_square(output_shape)
    side0, k = stages(h_out)
    filters = [width if constant_width else width * 2 ** (k - 1 - i) for i in range(k)]
    seeds = layers.Seeds(seed)
    z = keras.Input((latent_dim,))
    h = keras.layers.Dense(side0 * side0 * filters[0], kernel_initializer=seeds.kernel())(z)
    h = activation_layer(activation)(
        layers.normalization(normalization, G_NORMALIZATIONS, conv=False)(h))
    h = keras.layers.Reshape((side0, side0, filters[0]))(h)
    for f in filters[1:]:
        h = layers.Conv2DTranspose(f, kernel, 2, padding="same",
                                   kernel_initializer=seeds.kernel())(h)
        h = activation_layer(activation)(
            layers.normalization(normalization, G_NORMALIZATIONS)(h))
    x = layers.Conv2DTranspose(channels, kernel, 2, padding="same", activation="tanh",
                               kernel_initializer=seeds.kernel())(h)
    return keras.Model(z, x, name=name)


def dcgan_discriminator(*, input_shape, width=64, kernel=4, normalization="batch",
                        activation="leaky_relu", seed=None, name="discriminator"):
    """k Conv(stride 2)-norm-activation stages doubling the filters from `width` (no
    normalisation after the first, as in DCGAN), then Linear to one logit."""
    side, _, _ = check_square(input_shape)
    _, k = stages(side)
    # An unknown name fails here, naming the choices. The layer is built and dropped, as it
    # always was, so the layers after it keep their auto-generated names.
    layers.normalization(normalization, D_NORMALIZATIONS)
    seeds = layers.Seeds(seed)
    x = keras.Input(tuple(input_shape))
    h = x
    for i in range(k):
        conv = layers.Conv2D(width * 2 ** i, kernel, 2, padding="same",
                             kernel_initializer=seeds.kernel())
        h = layers.maybe_spectral(conv, normalization)(h)
        if i > 0:
            h = layers.normalization(normalization, D_NORMALIZATIONS)(h)
        h = activation_layer(activation)(h)
    h = keras.layers.Flatten()(h)
    logits = layers.maybe_spectral(keras.layers.Dense(1, kernel_initializer=seeds.kernel()),
                                   normalization)(h)
    return keras.Model(x, logits, name=name)
