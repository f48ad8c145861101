"""BogoNet architectures (Kodali et al. 2017, section 5.2, supplement 3): a generator and a
discriminator drawn independently from a seed: family DCGAN (0.6), ResNet (0.2) or MLP (0.2),
then random depth, width, normalisation, nonlinearity and kernel; the latent size is drawn per
pair.

A pair is a plain dict (`sample_pair`), so it can be printed, stored with a run and rebuilt
(`build`). `width_scale` shrinks every width (tiny pairs for tests)."""
import numpy as np

from tfgan_reg.nets import dcgan, mlp, resnet

FAMILIES = ("dcgan", "resnet", "mlp")
PROBABILITIES = (0.6, 0.2, 0.2)
LATENT_DIMS = (32, 64, 100, 128)


def _width(rng, choices, scale):
    return max(2, int(round(int(rng.choice(choices)) * scale)))


def _sample(rng, role, scale):
    family = str(rng.choice(FAMILIES, p=PROBABILITIES))
    g = role == "generator"
    norms = dcgan.G_NORMALIZATIONS if g else dcgan.D_NORMALIZATIONS
    spec = {"family": family, "normalization": str(rng.choice(norms))}
    if family == "dcgan":
        spec.update(width=_width(rng, (32, 64, 128), scale), kernel=int(rng.choice((4, 5))),
                    activation=str(rng.choice(("relu", "leaky_relu", "tanh"))))
        if g:
            spec["constant_width"] = bool(rng.random() < 0.25)
    elif family == "resnet":
        spec.update(width=_width(rng, (32, 64, 128), scale),
                    extra_blocks=int(rng.integers(0, 3)))
    else:
        spec.update(depth=int(rng.integers(1, 6)), width=_width(rng, (128, 256, 512, 1024), scale),
                    activation=str(rng.choice(("relu", "leaky_relu", "tanh", "elu"))))
    return spec


def sample_pair(seed, width_scale=1.0):
    """The BogoNet pair of `seed`: {"latent_dim", "generator": spec, "discriminator": spec}."""
    rng = np.random.default_rng([int(seed), 8725])
    return {"latent_dim": int(rng.choice(LATENT_DIMS)),
            "generator": _sample(rng, "generator", width_scale),
            "discriminator": _sample(rng, "discriminator", width_scale)}


def describe(spec):
    keys = [k for k in spec if k != "family"]
    return f"{spec['family']}(" + ", ".join(f"{k}={spec[k]}" for k in keys) + ")"


def build_generator(spec, *, latent_dim, sample_shape, seed=None):
    kw = {k: v for k, v in spec.items() if k != "family"}
    if spec["family"] == "dcgan":
        return dcgan.dcgan_generator(latent_dim=latent_dim, output_shape=sample_shape,
                                     seed=seed, **kw)
    if spec["family"] == "resnet":
        return resnet.resnet_generator(latent_dim=latent_dim, output_shape=sample_shape,
                                       seed=seed, **kw)
    return mlp.mlp_generator(latent_dim=latent_dim, output_shape=sample_shape,
                             output_activation="tanh", seed=seed, **kw)


def build_discriminator(spec, *, sample_shape, seed=None):
    kw = {k: v for k, v in spec.items() if k != "family"}
    if spec["family"] == "dcgan":
        return dcgan.dcgan_discriminator(input_shape=sample_shape, seed=seed, **kw)
    if spec["family"] == "resnet":
        return resnet.resnet_discriminator(input_shape=sample_shape, seed=seed, **kw)
    return mlp.mlp_discriminator(input_shape=sample_shape, seed=seed, **kw)


def build(pair, sample_shape, seed=None, latent_dim=None):
    """(generator, discriminator) of a pair; `latent_dim` overrides the pair's."""
    latent = latent_dim or pair["latent_dim"]
    return (build_generator(pair["generator"], latent_dim=latent, sample_shape=sample_shape,
                            seed=None if seed is None else 2 * seed),
            build_discriminator(pair["discriminator"], sample_shape=sample_shape,
                                seed=None if seed is None else 2 * seed + 1))
