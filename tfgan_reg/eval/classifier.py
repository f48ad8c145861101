"""Classifiers for image scores: the TF-GAN Inception network from TF-Hub (online), or any local
SavedModel / TF-Hub directory; streamed logits and pool activations; cached real statistics.

A classifier maps float images in [-1, 1], NHWC with 3 channels at its input size, to a dict with
`logits` [N, classes] and `pool_3` [N, features] (the TF-GAN Inception module's names). Images
of another size or with one channel are resized and tiled to fit.

`resolve("domain", data_name=...)` gives instead the project's own classifier for `digits`,
`mnist5k` or `mnist` (`tfgan_reg.eval.domain`), trained and cached on first use.
"""
import hashlib
import os
import socket
import urllib.parse

import numpy as np
import tensorflow as tf

from tfgan_reg.data import images
from tfgan_reg.eval import domain

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


def stream(classifier, batches):
    """Concatenated (logits, pool) of a classifier over an iterable of image batches."""
    logits, pools = [], []
    for batch in batches:
        lo, po = classifier(batch)
        logits.append(lo)
        pools.append(po)
    return np.concatenate(logits), np.concatenate(pools)


def cached_real_activations(classifier, name, batches_fn, num_samples, cache_dir):
    """Real-data pool activations, cached per data set, classifier and sample count."""
    key = hashlib.sha1(f"{name}|{classifier.name}|{num_samples}".encode()).hexdigest()[:16]
    path = os.path.join(cache_dir, f"real_{name.replace('/', '_')}_{key}.npz")
    if os.path.exists(path):
        return np.load(path)["pool"]
    _, pool = stream(classifier, batches_fn())
    os.makedirs(cache_dir, exist_ok=True)
    tmp = path + ".tmp.npz"
    np.savez(tmp, pool=pool)
    os.replace(tmp, path)
    return pool


def real_activations(classifier, name, *, data_dir, num_samples, seed, cache_dir,
                     batch_size=250):
    """Pool activations of a seeded random subset of `num_samples` real images of the data set
    `name` (all of it when smaller), cached; the images are read only on a cache miss."""
    def batches():
        raw = images.sample_uint8(name, num_samples, seed, data_dir=data_dir)
        for i in range(0, len(raw), batch_size):
            yield np.asarray(images.to_float(raw[i:i + batch_size]))

    return cached_real_activations(classifier, f"{name}_seed{seed}", batches, num_samples,
                                   cache_dir)
