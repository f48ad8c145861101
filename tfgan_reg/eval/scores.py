"""Image scores (docs/METHODS.md section 5): Inception score, FID and KID from classifier logits and
pool activations, computed with tensorflow-gan's eval ops (loaded by `tfgan_compat`).

`image_scores` streams: the classifier's outputs are taken batch by batch into fixed-size
accumulators (`tfgan_reg.eval.streaming`), so scoring 50,000 samples holds no more than
scoring 5,000 (`benchmarks/scoring_memory.py` measures it):

- IS: per contiguous split (np.array_split sizes, as TF-GAN's score per split), the sums of
  p(y|x) and of sum_y p log p; each split's exp(E KL(p(y|x) || p(y))) at the end.
- FID: float64 mean and covariance of the fakes (pairwise merge per batch) and of the reals
  (cached), then TF-GAN's `trace_sqrt_product` for Tr((S1 S2)^1/2).
- KID: TF-GAN's block estimator, real block i against fake block i with TF-GAN's block
  boundaries; each pair is scored by TF-GAN's own function as it completes.

The real side is a `classifier.RealActivations` (moments in memory, the pool on disk, read
back one KID block at a time); an [N, features] array is accepted too. The array functions
`inception_score`, `frechet_distance` and `kernel_distance` call TF-GAN on whole arrays, for
callers that hold them; the streamed results equal them (tests/test_scores_streaming.py).
"""
import collections.abc
import contextlib
import os
import tempfile

import numpy as np
import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg.eval import classifier as classifier_lib
from tfgan_reg.eval import streaming
from tfgan_reg.eval import tfgan_compat

# The scores `image_scores` returns that a run can track, and whether larger is better.
METRICS = {"fid": False, "is": True, "kid": False}
# Rows per read when replaying outputs spilled to disk (an iterable of unknown length).
SPILL_READ_ROWS = 1000


def inception_score(logits, splits=10):
    """`exp(E_x KL(p(y|x) || p(y)))` per split of the samples; returns (mean, std) over splits
    (Salimans et al.: 50,000 samples in 10 splits)."""
    logits = np.asarray(logits, np.float32)
    checks.number("splits", splits, low=1, high=len(logits), integer=True)
    cm = tfgan_compat.classifier_metrics()
    values = [float(cm.classifier_score_from_logits(tf.constant(part)))
              for part in np.array_split(logits, splits)]
    return float(np.mean(values)), float(np.std(values))


def frechet_distance(activations1, activations2):
    """FID: `|m1 - m2|^2 + Tr(S1 + S2 - 2 (S1 S2)^1/2)` of the activations' Gaussians."""
    cm = tfgan_compat.classifier_metrics()
    return float(cm.frechet_classifier_distance_from_activations(
        tf.constant(np.asarray(activations1, np.float64)),
        tf.constant(np.asarray(activations2, np.float64))))


def frechet_distance_from_moments(mean1, cov1, mean2, cov2):
    """FID from two Gaussians' means and (unbiased) covariances, the arithmetic of TF-GAN's
    `frechet_classifier_distance_from_activations` after its moments: its
    `trace_sqrt_product` for Tr((S1 S2)^1/2), then `Tr(S1 + S2) - 2 Tr(...) + |m1 - m2|^2`."""
    cm = tfgan_compat.classifier_metrics()
    mean1, mean2 = tf.constant(mean1, tf.float64), tf.constant(mean2, tf.float64)
    cov1, cov2 = tf.constant(cov1, tf.float64), tf.constant(cov2, tf.float64)
    trace = tf.linalg.trace(cov1 + cov2) - 2.0 * cm.trace_sqrt_product(cov1, cov2)
    return float(trace + tf.reduce_sum(tf.math.squared_difference(mean1, mean2)))


def kernel_distance(activations1, activations2, max_block_size=1024):
    """KID (Binkowski et al.): unbiased MMD^2 with the cubic polynomial kernel
    `(x.y / d + 1)^3`, TF-GAN's block estimator; returns (mean over blocks, standard error)."""
    cm = tfgan_compat.classifier_metrics()
    kid, std = cm.kernel_classifier_distance_and_std_from_activations(
        tf.constant(np.asarray(activations1, np.float64)),
        tf.constant(np.asarray(activations2, np.float64)), max_block_size=max_block_size)
    return float(kid), float(std)


def _spill(outputs, directory):
    """Writes (logits, pool) batches to raw files in `directory`; returns their number of rows
    and a generator reading them back SPILL_READ_ROWS at a time (for an iterable of unknown
    length: the splits and KID blocks need N before the first batch)."""
    num, dims = 0, None
    paths = [os.path.join(directory, name) for name in ("logits.raw", "pool.raw")]
    with open(paths[0], "wb") as f_logits, open(paths[1], "wb") as f_pool:
        for logits, pool in outputs:
            dims = (logits.shape[1], pool.shape[1])
            f_logits.write(np.ascontiguousarray(logits, "<f8").tobytes())
            f_pool.write(np.ascontiguousarray(pool, "<f8").tobytes())
            num += len(logits)

    def replay():
        with open(paths[0], "rb") as f_logits, open(paths[1], "rb") as f_pool:
            for start in range(0, num, SPILL_READ_ROWS):
                k = min(SPILL_READ_ROWS, num - start)
                yield (np.fromfile(f_logits, "<f8", k * dims[0]).reshape(k, dims[0]),
                       np.fromfile(f_pool, "<f8", k * dims[1]).reshape(k, dims[1]))

    return num, replay()


def image_scores(classifier, fake_batches, real_pool, *, num_samples=None, splits=10,
                 kid_block=1024):
    """IS of the generated images, and their FID and KID to the real activations, streamed.

    Args:
      classifier: a `classifier.Classifier` (images -> (logits, pool)).
      fake_batches: an iterable of image batches, consumed once.
      real_pool: a `classifier.RealActivations` (e.g. from `classifier.real_activations`) or an
        [N_real, features] array.
      num_samples: the number of generated images `fake_batches` yields. None: counted from a
        list / tuple of batches; any other iterable is first spilled to a temporary directory
        (the IS splits and KID blocks need N up front), so memory stays flat either way.
      splits: IS splits (at most the number of samples).
      kid_block: TF-GAN's `max_block_size` of the KID estimator.

    Returns:
      {"is", "is_std", "fid", "kid", "kid_std", "num_samples"}.

    Raises:
      ValueError: if `fake_batches` yields a number of images other than `num_samples`.
    """
    real = classifier_lib.as_real_activations(real_pool)
    outputs = classifier_lib.outputs(classifier, fake_batches)
    with contextlib.ExitStack() as stack:
        if num_samples is None:
            if isinstance(fake_batches, collections.abc.Sequence):
                num_samples = sum(len(batch) for batch in fake_batches)
            else:
                directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="scores-"))
                num_samples, outputs = _spill(outputs, directory)
        num_samples = int(num_samples)
        inception = streaming.InceptionSplits(num_samples, min(splits, num_samples))
        moments = streaming.Moments()
        kernel = streaming.KernelBlocks(real, num_samples, max_block_size=kid_block)
        for logits, pool in outputs:
            inception.update(logits)
            moments.update(pool)
            kernel.update(pool)
    is_mean, is_std = inception.result()
    kid, kid_std = kernel.result()
    fid = frechet_distance_from_moments(real.mean, real.covariance, moments.mean,
                                        moments.covariance())
    return {"is": is_mean, "is_std": is_std, "fid": fid, "kid": kid, "kid_std": kid_std,
            "num_samples": num_samples}
