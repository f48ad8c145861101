"""Streamed IS / FID / KID (tfgan_reg.eval.streaming, scores.image_scores) against TF-GAN's own
functions on the full arrays; the real-activation cache; fixed-size accumulators."""
import json
import os
import tracemalloc

import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg.eval import classifier as classifier_lib
from tfgan_reg.eval import scores, streaming, tfgan_compat

RTOL = 1e-9  # float64 throughout; the brief's bar is 1e-6, the sums agree far closer


class RowClassifier:
    """A stand-in classifier whose "images" are rows [logits | pool]: it returns them split,
    so the scores of known activations are computed through image_scores' own path."""
    name = "rows"

    def __init__(self, num_classes):
        self.num_classes = num_classes

    def __call__(self, batch):
        batch = np.asarray(batch, np.float64)
        return batch[:, :self.num_classes], batch[:, self.num_classes:]


def _tfgan(logits, fake, real, splits, block):
    cm = tfgan_compat.classifier_metrics()
    is_values = [float(cm.classifier_score_from_logits(tf.constant(part, tf.float64)))
                 for part in np.array_split(logits, splits)]
    fid = float(cm.frechet_classifier_distance_from_activations(tf.constant(real),
                                                                tf.constant(fake)))
    kid, kid_std = cm.kernel_classifier_distance_and_std_from_activations(
        tf.constant(real), tf.constant(fake), max_block_size=block)
    return np.mean(is_values), np.std(is_values), fid, float(kid), float(kid_std)


def _activations(seed, n, classes, dim, shift=0.0):
    g = np.random.default_rng(seed)
    logits = g.normal(scale=3.0, size=(n, classes))
    # Correlated, non-centred features, as pool activations are (mean well away from 0).
    pool = 2.0 + shift + g.normal(size=(n, dim)) @ g.normal(size=(dim, dim)) / np.sqrt(dim)
    return logits, pool


# (fake N, real N, features, classes, IS splits, KID max_block_size, batch): several sizes,
# uneven splits and blocks, N not a multiple of the batch or the block, more real than fake and
# the other way round, one block only (KID std NaN).
CASES = [
    (600, 600, 8, 10, 10, 200, 64),
    (733, 517, 16, 7, 3, 100, 50),
    (37, 1000, 6, 10, 4, 64, 7),
    (1001, 250, 12, 5, 10, 128, 1000),
    (300, 50, 5, 3, 1, 1024, 33),
    (257, 257, 20, 10, 7, 50, 1),
]


@pytest.mark.parametrize("n_fake,n_real,dim,classes,splits,block,batch", CASES)
def test_streamed_scores_equal_tfgan_on_full_arrays(n_fake, n_real, dim, classes, splits,
                                                    block, batch):
    logits, fake = _activations(0, n_fake, classes, dim)
    _, real = _activations(1, n_real, classes, dim, shift=0.3)
    rows = np.concatenate([logits, fake], 1)
    batches = [rows[i:i + batch] for i in range(0, n_fake, batch)]
    got = scores.image_scores(RowClassifier(classes), batches, real, splits=splits,
                              kid_block=block)
    is_mean, is_std, fid, kid, kid_std = _tfgan(logits, fake, real, splits, block)
    assert got["num_samples"] == n_fake
    np.testing.assert_allclose([got["is"], got["is_std"], got["fid"], got["kid"]],
                               [is_mean, is_std, fid, kid], rtol=RTOL)
    if np.isnan(kid_std):  # one block: TF-GAN has no standard error either
        assert n_fake <= block and n_real <= block and np.isnan(got["kid_std"])
    else:
        np.testing.assert_allclose(got["kid_std"], kid_std, rtol=RTOL)


def test_accumulators_each_equal_tfgan():
    cm = tfgan_compat.classifier_metrics()
    logits, fake = _activations(2, 999, 10, 9)
    _, real = _activations(3, 640, 10, 9, shift=-0.5)
    inception = streaming.InceptionSplits(999, 10)  # 999 = 9 splits of 100 and one of 99
    moments = streaming.Moments()
    kernel = streaming.KernelBlocks(real, 999, max_block_size=256)  # 4 blocks: 249/250, 160
    for i in range(0, 999, 128):
        inception.update(logits[i:i + 128])
        moments.update(fake[i:i + 128])
        kernel.update(fake[i:i + 128])
    want = [float(cm.classifier_score_from_logits(tf.constant(part)))
            for part in np.array_split(logits, 10)]
    np.testing.assert_allclose(inception.split_scores(), want, rtol=RTOL)
    # TF-GAN's covariance: n / (n - 1) * tfp.stats.covariance, i.e. np.cov's.
    np.testing.assert_allclose(moments.mean, fake.mean(0), rtol=RTOL)
    np.testing.assert_allclose(moments.covariance(), np.cov(fake, rowvar=False), rtol=1e-9,
                               atol=1e-12)
    assert kernel.n_blocks == 4 and len(kernel.estimates) == 4
    kid, std = cm.kernel_classifier_distance_and_std_from_activations(
        tf.constant(real), tf.constant(fake), max_block_size=256)
    np.testing.assert_allclose(kernel.result(), [float(kid), float(std)], rtol=RTOL)


def test_block_and_split_boundaries_are_tfgan_and_numpy_ones():
    for n, parts in [(10, 3), (999, 10), (5, 5), (1000, 7)]:
        want = np.cumsum([0] + [len(p) for p in np.array_split(np.arange(n), parts)])
        np.testing.assert_array_equal(streaming.split_bounds(n, parts), want)
    # TF-GAN's KID blocks: n // n_blocks rows, the remainder added to the *last* blocks.
    np.testing.assert_array_equal(streaming.block_bounds(10, 3), [0, 3, 6, 10])
    np.testing.assert_array_equal(streaming.block_bounds(1001, 4), [0, 250, 500, 750, 1001])


def test_image_scores_from_a_generator_and_bad_counts():
    logits, fake = _activations(4, 450, 10, 6)
    _, real = _activations(5, 300, 10, 6)
    rows = np.concatenate([logits, fake], 1)
    clf = RowClassifier(10)
    listed = scores.image_scores(clf, [rows[i:i + 64] for i in range(0, 450, 64)], real,
                                 splits=4, kid_block=128)
    generator = lambda: (rows[i:i + 64] for i in range(0, 450, 64))
    counted = scores.image_scores(clf, generator(), real, num_samples=450, splits=4,
                                  kid_block=128)
    spilled = scores.image_scores(clf, generator(), real, splits=4, kid_block=128)
    for key in ("is", "is_std", "fid", "kid", "kid_std"):
        assert counted[key] == pytest.approx(listed[key], rel=1e-12)
        assert spilled[key] == pytest.approx(listed[key], rel=1e-12)
    with pytest.raises(ValueError, match="set up for 500 samples and received 450"):
        scores.image_scores(clf, generator(), real, num_samples=500, splits=4)
    with pytest.raises(ValueError, match="set up for 400 samples and received 448"):
        scores.image_scores(clf, generator(), real, num_samples=400, splits=4)


def test_array_functions_still_equal_the_streamed_ones():
    logits, fake = _activations(6, 400, 10, 6)
    _, real = _activations(7, 400, 10, 6, shift=0.2)
    got = scores.image_scores(RowClassifier(10), [np.concatenate([logits, fake], 1)], real,
                              splits=5, kid_block=100)
    assert got["is"] == pytest.approx(scores.inception_score(logits, splits=5)[0], rel=1e-6)
    assert got["fid"] == pytest.approx(scores.frechet_distance(real, fake), rel=1e-9)
    np.testing.assert_allclose([got["kid"], got["kid_std"]],
                               scores.kernel_distance(real, fake, max_block_size=100),
                               rtol=1e-9)


class PoolClassifier:
    """Images [k, dim] -> (logits of the first 10 features, the features as the pool)."""
    name = "pool"

    def __call__(self, batch):
        batch = np.asarray(batch, np.float64)
        return batch[:, :10], batch


def _random_batches(n, dim, seed, batch=100):
    for start in range(0, n, batch):
        yield np.random.default_rng([seed, start]).normal(size=(min(batch, n - start), dim))


def test_cache_round_trip(tmp_path):
    clf, dim = PoolClassifier(), 12
    want = np.concatenate(list(_random_batches(730, dim, 0)))
    real = classifier_lib.cached_real_activations(clf, "toy/set", lambda: _random_batches(
        730, dim, 0), 730, str(tmp_path))
    (entry,) = os.listdir(tmp_path)  # one directory, no temporary left behind
    assert entry.startswith("real_toy_set_") and sorted(os.listdir(tmp_path / entry)) == [
        "meta.json", "moments.npz", "pool.npy"]
    with open(tmp_path / entry / "meta.json") as f:
        assert json.load(f)["format"] == classifier_lib.REAL_CACHE_FORMAT
    assert len(real) == 730 and real.dim == dim and real.path.endswith("pool.npy")
    np.testing.assert_array_equal(np.load(real.path), want)
    np.testing.assert_array_equal(real.rows(100, 357), want[100:357])
    np.testing.assert_allclose(real.mean, want.mean(0), rtol=1e-12)
    np.testing.assert_allclose(real.covariance, np.cov(want, rowvar=False), rtol=1e-10,
                               atol=1e-13)
    fail = lambda: (_ for _ in ()).throw(AssertionError("recomputed"))
    again = classifier_lib.cached_real_activations(clf, "toy/set", fail, 730, str(tmp_path))
    np.testing.assert_array_equal(again.load(), want)
    np.testing.assert_array_equal(again.covariance, real.covariance)
    # Scores from the cache equal those from the array.
    fake = np.concatenate(list(_random_batches(500, dim, 1)))
    from_cache = scores.image_scores(clf, [fake], again, splits=2, kid_block=200)
    from_array = scores.image_scores(clf, [fake], want, splits=2, kid_block=200)
    assert from_cache == pytest.approx(from_array, rel=1e-12)

    # An entry of another format under the same name is rebuilt, not misread; a format-1
    # file (the whole pool in one .npz) is a different key and never looked at.
    with open(tmp_path / entry / "meta.json", "w") as f:
        json.dump({"format": 1, "num_samples": 730}, f)
    np.savez(tmp_path / "real_toy_set_0123456789abcdef.npz", pool=np.zeros((730, dim)))
    rebuilt = classifier_lib.cached_real_activations(clf, "toy/set", lambda: _random_batches(
        730, dim, 0), 730, str(tmp_path))
    np.testing.assert_array_equal(rebuilt.load(), want)
    assert sorted(os.listdir(tmp_path)) == sorted([entry, "real_toy_set_0123456789abcdef.npz"])
    # Another sample count or classifier is another entry.
    classifier_lib.cached_real_activations(clf, "toy/set", lambda: _random_batches(
        200, dim, 0), 200, str(tmp_path))
    assert len(os.listdir(tmp_path)) == 3


def test_accumulators_are_fixed_size_in_the_number_of_samples():
    dim, block = 32, 256
    for n in (1000, 10000):
        real = np.zeros((500, dim))
        inception = streaming.InceptionSplits(n, 10)
        moments, kernel = streaming.Moments(), streaming.KernelBlocks(real, n, block)
        peak = 0
        for batch in _random_batches(n, dim, 2, batch=300):
            inception.update(batch[:, :10])
            moments.update(batch)
            kernel.update(batch)
            peak = max(peak, inception.nbytes + moments.nbytes + kernel.nbytes)
        # What is held: the IS sums (10 splits x 10 classes, 10), the mean and covariance,
        # at most one KID block of fake rows, and one float per KID block (n / block of them:
        # the only term that grows with n, 8 bytes per 256 samples).
        fixed = (10 * 10 + 10 + dim + dim * dim + block * dim) * 8
        assert kernel.n_blocks == -(-n // block)
        assert fixed // 2 < peak <= fixed + 8 * kernel.n_blocks, (n, peak, fixed)


@pytest.mark.slow  # 12 s: tracemalloc slows TensorFlow's Python; the accumulator-size test
# above is the fast tier's check of the same property
def test_image_scores_does_not_hold_the_activations(tmp_path):
    # Python-side (numpy) allocations traced while scoring 1,500 vs 15,000 samples of 128
    # features against a cached real pool of 1,500. Both runs have KID fake blocks of 500 rows;
    # holding the fake pool would be 15 MB more at 15,000 (the old `stream` then concatenate),
    # streamed the peaks agree.
    clf, dim = PoolClassifier(), 128
    real = classifier_lib.cached_real_activations(
        clf, "big", lambda: _random_batches(1500, dim, 3, batch=500), 1500, str(tmp_path))
    scores.image_scores(clf, _random_batches(200, dim, 9), real, num_samples=200, splits=1,
                        kid_block=500)  # warm-up: TF-GAN loaded, ops built
    peaks = {}
    for n in (1500, 15000):
        tracemalloc.start()
        scores.image_scores(clf, _random_batches(n, dim, 4, batch=250), real, num_samples=n,
                            kid_block=500)
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peaks[15000] < 1.10 * peaks[1500], peaks
    assert peaks[15000] < 15000 * dim * 8 / 4, peaks


@pytest.mark.parametrize("make,message", [
    (lambda: streaming.InceptionSplits(10, splits=11),
     r"^`splits` must be an integer in \[1, 10\]. Received: splits=11$"),
    (lambda: streaming.InceptionSplits(0), r"^`num_samples` must be an integer >= 1. "),
    (lambda: streaming.InceptionSplits(np.int64(4), splits=2.0), r"Received: splits=2.0$"),
    (lambda: scores.inception_score(np.zeros((4, 3)), splits=5), r"in \[1, 4\]. Received"),
    (lambda: streaming.KernelBlocks(np.zeros((4, 2)), 4, max_block_size=0),
     r"^`max_block_size` must be an integer >= 1. Received: max_block_size=0$"),
])
def test_bad_counts_name_the_argument_and_its_range(make, message):
    with pytest.raises(ValueError, match=message):
        make()
    assert streaming.InceptionSplits(np.int64(4), splits=np.int64(2)).splits == 2
