"""Fully connected generator and discriminator for the low-dimensional problems."""
import keras

from tfgan_reg import checks
from tfgan_reg.nets import layers

NORMALIZATIONS = layers.NORMALIZATIONS
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu", "softplus")


def _dense(units, normalization, seeds):
    return layers.maybe_spectral(keras.layers.Dense(units, kernel_initializer=seeds.kernel()),
                                 normalization)


def _check(depth, width, activation, normalization):
    checks.number("depth", depth, low=1, integer=True)
    checks.number("width", width, low=1, integer=True)
    checks.choice("activation", activation, ACTIVATIONS)
    layers.check_normalization(normalization, NORMALIZATIONS)


def mlp_generator(*, latent_dim, output_shape, depth=3, width=128, activation="relu",
                  normalization="none", output_activation=None, name="generator", seed=None):
    """`depth` hidden layers of `width` units mapping [B, latent_dim] to [B, *output_shape].

    `seed` makes the initial weights reproducible."""
    _check(depth, width, activation, normalization)
    seeds = layers.Seeds(seed)
    output_shape = tuple(output_shape)
    z = keras.Input((latent_dim,))
    h = z
    for _ in range(depth):
        h = _dense(width, normalization, seeds)(h)
        h = layers.normalization(normalization, NORMALIZATIONS, conv=False)(h)
        h = keras.layers.Activation(activation)(h)
    size = 1
    for s in output_shape:
        size *= s
    x = keras.layers.Dense(size, activation=output_activation,
                           kernel_initializer=seeds.kernel())(h)
    x = keras.layers.Reshape(output_shape)(x)
    return keras.Model(z, x, name=name)


def maxout(h, width, pieces):
    """Maxout units (Goodfellow et al. 2013, eq. 1): [B, pieces * width] affine pieces, unit j
    the max of pieces p * width + j, p = 0 .. pieces-1; Keras layers only (files load with
    Keras alone)."""
    h = keras.layers.Reshape((pieces, width))(h)
    return keras.layers.GlobalMaxPooling1D()(h)


def mlp_discriminator(*, input_shape, depth=3, width=128, activation="relu",
                      normalization="none", maxout_pieces=0, name="discriminator", seed=None):
    """`depth` hidden layers of `width` units mapping samples to raw logits [B, 1].

    `maxout_pieces` = k > 0: each hidden unit is the max of k affine pieces (`maxout`) in place
    of `activation`, as in PacGAN's 2-D discriminator (configs/pacgan.py)."""
    _check(depth, width, activation, normalization)
    checks.number("maxout_pieces", maxout_pieces, low=0, integer=True, note=" (0: off)")
    seeds = layers.Seeds(seed)
    x = keras.Input(tuple(input_shape))
    h = keras.layers.Flatten()(x)
    for _ in range(depth):
        h = _dense(width * max(maxout_pieces, 1), normalization, seeds)(h)
        h = layers.normalization(normalization, NORMALIZATIONS, conv=False)(h)
        h = maxout(h, width, maxout_pieces) if maxout_pieces \
            else keras.layers.Activation(activation)(h)
    logits = _dense(1, normalization, seeds)(h)
    return keras.Model(x, logits, name=name)
