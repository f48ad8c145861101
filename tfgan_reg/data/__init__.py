"""Data sets by config name (`config.data.name`): the low-dimensional sets of `toy` and the
image sets of `images`."""
import numpy as np

from tfgan_reg.data import images, toy


def names():
    return sorted(toy.names() + images.names())


def is_image(name):
    return name in images.SHAPES


def shape(name):
    """The shape of one sample."""
    if is_image(name):
        return images.shape(name)
    return (toy.get(name).dim,)


def check_available(name, data_dir=""):
    """Raises `FileNotFoundError` saying how to provide the set offline unless it is here."""
    if is_image(name):
        images.check_available(name, data_dir)


def dataset(name, *, batch_size, seed, start_step=0, num_steps=None, data_dir="", cache=""):
    """Batches for steps start_step, ... (see `images.dataset` and `toy.dataset`)."""
    if is_image(name):
        return images.dataset(name, batch_size=batch_size, seed=seed, start_step=start_step,
                              num_steps=num_steps, data_dir=data_dir, cache=cache)
    return toy.dataset(name, batch_size=batch_size, seed=seed, start_step=start_step,
                       num_steps=num_steps)


def real_samples(name, n, seed, *, split="train", data_dir=""):
    """`n` real samples as a float32 array: a seeded random subset of an image split (all of it
    when smaller; `digits` has one split), or `n` fresh draws of a low-dimensional set."""
    if not is_image(name):
        return np.asarray(toy.sample(name, n, seed), np.float32)
    return np.asarray(images.to_float(images.sample_uint8(name, n, seed, split=split,
                                                          data_dir=data_dir)))

