"""Real image sets (METHODS.md section 4), scaled to [-1, 1], NHWC float32.

`digits` is scikit-learn's 1,797 8x8 handwritten digits (shipped with scikit-learn: the offline
set). `mnist` and `cifar10` come through tensorflow-datasets and are held in memory as uint8;
batch `s` of a run is drawn statelessly from (seed, s) (uniform sampling with replacement), so a
resumed run sees the batches it would have seen and any replica split sees the same global
batch. Nothing is downloaded: without a prepared tfds `data_dir` the loader fails at once and
says how to prepare one.
"""
import os

import numpy as np
import tensorflow as tf

from tfgan_reg import rng

# name: (tfds name, image shape)
TFDS_SETS = {"mnist": ("mnist", (28, 28, 1)), "cifar10": ("cifar10", (32, 32, 3))}
SHAPES = dict({name: shape for name, (_, shape) in TFDS_SETS.items()}, digits=(8, 8, 1))


def names():
    return sorted(SHAPES)


def shape(name):
    if name not in SHAPES:
        raise ValueError(f"`data.name` must be one of {names()}. Received: data.name={name!r}")
    return SHAPES[name]


def _default_data_dir():
    return os.environ.get("TFDS_DATA_DIR", os.path.join(os.path.expanduser("~"),
                                                        "tensorflow_datasets"))


def load_uint8(name, *, split="train", data_dir=""):
    """All images of a split as a uint8 array [N, H, W, C] (and labels [N])."""
    shape(name)
    if name == "digits":
        from sklearn import datasets
        d = datasets.load_digits()
        images = np.round(d.images * (255.0 / 16.0)).astype(np.uint8)[..., None]
        return images, d.target.astype(np.int64)
    import tensorflow_datasets as tfds
    tfds_name, _ = TFDS_SETS[name]
    data_dir = data_dir or _default_data_dir()
    try:
        ds = tfds.load(tfds_name, split=split, data_dir=data_dir, download=False)
    except AssertionError as e:  # tfds's "could not find data in DIR"
        raise FileNotFoundError(
            f"The tensorflow-datasets set {tfds_name!r} is not prepared under data_dir "
            f"{data_dir!r}, and this run does not download. Prepare it on a machine with "
            f"internet access (`tfds build {tfds_name} --data_dir DIR`, or "
            f"`tfds.builder({tfds_name!r}, data_dir=DIR).download_and_prepare()`), copy DIR "
            f"here and pass --config.data.data_dir=DIR.") from e
    chunks = list(tfds.as_numpy(ds.batch(10000)))
    return (np.concatenate([c["image"] for c in chunks]).astype(np.uint8),
            np.concatenate([c["label"] for c in chunks]).astype(np.int64))


def to_float(images):
    """uint8 images to float32 in [-1, 1]."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def dataset(name, *, batch_size, seed, start_step=0, num_steps=None, data_dir=""):
    """Batches for steps start_step, start_step + 1, ...; batch `s` depends on (seed, s) only."""
    images, _ = load_uint8(name, data_dir=data_dir)
    table = tf.constant(images)
    n = images.shape[0]
    base = rng.fold(rng.as_seed(seed), rng.DATA)

    def batch(s):
        idx = tf.random.stateless_uniform([batch_size], rng.fold(base, s), 0, n, tf.int32)
        return to_float(tf.gather(table, idx))

    end = start_step + num_steps if num_steps is not None else 2**62
    return tf.data.Dataset.range(start_step, end).map(
        batch, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
