"""Low-dimensional metrics: docs/METHODS.md section 5 (Mescheder et al. 2018, section 5;
mixture mode counts)."""
import numpy as np
from scipy import optimize
from scipy.spatial import distance

# The scalar toy metrics, with True where larger is better (`eval.best_metric`).
METRICS = {"w1": False, "modes": True, "hq_fraction": True, "reverse_kl": False}


def wasserstein1(x, y):
    """Exact W1 between two equal-size point sets: the optimal matching's mean distance.

    With equal weights 1/n on both sides an optimal transport plan is a permutation
    (Birkhoff), so the assignment problem gives the exact distance.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"wasserstein1 needs two [n, d] arrays of the same shape. "
                         f"Received: {x.shape} and {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return float("inf")
    cost = distance.cdist(x, y)
    rows, cols = optimize.linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def mode_stats(samples, centres, std, *, num_std=3.0, min_fraction=0.1):
    """Mode coverage of a mixture with isotropic components.

    A sample is high quality when it lies within `num_std * std` of its nearest centre; a mode
    is covered when it holds at least one high-quality sample and at least `min_fraction` of
    its fair share (n / K) of them (`min_fraction=0`: any one, PacGAN's rule).
    Returns (modes covered, fraction of high-quality samples, per-mode counts).
    """
    samples = np.asarray(samples, np.float64)
    centres = np.asarray(centres, np.float64)
    if samples.ndim != 2 or samples.shape[1] != centres.shape[1]:
        raise ValueError(f"samples must be [n, {centres.shape[1]}]. Received: {samples.shape}")
    n, k = len(samples), len(centres)
    finite = np.all(np.isfinite(samples), axis=1)
    d = distance.cdist(np.where(finite[:, None], samples, 0.0), centres)
    nearest = np.argmin(d, axis=1)
    hq = finite & (d[np.arange(n), nearest] <= num_std * std)
    counts = np.bincount(nearest[hq], minlength=k)
    covered = int(np.sum((counts >= 1) & (counts >= min_fraction * n / k)))
    return covered, float(hq.mean()) if n else 0.0, counts


def reverse_kl(counts):
    """KL(p || u) of the modes' histogram p = counts / sum(counts) from the uniform u = 1/K:
    sum_k p_k log(K p_k) (natural log; empty modes add 0), between 0 (every mode equally
    often) and log K (one mode): the "reverse KL" of PacGAN's (Lin et al. 2018) table 1, with
    `counts` the high-quality samples per mode (`mode_stats`), the histogram PacGAN's code
    keeps; inf when there are none.
    """
    counts = np.asarray(counts, np.float64)
    total = counts.sum()
    if total <= 0:
        return float("inf")
    p = counts[counts > 0] / total
    return float(np.sum(p * np.log(len(counts) * p)))


def summary(fake, real, *, centres=None, std=None, num_std=3.0, min_fraction=0.1):
    """W1 to `real` and, for mixtures, modes covered, high-quality fraction and the modes'
    reverse KL (`mode_stats` with `num_std` and `min_fraction`, `reverse_kl`)."""
    out = {"w1": wasserstein1(fake, real)}
    if centres is not None:
        covered, hq, counts = mode_stats(fake, centres, std, num_std=num_std,
                                         min_fraction=min_fraction)
        out.update(modes=covered, num_modes=len(centres), hq_fraction=hq,
                   reverse_kl=reverse_kl(counts), counts=counts.tolist())
    return out
