"""Schedules for penalty weights and noise levels: a value as a function of the step.

Roth et al. 2017 (Algorithm 1) anneal `gamma_t = gamma0 * alpha^(t / T)`, T the total number of
generator iterations: that is Keras's `ExponentialDecay(gamma0, decay_steps=T,
decay_rate=alpha)`, which `anneal` returns. Both kinds are Keras `LearningRateSchedule`s, so
they serialise with `keras.optimizers.schedules.serialize`. Schedules take the step as a
tensor, so a compiled train step traces once however the value changes.
"""
import math

import keras
import tensorflow as tf

from tfgan_reg import checks

SCHEDULES = ("constant", "anneal")


@keras.saving.register_keras_serializable(package="tfgan_reg")
class Constant(keras.optimizers.schedules.LearningRateSchedule):
    """The same value at every step (float32)."""

    def __init__(self, value):
        self.value = value

    def __call__(self, step):
        return tf.constant(self.value, tf.float32)

    def get_config(self):
        return {"value": self.value}

    def __eq__(self, other):
        return type(other) is Constant and other.value == self.value

    def __hash__(self):
        return hash((Constant, self.value))

    def __repr__(self):
        return f"Constant(value={self.value!r})"


def anneal(initial=2.0, alpha=0.01, total_steps=1):
    """`initial * alpha^(step / total_steps)` (Roth et al. 2017, Algorithm 1; defaults 2.0, 0.01),
    as `keras.optimizers.schedules.ExponentialDecay` (float32). Raises `ValueError` unless `initial`
    is a non-negative finite number, `alpha` in (0, 1] and `total_steps` >= 1."""
    if not (math.isfinite(initial) and initial >= 0):
        raise ValueError(f"`initial` must be a non-negative finite number. "
                         f"Received: initial={initial!r}")
    if not (0 < alpha <= 1):
        raise ValueError(f"`alpha` must be in (0, 1]. Received: alpha={alpha!r}")
    if not total_steps >= 1:
        raise ValueError(f"`total_steps` must be >= 1. Received: total_steps={total_steps!r}")
    return keras.optimizers.schedules.ExponentialDecay(
        float(initial), decay_steps=total_steps, decay_rate=float(alpha))


def make(value, schedule="constant", *, alpha=0.01, total_steps=1):
    """A schedule from a config: `value` constant, or annealed from `value` with `alpha`."""
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"A weight or noise level must be a non-negative finite number. "
                         f"Received: {value!r}")
    if checks.choice("schedule", schedule, SCHEDULES) == "constant":
        return Constant(float(value))
    return anneal(float(value), float(alpha), int(total_steps))


def as_schedule(value):
    """A callable of the step from a float or an existing schedule."""
    if callable(value):
        return value
    return make(value)


def configured(value, schedule="constant", *, alpha=0.01, total_steps=1, key="value",
               prefix=""):
    """`make` for a config's weight or noise level: the errors name `key` (the value),
    `{prefix}schedule` and `{prefix}alpha` (the config validation passes "penalty." or
    "noise.")."""
    checks.number(key, value, low=0)
    checks.choice(f"{prefix}schedule", schedule, SCHEDULES)
    checks.number(f"{prefix}alpha", alpha, low=0, high=1, low_open=True)
    return make(value, schedule, alpha=alpha, total_steps=total_steps)
