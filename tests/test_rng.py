"""`rng`: stateless draws from raw Philox words, the same in every execution mode and under any
replica split."""
import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from tfgan_reg import rng


def test_to_unit_maps_the_top_24_bits():
    bits = tf.constant([0, 255, 256, 0xFFFFFFFF], tf.uint32)
    e = 2.0 ** -24
    np.testing.assert_array_equal(rng._to_unit(bits, tf.float64), [0, 0, e, 1 - e])
    np.testing.assert_array_equal(rng._to_unit(bits, tf.float64, offset=1), [e, e, 2 * e, 1])


def test_normal_is_box_muller_of_the_philox_words():
    seed = rng.as_seed(42)
    words = tf.random.stateless_uniform([2, 1000], seed, dtype=tf.uint32, minval=None,
                                        maxval=None, alg="philox").numpy().astype(np.float64)
    top = np.floor(words / 256.0)
    u1, u2 = (top[0] + 1) * 2.0 ** -24, top[1] * 2.0 ** -24
    expected = np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * u2)
    np.testing.assert_allclose(rng.stateless_normal([1000], seed), expected, rtol=1e-5,
                               atol=1e-5)


def test_draws_have_their_distributions():
    u = rng.stateless_uniform([200000], rng.as_seed(1)).numpy()
    assert u.min() >= 0 and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    z = rng.stateless_normal([200000], rng.as_seed(2)).numpy()
    assert stats.kstest(z, "norm").pvalue > 1e-3


def test_eager_function_and_xla_draw_the_same_numbers():
    seed = rng.fold(rng.as_seed(7), 3, rng.LATENT_G)
    draw = lambda: (rng.stateless_uniform([64, 3], seed), rng.stateless_normal([64, 3], seed))
    eager = draw()
    for compiled in (tf.function(draw), tf.function(draw, jit_compile=True)):
        for a, b in zip(eager, compiled()):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_as_seed_and_fold():
    n = 2 ** 40 + 5
    want = [n & 0x7FFFFFFF, (n >> 31) & 0x7FFFFFFF]
    np.testing.assert_array_equal(rng.as_seed(n), want)
    np.testing.assert_array_equal(rng.as_seed(tf.constant(n, tf.int64)), want)
    np.testing.assert_array_equal(rng.fold(3, 1, 2), rng.fold(3, 1, 2))
    assert not np.array_equal(rng.fold(3, 1, 2), rng.fold(3, 2, 1))  # order matters
    assert not np.array_equal(rng.fold(3, 1), rng.fold(3, 2))
    assert not np.array_equal(rng.fold(3, 1), rng.fold(4, 1))


def test_rows_are_keyed_by_global_sample_index(mirrored_strategy):
    seed = rng.as_seed(11)
    whole = rng.normal(seed, 8, (3,)).numpy()
    per_replica = mirrored_strategy.run(tf.function(lambda: rng.normal(seed, 4, (3,))))
    got = np.concatenate([t.numpy() for t in mirrored_strategy.experimental_local_results(
        per_replica)])
    np.testing.assert_array_equal(got, whole)


def test_like_needs_a_static_sample_shape():
    assert rng.like("uniform", 1, tf.zeros([5, 2, 3])).shape == (5, 2, 3)

    @tf.function(input_signature=[tf.TensorSpec([None, None])])
    def unknown(x):
        return rng.like("normal", 1, x)

    with pytest.raises(ValueError, match=r"Per-sample shape must be static"):
        unknown(tf.zeros([2, 2]))
