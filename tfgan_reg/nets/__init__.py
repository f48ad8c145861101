"""Network builders by config name (`config.model.arch`).

`build(arch, model_config, sample_shape, seed)` returns (generator, discriminator). `mlp` fits
any sample shape; the ICR paper's networks fix theirs (`SAMPLE_SHAPES`); the DCGAN, ResNet
and BogoNet families take any square image of even side >= 8 (`IMAGE_ONLY`). Names before the
papers were named (docs/PAPERS.md) work until tfgan_reg 0.2 with a warning (`RENAMED`).

For DCGAN and ResNet, `g_width` / `d_width` are the base filter counts and
`g_normalization` / `d_normalization` the normalisations (G: none | batch; D: none | batch |
layer | spectral). The hard variants of Kodali et al. 2017 (supplement 2.4) start from DCGAN.
"""
import warnings

from tfgan_reg import checks
from tfgan_reg.nets import bogonet, dcgan, icr, mlp, resnet

# Old name -> new name, for one release (until tfgan_reg 0.2): the ICR paper's architectures
# and their module, named by the paper's number before docs/PAPERS.md named the papers.
RENAMED = {"seed003_cifar": "icr_cifar", "seed003_mnist": "icr_mnist", "seed003": "icr"}


# An MLP generator's output activation (`model.g_output`): none, or squashed to the data's range.
G_OUTPUTS = ("linear", "tanh")


def _mlp(m, sample_shape, seed):
    output = checks.choice("model.g_output", m.get("g_output", "linear"), G_OUTPUTS)
    return (mlp.mlp_generator(latent_dim=m.latent_dim, output_shape=sample_shape,
                              depth=m.g_depth, width=m.g_width, activation=m.activation,
                              normalization=m.g_normalization,
                              output_activation=None if output == "linear" else output,
                              seed=2 * seed),
            mlp.mlp_discriminator(input_shape=sample_shape, depth=m.d_depth, width=m.d_width,
                                  activation=m.activation, normalization=m.d_normalization,
                                  maxout_pieces=m.d_maxout_pieces, seed=2 * seed + 1))


def _icr(generator, discriminator):
    def build(m, sample_shape, seed):
        return (generator(latent_dim=m.latent_dim, seed=2 * seed),
                discriminator(normalization=m.d_normalization, seed=2 * seed + 1))
    return build


def _dcgan(*, g_activation="relu", d_activation="leaky_relu", constant_width=False,
           mlp_g=False, mlp_d=False):
    def build(m, shape, seed):
        if mlp_g:  # a 4-layer 512-unit ReLU MLP generator with tanh output
            g = mlp.mlp_generator(latent_dim=m.latent_dim, output_shape=shape, depth=4,
                                  width=512, activation="relu", output_activation="tanh",
                                  seed=2 * seed)
        else:
            g = dcgan.dcgan_generator(
                latent_dim=m.latent_dim, output_shape=shape, width=m.g_width,
                normalization="none" if constant_width else m.g_normalization,
                activation=g_activation, constant_width=constant_width, seed=2 * seed)
        if mlp_d:  # a 4-layer 512-unit LeakyReLU MLP discriminator
            d = mlp.mlp_discriminator(input_shape=shape, depth=4, width=512,
                                      activation="leaky_relu",
                                      normalization=m.d_normalization, seed=2 * seed + 1)
        else:
            d = dcgan.dcgan_discriminator(input_shape=shape, width=m.d_width,
                                          normalization=m.d_normalization,
                                          activation=d_activation, seed=2 * seed + 1)
        return g, d
    return build


def _resnet(m, shape, seed):
    return (resnet.resnet_generator(latent_dim=m.latent_dim, output_shape=shape,
                                    width=m.g_width, normalization=m.g_normalization,
                                    seed=2 * seed),
            resnet.resnet_discriminator(input_shape=shape, width=m.d_width,
                                        normalization=m.d_normalization, seed=2 * seed + 1))


def _bogonet(m, shape, seed):
    pair = bogonet.sample_pair(m.bogonet_seed, m.bogonet_scale)
    return bogonet.build(pair, shape, seed, latent_dim=m.latent_dim)


ARCHITECTURES = {
    "mlp": _mlp,
    # DCGAN (Radford et al.) and Kodali et al.'s hard variants (supplement 2.4): no BN and constant
    # filters in G; a 4x512 ReLU MLP generator; tanh everywhere; tanh G with a 4x512
    # LeakyReLU MLP discriminator.
    "dcgan": _dcgan(),
    "dcgan_constant": _dcgan(constant_width=True),
    "dcgan_mlp_g": _dcgan(mlp_g=True),
    "dcgan_tanh": _dcgan(g_activation="tanh", d_activation="tanh"),
    "dcgan_tanh_mlp_d": _dcgan(g_activation="tanh", mlp_d=True),
    # Gulrajani et al.'s pre-activation ResNet (Roth et al. 2017, appendix 7.4).
    "resnet": _resnet,
    # A random pair drawn from model.bogonet_seed (Kodali et al. 2017, section 5.2).
    "bogonet": _bogonet,
    # The ICR paper's WGAN-GP CIFAR-10 DCGAN (Tables 4-5) and its MNIST pair (Tables 1-2).
    "icr_cifar": _icr(icr.cifar_generator, icr.cifar_discriminator),
    "icr_mnist": _icr(icr.mnist_generator, icr.mnist_discriminator),
}
SAMPLE_SHAPES = {"icr_cifar": (32, 32, 3), "icr_mnist": (28, 28, 1)}
IMAGE_ONLY = ("dcgan", "dcgan_constant", "dcgan_mlp_g", "dcgan_tanh", "dcgan_tanh_mlp_d",
              "resnet", "bogonet")


def names():
    return sorted(ARCHITECTURES)


def current_name(arch):
    """`arch`, or the new name of an old one (`RENAMED`) with a `FutureWarning`."""
    if RENAMED.get(arch) not in ARCHITECTURES:
        return arch
    # stacklevel=1: one location, so Python's default filter prints it once per process.
    warnings.warn(f"model.arch={arch!r} is now {RENAMED[arch]!r} (docs/PAPERS.md); the old "
                  f"name works until tfgan_reg 0.2.", FutureWarning, stacklevel=1)
    return RENAMED[arch]


def __getattr__(name):
    """`from tfgan_reg.nets import <old module name>` (PEP 562), with a `FutureWarning`."""
    if name in RENAMED and RENAMED[name] in globals():
        warnings.warn(f"tfgan_reg.nets.{name} is now tfgan_reg.nets.{RENAMED[name]} "
                      f"(docs/PAPERS.md); the old name works until tfgan_reg 0.2.",
                      FutureWarning, stacklevel=2)
        return globals()[RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check(arch, sample_shape, *, data_name=None):
    """Raises `ValueError` unless `arch` builds for samples of `sample_shape` (of the data set
    `data_name`, named in the message when given). An old name (`RENAMED`) warns."""
    arch = current_name(arch)
    checks.choice("model.arch", arch, names())
    data = f"data.name={data_name!r}" if data_name else "data"
    needed = SAMPLE_SHAPES.get(arch)
    if needed is not None and tuple(sample_shape) != needed:
        raise ValueError(f"model.arch={arch!r} takes samples of shape {needed}. "
                         f"Received: {data} of shape {tuple(sample_shape)}")
    if arch in IMAGE_ONLY:
        if len(sample_shape) != 3:
            raise ValueError(f"model.arch={arch!r} takes images; {data} is low-dimensional "
                             f"(shape {tuple(sample_shape)}; use model.arch='mlp').")
        dcgan.stages(sample_shape[0])


def build(arch, model_config, sample_shape, seed):
    arch = current_name(arch)
    check(arch, sample_shape)
    return ARCHITECTURES[arch](model_config, tuple(sample_shape), seed)
