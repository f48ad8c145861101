"""Streamed accumulators for the image scores (docs/METHODS.md section 5): each takes the
classifier's outputs batch by batch and holds a fixed amount, whatever the number of samples N.

- `Moments`: mean and unbiased covariance of pool activations (float64), for FID. Batches are
  merged with Chan, Golub and LeVeque's pairwise update (the batch's centred scatter plus the
  shift of the means), not as a raw sum of outer products, whose `S2 / N - m m^T` cancels when
  the mean is large against the spread. Holds d + d^2 floats.
- `InceptionSplits`: the Inception score in TF-GAN's contiguous splits (`np.array_split`
  sizes over N, known in advance). Per split it keeps `sum_x p(y|x)` and
  `sum_x sum_y p log p`, so that `E_x KL(p(y|x) || p(y)) = mean_x sum_y p log p - sum_y q log q`
  with `q = mean_x p(y|x)`, the identity TF-GAN's own streaming variant uses
  (`_classifier_score_from_logits_helper`). Holds splits x classes floats.
- `KernelBlocks`: KID with TF-GAN's block estimator, which compares real block i with fake block
  i only (`kernel_classifier_distance_and_std_from_activations`, block sizes from
  max(N_real, N_fake) and `max_block_size`). Each block pair is scored by that same TF-GAN
  function called on the pair alone (one block); the block estimates are combined into the
  mean and `sqrt(var / n_blocks)` (Bessel-corrected var; NaN for one block), as TF-GAN does.
  Holds one fake block (<= max_block_size rows) and one float per block; the real block is read
  when its fake block is complete.

`tests/test_scores_streaming.py` compares each with TF-GAN's function on the full arrays.
"""
import numpy as np
import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg.eval import tfgan_compat


class Moments:
    """Mean and unbiased covariance of rows streamed in batches, in float64.

    `covariance()` is `M2 / (n - 1)`, the same estimator as TF-GAN's
    `n / (n - 1) * tfp.stats.covariance(x)` in `frechet_classifier_distance_from_activations`.
    """

    def __init__(self):
        self.n = 0
        self.mean = None
        self._m2 = None  # sum of outer products of deviations from the running mean

    def update(self, x):
        x = np.asarray(x, np.float64)
        if x.ndim != 2:
            raise ValueError(f"Moments.update takes [batch, features] rows. Received shape "
                             f"{x.shape}.")
        k = len(x)
        if k == 0:
            return
        batch_mean = x.mean(0)
        centred = x - batch_mean
        scatter = centred.T @ centred
        if self.n == 0:
            self.mean, self._m2 = batch_mean, scatter
        else:
            if x.shape[1] != len(self.mean):
                raise ValueError(f"Moments.update: {x.shape[1]} features after "
                                 f"{len(self.mean)}.")
            delta = batch_mean - self.mean
            total = self.n + k
            self.mean = self.mean + delta * (k / total)
            scatter += np.outer(delta, delta) * (self.n * k / total)
            self._m2 += scatter
        self.n += k

    def covariance(self):
        if self.n < 2:
            raise ValueError(f"A covariance needs at least 2 samples. Received {self.n}.")
        return self._m2 / (self.n - 1)

    @property
    def nbytes(self):
        return 0 if self.mean is None else self.mean.nbytes + self._m2.nbytes


def split_bounds(n, parts):
    """Start indices (and n at the end) of `np.array_split(range(n), parts)`: the first
    `n % parts` parts have one more element. Also TF-GAN's KID block sizes, with the larger
    blocks last there (`block_bounds`)."""
    base, extra = divmod(n, parts)
    sizes = [base + 1] * extra + [base] * (parts - extra)
    return np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])


def block_bounds(n, n_blocks):
    """TF-GAN's KID block boundaries of n rows in n_blocks blocks: `n // n_blocks` rows per
    block, the last `n - n_blocks * (n // n_blocks)` blocks one more."""
    base = n // n_blocks
    extra = n - base * n_blocks
    sizes = [base] * (n_blocks - extra) + [base + 1] * extra
    return np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])


class InceptionSplits:
    """The Inception score `exp(E_x KL(p(y|x) || p(y)))` per contiguous split of the first
    `num_samples` samples (np.array_split sizes, as `scores.inception_score`), from logits
    streamed in order."""

    def __init__(self, num_samples, splits=10):
        checks.number("num_samples", num_samples, low=1, integer=True)
        checks.number("splits", splits, low=1, high=num_samples, integer=True)
        self.num_samples, self.splits = int(num_samples), int(splits)
        self.bounds = split_bounds(self.num_samples, self.splits)
        self.seen = 0
        self.sum_p = None  # [splits, classes]
        self.sum_plogp = np.zeros(self.splits)

    def update(self, logits):
        logits = tf.convert_to_tensor(np.asarray(logits, np.float64))
        if logits.shape.rank != 2:
            raise ValueError(f"Logits must be [batch, classes]. Received shape "
                             f"{tuple(logits.shape)}.")
        k = int(logits.shape[0])
        if self.seen + k > self.num_samples:
            raise ValueError(f"InceptionSplits was set up for {self.num_samples} samples and "
                             f"received {self.seen + k}.")
        # Float64 softmax and log-softmax as in TF-GAN's classifier_score_from_logits.
        p = tf.nn.softmax(logits)
        plogp = np.asarray(tf.reduce_sum(p * tf.nn.log_softmax(logits), axis=1))
        p = np.asarray(p)
        if self.sum_p is None:
            self.sum_p = np.zeros((self.splits, p.shape[1]))
        start = self.seen
        while start < self.seen + k:
            j = int(np.searchsorted(self.bounds, start, side="right")) - 1
            stop = min(int(self.bounds[j + 1]), self.seen + k)
            a, b = start - self.seen, stop - self.seen
            self.sum_p[j] += p[a:b].sum(0)
            self.sum_plogp[j] += plogp[a:b].sum()
            start = stop
        self.seen += k

    def split_scores(self):
        if self.seen != self.num_samples:
            raise ValueError(f"InceptionSplits was set up for {self.num_samples} samples and "
                             f"received {self.seen}.")
        sizes = np.diff(self.bounds).astype(np.float64)
        q = self.sum_p / sizes[:, None]
        mean_kl = self.sum_plogp / sizes - np.sum(q * np.log(q), axis=1)
        return np.exp(mean_kl)

    def result(self):
        """(mean, std) over the splits' scores (np.std, ddof 0)."""
        values = self.split_scores()
        return float(np.mean(values)), float(np.std(values))

    @property
    def nbytes(self):
        return self.sum_plogp.nbytes + (0 if self.sum_p is None else self.sum_p.nbytes)


class KernelBlocks:
    """TF-GAN's KID block estimator over fake activations streamed in order, against `real`:
    an array, or any object with `len()` and `rows(start, stop)` (e.g.
    `classifier.RealActivations`, whose pool stays on disk)."""

    def __init__(self, real, num_fake, max_block_size=1024):
        checks.number("max_block_size", max_block_size, low=1, integer=True)
        self.real = real
        self.num_real, self.num_fake = len(real), int(num_fake)
        self.n_blocks = -(-max(self.num_real, self.num_fake) // int(max_block_size))
        self.real_bounds = block_bounds(self.num_real, self.n_blocks)
        self.fake_bounds = block_bounds(self.num_fake, self.n_blocks)
        self.estimates = []
        self._pending, self._pending_rows, self.seen = [], 0, 0
        self._flush()

    def _rows(self, start, stop):
        rows = getattr(self.real, "rows", None)
        out = rows(start, stop) if rows else self.real[start:stop]
        return np.asarray(out, np.float64)

    def _flush(self):
        """Scores every block whose fake rows are all in (blocks of 0 rows at once)."""
        while len(self.estimates) < self.n_blocks:
            i = len(self.estimates)
            if self._pending_rows < self.fake_bounds[i + 1] - self.fake_bounds[i]:
                return
            real = self._rows(int(self.real_bounds[i]), int(self.real_bounds[i + 1]))
            # A block of 0 fake rows (fewer fakes than blocks) gives NaN, as in TF-GAN.
            fake = (np.concatenate(self._pending) if self._pending
                    else np.zeros((0, real.shape[1])))
            self.estimates.append(block_estimate(real, fake))
            self._pending, self._pending_rows = [], 0

    def update(self, pool):
        pool = np.asarray(pool, np.float64)
        if self.seen + len(pool) > self.num_fake:
            raise ValueError(f"KernelBlocks was set up for {self.num_fake} fake samples and "
                             f"received {self.seen + len(pool)}.")
        start = 0
        while start < len(pool):
            i = len(self.estimates)
            need = int(self.fake_bounds[i + 1] - self.fake_bounds[i]) - self._pending_rows
            piece = pool[start:start + need]
            self._pending.append(piece)
            self._pending_rows += len(piece)
            start += len(piece)
            self.seen += len(piece)
            self._flush()

    def result(self):
        """(KID, standard error): the mean of the block estimates and `sqrt(var / n_blocks)`
        with the Bessel-corrected variance (NaN for a single block), as TF-GAN."""
        if len(self.estimates) != self.n_blocks or self.seen != self.num_fake:
            raise ValueError(f"KernelBlocks was set up for {self.num_fake} fake samples and "
                             f"received {self.seen}.")
        ests = np.asarray(self.estimates, np.float64)
        mean = float(np.mean(ests))
        if self.n_blocks <= 1:
            return mean, float("nan")
        var = float(np.sum((ests - mean) ** 2) / (self.n_blocks - 1))
        return mean, float(np.sqrt(var / self.n_blocks))

    @property
    def nbytes(self):
        return sum(p.nbytes for p in self._pending) + 8 * len(self.estimates)


def block_estimate(real, fake):
    """One block's unbiased MMD^2 estimate (cubic polynomial kernel), computed by TF-GAN's
    `kernel_classifier_distance_and_std_from_activations` on the pair alone as one block."""
    cm = tfgan_compat.classifier_metrics()
    mean, _ = cm.kernel_classifier_distance_and_std_from_activations(
        tf.constant(real, tf.float64), tf.constant(fake, tf.float64),
        max_block_size=max(len(real), len(fake), 1))
    return float(mean)
