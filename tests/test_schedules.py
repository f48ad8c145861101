"""Schedules: Roth et al.'s anneal against its closed form, constants, Keras serialisation, the
argument errors, and one trace for many steps."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import schedules


def _closed_form(initial, alpha, total, t):
    """Roth et al. 2017, Algorithm 1: gamma_t = gamma_0 * alpha^(t / T), in float64."""
    return initial * alpha ** (np.asarray(t, np.float64) / total)


@pytest.mark.parametrize("initial,alpha,total", [(2.0, 0.01, 1000), (10.0, 0.5, 7),
                                                 (0.3, 1.0, 50)])
@pytest.mark.parametrize("dtype", [tf.int64, tf.int32, tf.float32])
def test_anneal_equals_the_closed_form(initial, alpha, total, dtype):
    s = schedules.make(initial, "anneal", alpha=alpha, total_steps=total)
    assert isinstance(s, keras.optimizers.schedules.ExponentialDecay)
    steps = [0, 1, total // 4, total // 2, total, 2 * total]  # past T it keeps decaying
    got = np.array([float(s(tf.constant(t, dtype))) for t in steps])
    np.testing.assert_allclose(got, _closed_form(initial, alpha, total, steps), rtol=2e-6)
    assert got[0] == np.float32(initial)  # alpha^0 = 1 exactly
    if alpha < 1:
        # At t = T the weight has fallen by exactly the factor alpha.
        np.testing.assert_allclose(got[steps.index(total)], initial * alpha, rtol=2e-6)


def test_anneal_from_zero_stays_zero():
    s = schedules.make(0, "anneal", alpha=0.1, total_steps=3)
    assert [float(s(tf.constant(t))) for t in (0, 3, 9)] == [0.0, 0.0, 0.0]


def test_constant_is_the_value_at_every_step():
    s = schedules.make(3)
    assert isinstance(s, schedules.Constant)
    for t in (0, 10, 10 ** 9):
        value = s(tf.constant(t, tf.int64))
        assert value.dtype == tf.float32 and float(value) == 3.0
    assert schedules.as_schedule(0.25) == schedules.Constant(0.25)
    assert schedules.as_schedule(s) is s  # a schedule passes through


@pytest.mark.parametrize("schedule", ["constant", "anneal"])
def test_schedules_round_trip_through_keras_serialisation(schedule):
    s = schedules.make(2.0, schedule, alpha=0.01, total_steps=100)
    again = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(s))
    assert type(again) is type(s)
    for t in (0, 37, 100):
        assert float(again(tf.constant(t))) == float(s(tf.constant(t)))


def test_make_names_the_bad_argument():
    for bad in (-1.0, float("nan"), float("inf"), "2"):
        with pytest.raises(ValueError, match="must be a non-negative finite number. Received"):
            schedules.make(bad)
    with pytest.raises(ValueError, match=r"`schedule` must be one of \['constant', 'anneal'\]. "
                                         r"Received: schedule='cosine'"):
        schedules.make(1.0, "cosine")
    for alpha in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError, match=rf"`alpha` must be in \(0, 1\]. "
                                             rf"Received: alpha={alpha}"):
            schedules.make(1.0, "anneal", alpha=alpha)
    with pytest.raises(ValueError, match=r"`total_steps` must be >= 1. Received: total_steps=0"):
        schedules.make(1.0, "anneal", total_steps=0)
    with pytest.raises(ValueError, match=r"`initial` must be a non-negative finite number. "
                                         r"Received: initial=-2.0"):
        schedules.anneal(-2.0)


@pytest.mark.parametrize("schedule", ["constant", "anneal"])
def test_a_compiled_step_traces_once_for_many_steps(schedule):
    s = schedules.make(2.0, schedule, alpha=0.01, total_steps=20)

    @tf.function
    def value(step):
        return s(step)

    got = [float(value(tf.constant(t, tf.int64))) for t in range(20)]
    assert value.experimental_get_tracing_count() == 1
    alpha = 0.01 if schedule == "anneal" else 1.0
    np.testing.assert_allclose(got, _closed_form(2.0, alpha, 20, range(20)), rtol=2e-6)
