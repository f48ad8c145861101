"""The pre-activation ResNet GAN of Gulrajani et al. 2017 (Roth et al. 2017, appendix 7.4): residual
blocks of two 3x3 convolutions with ReLU; the generator is a linear layer, one up-sampling
block per stage, BN-ReLU and a 3x3 convolution with tanh; the discriminator a 3x3 convolution,
one down-sampling block per stage and a linear layer. 32 px: three stages of `width` filters
(the CIFAR-10 network, width 128); 64 px: four stages of 8, 4, 2, 1 times `width` (width 64)."""
import keras

from tfgan_reg.nets import layers
from tfgan_reg.nets.dcgan import D_NORMALIZATIONS, G_NORMALIZATIONS, check_square, stages


def _multipliers(k):
    return tuple(2 ** (k - 1 - i) for i in range(k)) if k >= 4 else (1,) * k


def _conv(filters, size, seeds, normalization="none"):
    """A 3x3 or 1x1 "same" convolution, spectrally normalised under "spectral"."""
    return layers.maybe_spectral(keras.layers.Conv2D(filters, size, padding="same",
                                                     kernel_initializer=seeds.kernel()),
                                 normalization)


def _block(x, filters, resample, normalization, valid, seeds):
    """Pre-activation residual block; `resample` is "up", "down" or None."""
    in_filters = x.shape[-1]
    h = keras.layers.ReLU()(layers.normalization(normalization, valid)(x))
    if resample == "up":
        h = keras.layers.UpSampling2D(2)(h)
    h = _conv(filters, 3, seeds, normalization)(h)
    h = keras.layers.ReLU()(layers.normalization(normalization, valid)(h))
    h = _conv(filters, 3, seeds, normalization)(h)
    shortcut = x
    if resample == "up":
        shortcut = keras.layers.UpSampling2D(2)(shortcut)
    if resample is not None or in_filters != filters:
        shortcut = _conv(filters, 1, seeds, normalization)(shortcut)
    if resample == "down":
        h = keras.layers.AveragePooling2D(2)(h)
        shortcut = keras.layers.AveragePooling2D(2)(shortcut)
    return keras.layers.Add()([shortcut, h])


def resnet_generator(*, latent_dim, output_shape, width=128, normalization="batch",
                     extra_blocks=0, seed=None, name="generator"):
    """`extra_blocks` adds that many non-resampling blocks after the up-sampling ones
    (random depth for BogoNet)."""
    side, _, channels = check_square(output_shape)
    side0, k = stages(side)
    mult = _multipliers(k)
    seeds = layers.Seeds(seed)
    z = keras.Input((latent_dim,))
    h = keras.layers.Dense(side0 * side0 * width * mult[0], kernel_initializer=seeds.kernel())(z)
    h = keras.layers.Reshape((side0, side0, width * mult[0]))(h)
    for m in mult:
        h = _block(h, width * m, "up", normalization, G_NORMALIZATIONS, seeds)
    for _ in range(extra_blocks):
        h = _block(h, width * mult[-1], None, normalization, G_NORMALIZATIONS, seeds)
    h = keras.layers.ReLU()(layers.normalization(normalization, G_NORMALIZATIONS)(h))
    x = keras.layers.Activation("tanh")(_conv(channels, 3, seeds)(h))
    return keras.Model(z, x, name=name)


def resnet_discriminator(*, input_shape, width=128, normalization="none", extra_blocks=0,
                         seed=None, name="discriminator"):
    side, _, _ = check_square(input_shape)
    _, k = stages(side)
    mult = _multipliers(k)[::-1]
    seeds = layers.Seeds(seed)
    x = keras.Input(tuple(input_shape))
    # An unknown name fails here, naming the choices (built and dropped, as in dcgan).
    layers.normalization(normalization, D_NORMALIZATIONS)
    h = _conv(width * mult[0], 3, seeds, normalization)(x)
    for m in mult:
        h = _block(h, width * m, "down", normalization, D_NORMALIZATIONS, seeds)
    for _ in range(extra_blocks):
        h = _block(h, width * mult[-1], None, normalization, D_NORMALIZATIONS, seeds)
    h = keras.layers.Flatten()(keras.layers.ReLU()(h))
    logits = layers.maybe_spectral(keras.layers.Dense(1, kernel_initializer=seeds.kernel()),
                                   normalization)(h)
    return keras.Model(x, logits, name=name)
