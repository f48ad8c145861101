"""GAN objectives: docs/METHODS.md section 1.

Every loss takes the discriminator's raw outputs (logits `v`, any shape with the batch first)
and returns the batch mean that the player minimises. f-GAN terms are computed from `v`
directly (softplus, expm1, log-sigmoid), never by composing `f*` with `g_f`, so no NaN arises
for finite logits of any size; a value is inf only where the exact value exceeds float32's
range (e.g. `kl`'s `exp(v - 1)` for v > ~89).

`get(name)` returns a `Loss`: `discriminator(real_logits, fake_logits)` and
`generator(fake_logits)`; the f-divergence losses are `FDivergence`s that also carry the
output activation `g_f`, the conjugate `f*`, its second derivative `f*''`, and the combined
weight that Roth's regulariser needs.
"""
import dataclasses
import math
from typing import Callable

import tensorflow as tf

from tfgan_reg import checks

_LOG2 = math.log(2.0)


def _mean(x):
    return tf.reduce_mean(x)


@dataclasses.dataclass(frozen=True)
class Loss:
    """A two-player objective: both callables return the batch mean the player minimises."""
    name: str
    discriminator: Callable
    generator: Callable
    is_f_divergence = False


# ---- Standard objectives ---------------------------------------------------------------------

def gan_discriminator(real_logits, fake_logits):
    """`softplus(-D(x)) + softplus(D(x~))`: the cross entropy of Goodfellow et al."""
    return _mean(tf.nn.softplus(-real_logits)) + _mean(tf.nn.softplus(fake_logits))


def minimax_generator(fake_logits):
    """`-softplus(D(x~))` = `log(1 - sigma(D(x~)))`: the saturating generator loss."""
    return -_mean(tf.nn.softplus(fake_logits))


def non_saturating_generator(fake_logits):
    """`softplus(-D(x~))` = `-log sigma(D(x~))`."""
    return _mean(tf.nn.softplus(-fake_logits))


def wasserstein_discriminator(real_logits, fake_logits):
    """`-D(x) + D(x~)`: the critic maximises the mean difference."""
    return -_mean(real_logits) + _mean(fake_logits)


def wasserstein_generator(fake_logits):
    """`-D(x~)`."""
    return -_mean(fake_logits)


def hinge_discriminator(real_logits, fake_logits):
    """`relu(1 - D(x)) + relu(1 + D(x~))` (in none of the five papers; the common SNGAN/BigGAN
    loss)."""
    return _mean(tf.nn.relu(1.0 - real_logits)) + _mean(tf.nn.relu(1.0 + fake_logits))


minimax = Loss("minimax", gan_discriminator, minimax_generator)
non_saturating = Loss("non_saturating", gan_discriminator, non_saturating_generator)
wasserstein = Loss("wasserstein", wasserstein_discriminator, wasserstein_generator)
hinge = Loss("hinge", hinge_discriminator, wasserstein_generator)


# ---- f-GAN family (Nowozin et al. 2016; Kodali et al. 2017, 5.3; Roth et al. 2017, 4) --------

@dataclasses.dataclass(frozen=True)
class FDivergence(Loss):
    """An f-GAN objective.

    Fields (all elementwise):
      activation: `T = g_f(v)`, the output activation.
      conjugate: `f*(t)`; conjugate_dd: `f*''(t)`, both on the activation's range.
      conjugate_of_logit: `f*(g_f(v))` in a stable closed form.
      roth_weight: `f*''(g_f(v)) * g_f'(v)^2`, so that Roth's `f*''(T) ||grad T||^2` equals
        `roth_weight(v) * ||grad v||^2` (Roth et al. eq. 19) without overflowing intermediates.

    The discriminator maximises `E_P[T(x)] - E_Q[f*(T(x~))]` (its loss is the negative); the
    generator minimises `-E_Q[f*(T(x~))]` (`generator`, the saturating form) or `-E_Q[T(x~)]`
    (`generator_alternative`, Nowozin et al.'s practical form).
    """
    activation: Callable = None
    conjugate: Callable = None
    conjugate_dd: Callable = None
    conjugate_of_logit: Callable = None
    roth_weight: Callable = None
    generator_alternative: Callable = None
    is_f_divergence = True


def _make_f(name, activation, conjugate, conjugate_dd, conjugate_of_logit, roth_weight):
    def discriminator(real_logits, fake_logits):
        return -_mean(activation(real_logits)) + _mean(conjugate_of_logit(fake_logits))

    def generator(fake_logits):
        return -_mean(conjugate_of_logit(fake_logits))

    def generator_alternative(fake_logits):
        return -_mean(activation(fake_logits))

    discriminator.__name__ = f"{name}_discriminator"
    generator.__name__ = f"{name}_generator"
    generator_alternative.__name__ = f"{name}_generator_alternative"
    return FDivergence(name, discriminator, generator, activation=activation,
                       conjugate=conjugate, conjugate_dd=conjugate_dd,
                       conjugate_of_logit=conjugate_of_logit, roth_weight=roth_weight,
                       generator_alternative=generator_alternative)


def _log_sigmoid(v):
    return -tf.nn.softplus(-v)


# In the comments, s = sigmoid(v).
kl = _make_f(
    "kl",
    activation=lambda v: v,
    conjugate=lambda t: tf.exp(t - 1.0),
    conjugate_dd=lambda t: tf.exp(t - 1.0),
    conjugate_of_logit=lambda v: tf.exp(v - 1.0),
    roth_weight=lambda v: tf.exp(v - 1.0))

reverse_kl = _make_f(
    "reverse_kl",
    activation=lambda v: -tf.exp(-v),
    conjugate=lambda t: -1.0 - tf.math.log(-t),
    conjugate_dd=lambda t: 1.0 / tf.square(t),
    conjugate_of_logit=lambda v: v - 1.0,  # -1 - log(exp(-v))
    roth_weight=lambda v: tf.ones_like(v))  # exp(2v) * exp(-2v)

pearson = _make_f(
    "pearson",
    activation=lambda v: v,
    conjugate=lambda t: 0.25 * tf.square(t) + t,
    conjugate_dd=lambda t: tf.fill(tf.shape(t), tf.constant(0.5, t.dtype)),
    conjugate_of_logit=lambda v: 0.25 * tf.square(v) + v,
    roth_weight=lambda v: tf.fill(tf.shape(v), tf.constant(0.5, v.dtype)))

squared_hellinger = _make_f(
    "squared_hellinger",
    activation=lambda v: -tf.math.expm1(-v),
    conjugate=lambda t: t / (1.0 - t),
    conjugate_dd=lambda t: 2.0 / (1.0 - t) ** 3,
    conjugate_of_logit=lambda v: tf.math.expm1(v),  # (1 - e^-v) / e^-v
    roth_weight=lambda v: 2.0 * tf.exp(v))  # 2 e^{3v} * e^{-2v}

total_variation = _make_f(
    "total_variation",
    activation=lambda v: 0.5 * tf.tanh(v),
    conjugate=lambda t: t,
    conjugate_dd=tf.zeros_like,
    conjugate_of_logit=lambda v: 0.5 * tf.tanh(v),
    roth_weight=tf.zeros_like)

jensen_shannon = _make_f(
    "jensen_shannon",
    activation=lambda v: _LOG2 + _log_sigmoid(v),
    conjugate=lambda t: -tf.math.log(2.0 - tf.exp(t)),
    conjugate_dd=lambda t: 2.0 * tf.exp(t) / tf.square(2.0 - tf.exp(t)),
    # exp(T) = 2s, so f*(T) = -log(2 (1 - s)) = softplus(v) - log 2.
    conjugate_of_logit=lambda v: tf.nn.softplus(v) - _LOG2,
    # f*''(T) = s / (1-s)^2 and g'(v) = 1 - s, so the weight is s (as for `gan`: T differs by
    # the constant log 2).
    roth_weight=tf.sigmoid)

gan = _make_f(
    "gan",
    activation=_log_sigmoid,
    conjugate=lambda t: -tf.math.log(-tf.math.expm1(t)),
    conjugate_dd=lambda t: tf.exp(t) / tf.square(tf.math.expm1(t)),
    conjugate_of_logit=tf.nn.softplus,  # exp(T) = s, f*(T) = -log(1 - s)
    # f*''(T) = s / (1-s)^2 and g'(v) = 1 - s, so the weight is s.
    roth_weight=tf.sigmoid)

_REGISTRY = {loss.name: loss for loss in (
    minimax, non_saturating, wasserstein, hinge, kl, reverse_kl, pearson, squared_hellinger,
    total_variation, jensen_shannon, gan)}

F_DIVERGENCES = tuple(name for name, loss in _REGISTRY.items() if loss.is_f_divergence)


def names():
    return sorted(_REGISTRY)


def get(name):
    """The `Loss` registered under `name`."""
    if isinstance(name, Loss):
        return name
    return _REGISTRY[checks.choice("loss", name, names())]
