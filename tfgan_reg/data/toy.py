"""Low-dimensional data sets (docs/METHODS.md section 4), generated statelessly from a seed.

Three Gaussian-mixture families take their parameters from the config: `data.name` = `ring`,
`grid` or `submanifold`, with the keyword arguments of `ring`, `grid` and `submanifold` as the
keys of `data.ring`, `data.grid` and `data.submanifold`. `ring8`, `grid25` and `submanifold7`
are those families at their defaults (the same samples as before the families existed).

The batch of step `s` is a function of `(seed, s)` only, so a resumed run sees exactly the
batches it would have seen without stopping: fresh draws (`num_points=0`), or the points of a
fixed training set of `num_points` draws read in a new order every epoch.
"""
import inspect
import math

import numpy as np
import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg import rng

# Keys a fixed training set's draw and its epoch orders in place of a step (steps are >= 0).
_POINTS = -1
_ORDER = -2


class Mixture:
    """A Gaussian mixture with equal weights: centres [K, d], isotropic `std` per component.

    With `rotation` ([d, d], orthogonal) the noise is 2-D, `std` along each of the rotation's
    first two columns: the mixture then lies in a plane of R^d.
    """

    def __init__(self, centres, std, rotation=None):
        self.centres = np.asarray(centres, np.float32)
        self.std = float(std)
        self.dim = self.centres.shape[1]
        self.rotation = None if rotation is None else np.asarray(rotation, np.float32)

    def sample(self, n, seed):
        seed = rng.as_seed(seed)
        k = tf.random.stateless_uniform([n], rng.fold(seed, 0), 0, len(self.centres), tf.int32)
        centres = tf.gather(self.centres, k)
        if self.rotation is None:
            return centres + self.std * tf.random.stateless_normal([n, self.dim],
                                                                   rng.fold(seed, 1))
        rows = tf.shape(centres)[0]
        noise2 = tf.random.stateless_normal([rows, 2], rng.fold(seed, 1))
        noise = tf.concat([noise2, tf.zeros([rows, self.dim - 2])], 1)
        return centres + self.std * tf.matmul(noise, tf.constant(self.rotation.T))


def _check_common(prefix, modes, std):
    checks.number(f"{prefix}modes", modes, low=1, integer=True)
    checks.number(f"{prefix}std", std, low=0, low_open=True)


def ring(*, modes=8, radius=2.0 / 1.414, std=0.02 / 1.414, prefix=""):
    """`modes` components centred at radius * (cos 2 pi k / K, sin 2 pi k / K), k = 0 .. K-1.

    The defaults are ring8: radius 2 and std 0.02, both divided by 1.414. PacGAN's (Lin et al.
    2018) ring is radius 1, std 0.01; VEEGAN's (Srivastava et al. 2017) radius 2, std 0.02.
    `prefix` is prepended to the argument names in error messages (a config's `data.ring.`).
    """
    _check_common(prefix, modes, std)
    checks.number(f"{prefix}radius", radius, low=0, low_open=True)
    angles = np.arange(modes) * (2 * np.pi / modes)
    return Mixture(radius * np.stack([np.cos(angles), np.sin(angles)], 1), std)


def grid(*, modes=25, spacing=2.0 / 2.828, std=0.05 / 2.828, prefix=""):
    """A square grid of `modes` = side^2 components centred on the origin, `spacing` apart:
    centres (i - (side - 1) / 2) * spacing per axis, i = 0 .. side-1.

    The defaults are grid25: {-4, -2, 0, 2, 4}^2 with std 0.05, both divided by 2.828. PacGAN's
    grid is spacing 2, std 0.05.
    """
    _check_common(prefix, modes, std)
    side = math.isqrt(modes)
    if side * side != modes:
        raise ValueError(f"`{prefix}modes` must be a square number (a side x side grid: 1, 4, "
                         f"9, 16, 25, ...). Received: {prefix}modes={modes!r}")
    checks.number(f"{prefix}spacing", spacing, low=0, low_open=True)
    axis = (np.arange(side) - (side - 1) / 2) * spacing
    return Mixture(np.stack(np.meshgrid(axis, axis, indexing="ij"), -1).reshape(-1, 2), std)


def _rotation(axis, angle):
    """Rodrigues' rotation matrix about the unit `axis`."""
    axis = np.asarray(axis, np.float64) / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * k @ k


# Roth et al. 2017, appendix 7.3: rotate by pi/4 about (1, -1, 0)/sqrt(2), translate by
# (1, 1, 1)/sqrt(3).
SUBMANIFOLD_ROTATION = _rotation([1.0, -1.0, 0.0], math.pi / 4)
SUBMANIFOLD_SHIFT = np.ones(3) / math.sqrt(3.0)


def submanifold(*, modes=7, radius=1.0, std=0.01, dim=3, prefix=""):
    """Roth et al. 2017 (appendix 7.3): `modes` components on a circle of `radius` in a plane
    of R^dim, the noise (std per in-plane axis) in that plane, so the mixture is degenerate.

    The circle starts in the plane of the first two axes; the first three coordinates are
    rotated by pi/4 about (1, -1, 0)/sqrt(2) and shifted by (1, 1, 1)/sqrt(3) as in the paper,
    the other dim - 3 are zero (dim >= 3). The defaults are submanifold7.
    """
    _check_common(prefix, modes, std)
    checks.number(f"{prefix}radius", radius, low=0, low_open=True)
    checks.number(f"{prefix}dim", dim, low=3, integer=True)
    angles = np.arange(modes) * (2 * np.pi / modes)
    circle = radius * np.stack([np.cos(angles), np.sin(angles), np.zeros(modes)], 1)
    centres = np.concatenate([circle @ SUBMANIFOLD_ROTATION.T + SUBMANIFOLD_SHIFT,
                              np.zeros([modes, dim - 3])], 1)
    rotation = np.eye(dim)
    rotation[:3, :3] = SUBMANIFOLD_ROTATION
    return Mixture(centres, std, rotation=rotation)


class SwissRoll:
    """scikit-learn's `make_swiss_roll(noise=0.25)`, coordinates 0 and 2, divided by 7.5."""
    dim = 2
    centres = None

    def sample(self, n, seed):
        seed = rng.as_seed(seed)
        t = 1.5 * math.pi * (1.0 + 2.0 * tf.random.stateless_uniform([n], rng.fold(seed, 0)))
        noise = 0.25 * tf.random.stateless_normal([n, 2], rng.fold(seed, 1))
        return (tf.stack([t * tf.cos(t), t * tf.sin(t)], 1) + noise) / 7.5


class Dirac:
    """The Dirac-GAN's data `delta_0` (Mescheder et al. 2018 section 2.2), in one dimension."""
    dim = 1
    centres = np.zeros([1, 1], np.float32)
    std = 0.0

    def sample(self, n, seed):
        return tf.zeros([n, 1])


# The families by config name; each config key `data.<family>.<argument>` is an argument.
FAMILIES = {"ring": ring, "grid": grid, "submanifold": submanifold}

# Fixed sets: the families at their defaults under the names they had before the families
# (configs, claims and committed records use them), and the sets without parameters.
DATASETS = {
    "ring8": ring(),
    "grid25": grid(),
    "swissroll": SwissRoll(),
    "submanifold7": submanifold(),
    # Li et al.'s (0-GP) value-surface experiment: one bivariate Gaussian (no std given there).
    "gaussian2d": Mixture(np.zeros([1, 2]), 1.0),
    "dirac": Dirac(),
}
PRESETS = {"ring8": "ring", "grid25": "grid", "submanifold7": "submanifold"}


def defaults(family):
    """{argument: default} of a family (the config block `data.<family>`)."""
    return {k: p.default for k, p in inspect.signature(FAMILIES[family]).parameters.items()
            if k != "prefix"}


def names():
    return sorted(list(DATASETS) + list(FAMILIES))


def get(name, *, prefix="", **params):
    """The named set: a family built from `params` (its keyword arguments, named in errors as
    `prefix + argument`), or a fixed set (no `params`)."""
    if name in FAMILIES:
        return FAMILIES[name](prefix=prefix, **params)
    checks.choice("dataset", name, names())
    if params:
        raise ValueError(f"dataset={name!r} has fixed parameters; the families "
                         f"{sorted(FAMILIES)} take them. Received: {params}")
    return DATASETS[name]


def sample(name, n, seed, *, params=None):
    """`n` samples of the named set as a [n, dim] float32 tensor."""
    return get(name, **(params or {})).sample(n, seed)


def dataset(name, *, batch_size, seed, start_step=0, num_steps=None, params=None,
            num_points=0):
    """Batches for steps start_step, start_step + 1, ...; batch `s` depends on (seed, s) only.

    `num_points` = 0: batch `s` is fresh draws. `num_points` = N > 0: a fixed training set of N
    draws (from the seed) is read as one stream, each epoch of N points in a new order (from
    the seed and the epoch), and batch `s` is the stream's points s*B .. (s+1)*B - 1 (B =
    `batch_size`; a batch may span two epochs), as in PacGAN's 100,000 points for 400 epochs.
    """
    source = get(name, **(params or {}))
    base = rng.fold(rng.as_seed(seed), rng.DATA)
    if not num_points:
        steps = tf.data.Dataset.range(start_step, start_step + num_steps) \
            if num_steps is not None else tf.data.Dataset.range(start_step, 2**62)
        return steps.map(lambda s: source.sample(batch_size, rng.fold(base, s)),
                         num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
    points = source.sample(num_points, rng.fold(base, _POINTS))
    order = rng.fold(base, _ORDER)
    first = start_step * batch_size
    stream = tf.data.Dataset.range(first // num_points, 2**62).map(
        lambda epoch: tf.random.experimental.stateless_shuffle(
            tf.range(num_points, dtype=tf.int64), rng.fold(order, epoch))).unbatch()
    batches = stream.skip(first % num_points).batch(batch_size, drop_remainder=True)
    if num_steps is not None:
        batches = batches.take(num_steps)
    return batches.map(lambda i: tf.gather(points, i)).prefetch(tf.data.AUTOTUNE)
