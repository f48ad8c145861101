"""Schedules for penalty weights and noise levels: a value as a function of the step.

Seed 001 Algorithm 1 anneals `gamma_t = gamma0 * alpha^(t / T)`, T the total number of
generator iterations. Schedules take the step as a tensor, so a compiled train step traces
once however the value changes.
"""
import dataclasses
import math

import tensorflow as tf

from tfgan_reg import checks


@dataclasses.dataclass(frozen=True)
class Constant:
    """The same value at every step."""
    value: float

    def __call__(self, step):
        return tf.constant(self.value, tf.float32)


@dataclasses.dataclass(frozen=True)
class Anneal:
    """`initial * alpha^(step / total_steps)` (seed 001 Algorithm 1; defaults 2.0, 0.01)."""
    initial: float = 2.0
    alpha: float = 0.01
    total_steps: int = 1

    def __post_init__(self):
        if not (math.isfinite(self.initial) and self.initial >= 0):
            raise ValueError(f"`initial` must be a non-negative finite number. "
                             f"Received: initial={self.initial!r}")
        if not (0 < self.alpha <= 1):
            raise ValueError(f"`alpha` must be in (0, 1]. Received: alpha={self.alpha!r}")
        if not self.total_steps >= 1:
            raise ValueError(f"`total_steps` must be >= 1. "
                             f"Received: total_steps={self.total_steps!r}")

    def __call__(self, step):
        t = tf.cast(step, tf.float32) / float(self.total_steps)
        return self.initial * tf.pow(tf.constant(self.alpha, tf.float32), t)


SCHEDULES = ("constant", "anneal")


def make(value, schedule="constant", *, alpha=0.01, total_steps=1):
    """A schedule from a config: `value` constant, or annealed from `value` with `alpha`."""
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ValueError(f"A weight or noise level must be a non-negative finite number. "
                         f"Received: {value!r}")
    if schedule == "constant":
        return Constant(float(value))
    if schedule == "anneal":
        return Anneal(float(value), float(alpha), int(total_steps))
    raise ValueError(f"`schedule` must be one of {list(SCHEDULES)}. "
                     f"Received: schedule={schedule!r}")


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
