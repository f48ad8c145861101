"""The networks of the ICR paper (Schaefer et al. 2020, "Implicit competitive regularization in
GANs"): its MNIST pair (Tables 1-2) and the WGAN-GP CIFAR-10 DCGAN pair (Tables 4-5, from
Gulrajani et al. 2017). Images are NHWC in [-1, 1]; the discriminators output raw logits [B, 1].
The 4x4 stride-2 convolutions are `nets.layers`' (Keras's, with a faster bfloat16 kernel
gradient at 4x4 maps)."""
import keras

from tfgan_reg.nets import layers
from tfgan_reg.nets.layers import seeded_glorot as _init

D_NORMALIZATIONS = ("none", "spectral")


def cifar_generator(*, latent_dim=128, seed=None, name="generator"):
    """Table 4: Linear-BN-ReLU to 256x4x4, then ConvT(4, stride 2)-BN-ReLU to 128x8x8 and
    64x16x16, then ConvT-tanh to 3x32x32."""
    z = keras.Input((latent_dim,))
    h = keras.layers.Dense(4 * 4 * 256, kernel_initializer=_init(seed, 1))(z)
    h = keras.layers.ReLU()(layers.BatchNormalization()(h))
    h = keras.layers.Reshape((4, 4, 256))(h)
    for k, filters in enumerate((128, 64)):
        h = layers.Conv2DTranspose(filters, 4, 2, padding="same",
                                   kernel_initializer=_init(seed, 2 + k))(h)
        h = keras.layers.ReLU()(layers.BatchNormalization()(h))
    x = layers.Conv2DTranspose(3, 4, 2, padding="same", activation="tanh",
                               kernel_initializer=_init(seed, 4))(h)
    return keras.Model(z, x, name=name)


def cifar_discriminator(*, normalization="none", seed=None, name="discriminator"):
    """Table 5: Conv(4, stride 2)-LeakyReLU to 64x16x16, 128x8x8, 256x4x4, then Linear."""
    layers.check_normalization(normalization, D_NORMALIZATIONS)
    x = keras.Input((32, 32, 3))
    h = x
    for k, filters in enumerate((64, 128, 256)):
        conv = layers.Conv2D(filters, 4, 2, padding="same",
                             kernel_initializer=_init(seed, 1 + k))
        h = layers.maybe_spectral(conv, normalization)(h)
        h = keras.layers.LeakyReLU(0.2)(h)
    h = keras.layers.Flatten()(h)
    logits = layers.maybe_spectral(keras.layers.Dense(1, kernel_initializer=_init(seed, 4)),
                                   normalization)(h)
    return keras.Model(x, logits, name=name)


def mnist_generator(*, latent_dim=96, seed=None, name="generator"):
    """Table 1: Linear-BN-ReLU 1024, Linear-BN-ReLU 128x7x7, ConvT(4, 2)-BN-ReLU 64x14x14,
    ConvT(4, 2)-tanh 1x28x28."""
    z = keras.Input((latent_dim,))
    h = keras.layers.Dense(1024, kernel_initializer=_init(seed, 1))(z)
    h = keras.layers.ReLU()(layers.BatchNormalization()(h))
    h = keras.layers.Dense(7 * 7 * 128, kernel_initializer=_init(seed, 2))(h)
    h = keras.layers.ReLU()(layers.BatchNormalization()(h))
    h = keras.layers.Reshape((7, 7, 128))(h)
    h = layers.Conv2DTranspose(64, 4, 2, padding="same", kernel_initializer=_init(seed, 3))(h)
    h = keras.layers.ReLU()(layers.BatchNormalization()(h))
    x = layers.Conv2DTranspose(1, 4, 2, padding="same", activation="tanh",
                               kernel_initializer=_init(seed, 4))(h)
    return keras.Model(z, x, name=name)


def mnist_discriminator(*, normalization="none", seed=None, name="discriminator"):
    """Table 2: Conv(5, 1)-LeakyReLU 32x24x24, MaxPool 2, Conv(5, 1)-LeakyReLU 64x8x8,
    MaxPool 2, Linear-LeakyReLU 1024, Linear 1."""
    layers.check_normalization(normalization, D_NORMALIZATIONS)
    x = keras.Input((28, 28, 1))
    h = x
    for k, filters in enumerate((32, 64)):
        conv = keras.layers.Conv2D(filters, 5, 1, padding="valid",
                                   kernel_initializer=_init(seed, 1 + k))
        h = layers.maybe_spectral(conv, normalization)(h)
        h = keras.layers.MaxPooling2D(2)(keras.layers.LeakyReLU(0.2)(h))
    h = keras.layers.Flatten()(h)
    h = keras.layers.LeakyReLU(0.2)(layers.maybe_spectral(
        keras.layers.Dense(1024, kernel_initializer=_init(seed, 3)), normalization)(h))
    logits = layers.maybe_spectral(keras.layers.Dense(1, kernel_initializer=_init(seed, 4)),
                                   normalization)(h)
    return keras.Model(x, logits, name=name)
