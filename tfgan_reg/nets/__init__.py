"""Network builders by config name (`config.model.arch`).

`build(arch, model_config, sample_shape, seed)` returns (generator, discriminator). `mlp` fits
any sample shape; the image architectures fix theirs (`SAMPLE_SHAPES`).
"""
from tfgan_reg.nets import mlp, seed003


def _mlp(m, sample_shape, seed):
    return (mlp.mlp_generator(latent_dim=m.latent_dim, output_shape=sample_shape,
                              depth=m.g_depth, width=m.g_width, activation=m.activation,
                              normalization=m.g_normalization, seed=2 * seed),
            mlp.mlp_discriminator(input_shape=sample_shape, depth=m.d_depth, width=m.d_width,
                                  activation=m.activation, normalization=m.d_normalization,
                                  seed=2 * seed + 1))


def _seed003(generator, discriminator):
    def build(m, sample_shape, seed):
        return (generator(latent_dim=m.latent_dim, seed=2 * seed),
                discriminator(normalization=m.d_normalization, seed=2 * seed + 1))
    return build


ARCHITECTURES = {
    "mlp": _mlp,
    # Seed 003's WGAN-GP CIFAR-10 DCGAN (Tables 4-5) and its MNIST pair (Tables 1-2).
    "seed003_cifar": _seed003(seed003.cifar_generator, seed003.cifar_discriminator),
    "seed003_mnist": _seed003(seed003.mnist_generator, seed003.mnist_discriminator),
}
SAMPLE_SHAPES = {"seed003_cifar": (32, 32, 3), "seed003_mnist": (28, 28, 1)}


def names():
    return sorted(ARCHITECTURES)


def build(arch, model_config, sample_shape, seed):
    if arch not in ARCHITECTURES:
        raise ValueError(f"`model.arch` must be one of {names()}. Received: model.arch={arch!r}")
    needed = SAMPLE_SHAPES.get(arch)
    if needed is not None and tuple(sample_shape) != needed:
        raise ValueError(f"model.arch={arch!r} takes samples of shape {needed}. "
                         f"Received: data of shape {tuple(sample_shape)}")
    return ARCHITECTURES[arch](model_config, tuple(sample_shape), seed)
