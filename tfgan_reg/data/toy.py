"""Low-dimensional data sets (METHODS.md section 4), generated statelessly from a seed.

The batch of step `s` is a function of `(seed, s)` only, so a resumed run sees exactly the
batches it would have seen without stopping.
"""
import math

import numpy as np
import tensorflow as tf

from tfgan_reg import rng


def _ring8_centres():
    angles = np.arange(8) * (2 * np.pi / 8)
    return 2.0 * np.stack([np.cos(angles), np.sin(angles)], 1) / 1.414


def _grid25_centres():
    g = np.arange(-4.0, 5.0, 2.0)
    return np.stack(np.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2) / 2.828


def _rotation(axis, angle):
    """Rodrigues' rotation matrix about the unit `axis`."""
    axis = np.asarray(axis, np.float64) / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * k @ k


# Seed 001 appendix 7.3: rotate by pi/4 about (1, -1, 0)/sqrt(2), translate by (1, 1, 1)/sqrt(3).
SUBMANIFOLD_ROTATION = _rotation([1.0, -1.0, 0.0], math.pi / 4)
SUBMANIFOLD_SHIFT = np.ones(3) / math.sqrt(3.0)


def _submanifold7_centres():
    angles = np.arange(7) * (2 * np.pi / 7)
    circle = np.stack([np.cos(angles), np.sin(angles), np.zeros(7)], 1)
    return circle @ SUBMANIFOLD_ROTATION.T + SUBMANIFOLD_SHIFT


class Mixture:
    """A Gaussian mixture with equal weights: centres [K, d], isotropic std per component."""

    def __init__(self, centres, std, embed=None):
        self.centres = np.asarray(centres, np.float32)
        self.std = float(std)
        self.dim = self.centres.shape[1]
        self._embed = embed

    def sample(self, n, seed):
        seed = rng.as_seed(seed)
        k = tf.random.stateless_uniform([n], rng.fold(seed, 0), 0, len(self.centres), tf.int32)
        centres = tf.gather(self.centres, k)
        if self._embed is None:
            return centres + self.std * tf.random.stateless_normal([n, self.dim],
                                                                   rng.fold(seed, 1))
        return self._embed(centres, self.std, seed)


def _submanifold_embed(centres, std, seed):
    # The noise lives in the circle's plane: the mixture is degenerate in 3-D by design.
    n = tf.shape(centres)[0]
    noise2 = tf.random.stateless_normal([n, 2], rng.fold(seed, 1))
    noise3 = tf.concat([noise2, tf.zeros([n, 1])], 1)
    return centres + std * tf.matmul(noise3, tf.constant(SUBMANIFOLD_ROTATION.T, tf.float32))


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
    """The Dirac-GAN's data `delta_0` (seed 002 section 2.2), in one dimension."""
    dim = 1
    centres = np.zeros([1, 1], np.float32)
    std = 0.0

    def sample(self, n, seed):
        return tf.zeros([n, 1])


DATASETS = {
    "ring8": Mixture(_ring8_centres(), 0.02 / 1.414),
    "grid25": Mixture(_grid25_centres(), 0.05 / 2.828),
    "swissroll": SwissRoll(),
    "submanifold7": Mixture(_submanifold7_centres(), 0.01, embed=_submanifold_embed),
    # Seed 004's value-surface experiment: one bivariate Gaussian (its std is not given there).
    "gaussian2d": Mixture(np.zeros([1, 2]), 1.0),
    "dirac": Dirac(),
}


def names():
    return sorted(DATASETS)


def get(name):
    if name not in DATASETS:
        raise ValueError(f"`dataset` must be one of {names()}. Received: dataset={name!r}")
    return DATASETS[name]


def sample(name, n, seed):
    """`n` samples of the named set as a [n, dim] float32 tensor."""
    return get(name).sample(n, seed)


def dataset(name, *, batch_size, seed, start_step=0, num_steps=None):
    """Batches for steps start_step, start_step + 1, ...; batch `s` depends on (seed, s) only."""
    source = get(name)
    steps = tf.data.Dataset.range(start_step, start_step + num_steps) if num_steps is not None \
        else tf.data.Dataset.range(start_step, 2**62)
    base = rng.fold(rng.as_seed(seed), rng.DATA)
    return steps.map(lambda s: source.sample(batch_size, rng.fold(base, s)),
                     num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
