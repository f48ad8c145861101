"""Stabilisers that are not penalties: instance noise and weight clipping (METHODS section 2).

Spectral normalisation of D lives with the networks (`nets`, normalisation "spectral"),
consensus optimisation with the penalties (`penalties.consensus`), annealing in `schedules`.
"""
import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg import rng


def instance_noise(x, *, sigma, seed):
    """`x + sigma * N(0, I)` (Mescheder et al. 2018, section 3.2), drawn per sample from `seed`."""
    return x + tf.cast(sigma, x.dtype) * rng.like("normal", seed, x)


def explicit_noise(x, *, sigma, nsr, seed):
    """Roth et al.'s explicit-noise baseline (2017, section 5.4).

    With noise-to-signal ratio `nsr`, keep `m / nsr` samples of the batch of `m` and add `nsr`
    independent noise draws to each, so D still sees `m` inputs. `nsr=1` is plain instance
    noise. The kept sample of each group of `nsr` consecutive samples is its first, so a group is
    a set of global sample indices and 1 or N replicas (local batches divisible by `nsr`) see
    the same inputs.
    """
    checks.number("nsr", nsr, low=1, integer=True)
    if nsr == 1:
        return instance_noise(x, sigma=sigma, seed=seed)
    m = x.shape[0]
    if m is not None and m % nsr:
        raise ValueError(f"The batch size (per replica) must be divisible by `nsr`. "
                         f"Received: batch size {m}, nsr={nsr}")
    repeated = tf.repeat(x[::nsr], nsr, axis=0)
    return instance_noise(repeated, sigma=sigma, seed=seed)


def clip_weights(variables, *, c=0.01):
    """Clips every variable to `[-c, c]` in place (the original WGAN's Lipschitz constraint)."""
    checks.number("c", c, low=0, low_open=True)
    for v in variables:
        v.assign(tf.clip_by_value(v, -c, c))
