"""Data sets by config name (`config.data.name`): the low-dimensional sets of `toy` and the
image sets of `images`. A mixture family's parameters (`toy.FAMILIES`: the config block
`data.<name>`) are passed as `params`; `family_params(config.data)` reads them."""
import numpy as np

from tfgan_reg.data import images, toy


def names():
    return sorted(toy.names() + images.names())


def is_image(name):
    return name in images.SHAPES


def family_params(data):
    """{argument: value} of the config's `data` block for its mixture family (`data.ring`,
    ...), {} for a set without parameters."""
    return dict(data[data.name]) if data.name in toy.FAMILIES else {}


def shape(name, params=None):
    """The shape of one sample."""
    if is_image(name):
        return images.shape(name)
    return (toy.get(name, **(params or {})).dim,)


def check_available(name, data_dir=""):
    """Raises `FileNotFoundError` saying how to provide the set offline unless it is here."""
    if is_image(name):
        images.check_available(name, data_dir)


def dataset(name, *, batch_size, seed, start_step=0, num_steps=None, data_dir="", cache="",
            params=None, num_points=0):
    """Batches for steps start_step, ... (see `images.dataset` and `toy.dataset`; `params` and
    `num_points` are the low-dimensional sets')."""
    if is_image(name):
        return images.dataset(name, batch_size=batch_size, seed=seed, start_step=start_step,
                              num_steps=num_steps, data_dir=data_dir, cache=cache)
    return toy.dataset(name, batch_size=batch_size, seed=seed, start_step=start_step,
                       num_steps=num_steps, params=params, num_points=num_points)


def real_samples(name, n, seed, *, split="train", data_dir="", params=None):
    """`n` real samples as a float32 array: a seeded random subset of an image split (all of it
    when smaller; `digits` has one split), or `n` fresh draws of a low-dimensional set."""
    if not is_image(name):
        return np.asarray(toy.sample(name, n, seed, params=params), np.float32)
    return np.asarray(images.to_float(images.sample_uint8(name, n, seed, split=split,
                                                          data_dir=data_dir)))

