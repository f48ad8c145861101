"""Classifiers for image scores: the TF-GAN Inception network from TF-Hub (online), or any local
SavedModel / TF-Hub directory; logits and pool activations batch by batch; the cached real
activations (FID moments plus the pool on disk, read back in blocks: `RealActivations`).

A classifier maps float images in [-1, 1], NHWC with 3 channels at its input size, to a dict with
`logits` [N, classes] and `pool_3` [N, features] (the TF-GAN Inception module's names). Images
of another size or with one channel are resized and tiled to fit.

`resolve("domain", data_name=...)` gives instead the project's own classifier for `digits`,
`mnist5k` or `mnist` (`tfgan_reg.eval.domain`), trained and cached on first use.
"""
import hashlib
import json
import os
import shutil
import socket
import tempfile
import urllib.parse

import numpy as np
import tensorflow as tf

from tfgan_reg.data import images
from tfgan_reg.eval import domain
from tfgan_reg.eval import streaming

TFGAN_INCEPTION = "https://tfhub.dev/tensorflow/tfgan/eval/inception/1"


class Classifier:
    """A loaded classifier: `__call__(images) -> (logits, pool)` on float [-1, 1] images."""

    def __init__(self, fn, input_size, name, channels=3):
        self._fn = fn
        self.input_size = tuple(input_size)
        self.channels = channels
        self.name = name
        self.info = {}

    def __call__(self, images):
        x = tf.convert_to_tensor(images, tf.float32)
        if x.shape[-1] == 1 and self.channels == 3:
            x = tf.tile(x, [1, 1, 1, 3])
        elif x.shape[-1] != self.channels:
            raise ValueError(f"The classifier {self.name!r} takes {self.channels}-channel "
                             f"images. Received images of shape {tuple(x.shape)}.")
        if tuple(x.shape[1:3]) != self.input_size:
            x = tf.image.resize(x, self.input_size, method="bilinear")
        out = self._fn(x)
        return np.asarray(out["logits"], np.float64), np.asarray(out["pool_3"], np.float64)


def _reachable(url):
    """Whether the URL's host resolves (offline, name resolution fails at once)."""
    try:
        socket.getaddrinfo(urllib.parse.urlparse(url).hostname, 443)
        return True
    except OSError:
        return False


def load(location=TFGAN_INCEPTION):
    """Loads a classifier from a local SavedModel / TF-Hub directory, or from a TF-Hub URL when
    the network is reachable (fails at once, saying what to do, when it is not)."""
    if os.path.isdir(location):
        module = tf.saved_model.load(location)
    elif location.startswith(("http://", "https://")):
        cache = os.environ.get("TFHUB_CACHE_DIR", "")
        if not _reachable(location):
            raise FileNotFoundError(
                f"The classifier {location!r} is a TF-Hub handle and this machine cannot reach "
                f"it (no network). Download it where you are online (e.g. "
                f"`python -c \"import tensorflow_hub as hub; hub.resolve('{location}')\"` "
                f"with TFHUB_CACHE_DIR set), copy the module directory here and pass its path "
                f"(--classifier=DIR){'; TFHUB_CACHE_DIR is ' + repr(cache) if cache else ''}. "
                f"Offline, `python -m tfgan_reg.eval ...` can also score with a domain "
                f"classifier (--classifier=domain) for data sets {domain.names()}.")
        import tensorflow_hub as hub  # heavy and needed only for a TF-Hub URL: imported late
        module = hub.load(location)
    else:
        raise FileNotFoundError(f"No classifier at {location!r}: give a SavedModel directory "
                                f"or a TF-Hub URL.")
    fn = module.signatures["serving_default"] if "serving_default" in getattr(
        module, "signatures", {}) else module
    size, channels = _input_shape(fn)
    return Classifier(fn, size, location, channels)


def _input_shape(fn):
    spec = getattr(fn, "structured_input_signature", None)
    if spec:
        args, kwargs = spec
        tensors = list(args) + list(kwargs.values())
        shape = tensors[0].shape
        if shape.rank == 4 and shape[1] and shape[2]:
            return (int(shape[1]), int(shape[2])), int(shape[3] or 3)
    return (299, 299), 3  # the TF-GAN Inception module


def default_cache_dir():
    """`$TFGAN_REG_CACHE_DIR`, else ~/.cache/tfgan_reg: real activations, domain classifiers."""
    return os.environ.get("TFGAN_REG_CACHE_DIR",
                          os.path.join(os.path.expanduser("~"), ".cache", "tfgan_reg"))


def resolve(location, *, data_name=None, data_dir="", cache_dir=None):
    """`load(location)`, or for `location == "domain"` the domain classifier of `data_name`
    (trained on first use, cached under `cache_dir`, by default `default_cache_dir()`)."""
    if location == "domain":
        trained = domain.get(data_name, data_dir=data_dir,
                             cache_dir=cache_dir or default_cache_dir())
        clf = Classifier(trained.fn, trained.input_size, trained.name, trained.channels)
        clf.info = trained.info
        return clf
    return load(location)


def outputs(classifier, batches):
    """Yields (logits, pool) of a classifier batch by batch over an iterable of image batches;
    nothing is kept (what `scores.image_scores` streams)."""
    for batch in batches:
        yield classifier(batch)


def stream(classifier, batches):
    """Concatenated (logits, pool) of a classifier over an iterable of image batches. Holds all
    of them: for small sets and tests; the scores stream `outputs` instead."""
    logits, pools = [], []
    for lo, po in outputs(classifier, batches):
        logits.append(lo)
        pools.append(po)
    return np.concatenate(logits), np.concatenate(pools)


# Layout of a cached real-activation entry; bump when it changes. The format is part of the
# entry's key (and written to its meta.json), so entries of another format are never read:
# format 1 was one `real_<name>_<key>.npz` file holding the whole pool.
REAL_CACHE_FORMAT = 2
_POOL_FILE, _MOMENTS_FILE, _META_FILE = "pool.npy", "moments.npz", "meta.json"


class RealActivations:
    """Real-data pool activations as streamed scoring needs them: the FID moments (`mean`,
    `covariance`, float64) in memory, and the pool itself ([N, features] float64) read back in
    row ranges by `rows(start, stop)`: from `pool.npy` of a cache entry (np.load with
    mmap_mode="r", unmapped after each read, so a 50,000 x 2048 pool is never resident), or
    from an array held by the caller (`from_array`)."""

    def __init__(self, mean, covariance, num_samples, *, path=None, array=None):
        self.mean, self.covariance = mean, covariance
        self.num_samples, self.dim = int(num_samples), int(len(mean))
        self.path, self._array = path, array

    @classmethod
    def from_array(cls, pool):
        pool = np.asarray(pool, np.float64)
        if pool.ndim != 2:
            raise ValueError(f"Real activations must be [N, features]. Received shape "
                             f"{pool.shape}.")
        moments = streaming.Moments()
        moments.update(pool)
        return cls(moments.mean, moments.covariance(), len(pool), array=pool)

    @classmethod
    def load_entry(cls, directory):
        """The entry written by `cached_real_activations`; None unless complete and of
        REAL_CACHE_FORMAT."""
        try:
            with open(os.path.join(directory, _META_FILE)) as f:
                meta = json.load(f)
            if meta.get("format") != REAL_CACHE_FORMAT:
                return None
            with np.load(os.path.join(directory, _MOMENTS_FILE)) as moments:
                mean, cov = moments["mean"], moments["covariance"]
            pool = os.path.join(directory, _POOL_FILE)
            shape = np.load(pool, mmap_mode="r").shape
        except (OSError, ValueError, KeyError):
            return None
        if shape != (meta["num_samples"], len(mean)):
            return None
        return cls(mean, cov, meta["num_samples"], path=pool)

    def __len__(self):
        return self.num_samples

    def rows(self, start, stop):
        """Rows [start, stop) of the pool as a float64 array (a copy)."""
        if self._array is not None:
            return self._array[start:stop]
        pool = np.load(self.path, mmap_mode="r")
        try:
            return np.array(pool[start:stop], np.float64)
        finally:
            del pool  # unmaps: the pages read do not stay in this process

    def load(self):
        """The whole pool in memory (small sets and tests only)."""
        return self.rows(0, self.num_samples)


def as_real_activations(real):
    """`real` as a RealActivations (an [N, features] array is wrapped, moments computed)."""
    return real if isinstance(real, RealActivations) else RealActivations.from_array(real)


def _write_entry(classifier, batches, directory):
    """Streams the real pool to `directory/pool.npy` (raw rows first, the .npy header once N is
    known) and its FID moments to `moments.npz`; holds one batch at a time."""
    moments, num = streaming.Moments(), 0
    raw_path = os.path.join(directory, "pool.raw")
    with open(raw_path, "wb") as raw:
        for _, pool in outputs(classifier, batches):
            pool = np.ascontiguousarray(pool, "<f8")
            moments.update(pool)
            raw.write(pool.tobytes())
            num += len(pool)
    if num < 2:
        raise ValueError(f"Real activations need at least 2 images. Received {num}.")
    with open(os.path.join(directory, _POOL_FILE), "wb") as f, open(raw_path, "rb") as raw:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "<f8", "fortran_order": False, "shape": (num, len(moments.mean))})
        shutil.copyfileobj(raw, f, 1 << 24)
    os.remove(raw_path)
    np.savez(os.path.join(directory, _MOMENTS_FILE), mean=moments.mean,
             covariance=moments.covariance())
    return num


def cached_real_activations(classifier, name, batches_fn, num_samples, cache_dir):
    """Real-data activations (a RealActivations), cached per data set, classifier, sample
    count and REAL_CACHE_FORMAT in the directory `cache_dir/real_<name>_<key>/` (pool.npy,
    moments.npz, meta.json); `batches_fn()` is iterated only on a cache miss."""
    key = hashlib.sha1(f"format{REAL_CACHE_FORMAT}|{name}|{classifier.name}|{num_samples}"
                       .encode()).hexdigest()[:16]
    path = os.path.join(cache_dir, f"real_{name.replace('/', '_')}_{key}")
    found = RealActivations.load_entry(path)
    if found is not None:
        return found
    os.makedirs(cache_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=os.path.basename(path) + ".tmp-", dir=cache_dir)
    try:
        num = _write_entry(classifier, batches_fn(), tmp)
        with open(os.path.join(tmp, _META_FILE), "w") as f:
            json.dump({"format": REAL_CACHE_FORMAT, "name": name,
                       "classifier": classifier.name, "requested": num_samples,
                       "num_samples": num}, f, indent=2)
        if os.path.isdir(path):  # incomplete or of another format: replaced
            shutil.rmtree(path, ignore_errors=True)
        try:
            os.rename(tmp, path)
        except OSError:  # another process wrote the entry meanwhile: theirs is kept
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    found = RealActivations.load_entry(path)
    if found is None:
        raise OSError(f"The real-activation cache entry {path!r} could not be read back.")
    return found


def real_activations(classifier, name, *, data_dir, num_samples, seed, cache_dir,
                     batch_size=250):
    """Activations (a RealActivations) of a seeded random subset of `num_samples` real images
    of the data set `name` (all of it when smaller), cached; the images are read only on a
    cache miss."""
    def batches():
        raw = images.sample_uint8(name, num_samples, seed, data_dir=data_dir)
        for i in range(0, len(raw), batch_size):
            yield np.asarray(images.to_float(raw[i:i + batch_size]))

    return cached_real_activations(classifier, f"{name}_seed{seed}", batches, num_samples,
                                   cache_dir)
