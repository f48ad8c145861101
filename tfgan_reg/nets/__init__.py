"""Network builders by config name (`config.model.arch`): (generator, discriminator) pairs."""
from tfgan_reg.nets import mlp

ARCHITECTURES = {"mlp": (mlp.mlp_generator, mlp.mlp_discriminator)}


def names():
    return sorted(ARCHITECTURES)


def get(name):
    """(generator builder, discriminator builder) registered under `name`."""
    if name not in ARCHITECTURES:
        raise ValueError(f"`model.arch` must be one of {names()}. Received: model.arch={name!r}")
    return ARCHITECTURES[name]
