"""Low-dimensional metrics: METHODS.md section 5 (seed 002 section 5; mixture mode counts)."""
import numpy as np
from scipy import optimize
from scipy.spatial import distance

# The scalar toy metrics, with True where larger is better (`eval.best_metric`).
METRICS = {"w1": False, "modes": True, "hq_fraction": True}


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
    is covered when it holds at least `min_fraction` of its fair share (n / K) of high-quality
    samples. Returns (modes covered, fraction of high-quality samples, per-mode counts).
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
    covered = int(np.sum(counts >= min_fraction * n / k))
    return covered, float(hq.mean()) if n else 0.0, counts


def summary(fake, real, *, centres=None, std=None):
    """W1 to `real` and, for mixtures, modes covered and high-quality fraction."""
    out = {"w1": wasserstein1(fake, real)}
    if centres is not None:
        covered, hq, counts = mode_stats(fake, centres, std)
        out.update(modes=covered, num_modes=len(centres), hq_fraction=hq,
                   counts=counts.tolist())
    return out
