"""Image scores (METHODS.md section 5): Inception score, FID and KID from classifier logits and
pool activations, computed with tensorflow-gan's eval ops (loaded by `tfgan_compat`)."""
import numpy as np
import tensorflow as tf

from tfgan_reg.eval import classifier as classifier_lib
from tfgan_reg.eval import tfgan_compat

# The scores `image_scores` returns that a run can track, and whether larger is better.
METRICS = {"fid": False, "is": True, "kid": False}


def inception_score(logits, splits=10):
    """`exp(E_x KL(p(y|x) || p(y)))` per split of the samples; returns (mean, std) over splits
    (Salimans et al.: 50,000 samples in 10 splits)."""
    logits = np.asarray(logits, np.float32)
    if not (isinstance(splits, int) and 1 <= splits <= len(logits)):
        raise ValueError(f"`splits` must be an integer in [1, {len(logits)}]. "
                         f"Received: splits={splits!r}")
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


def kernel_distance(activations1, activations2, max_block_size=1024):
    """KID (Binkowski et al.): unbiased MMD^2 with the cubic polynomial kernel
    `(x.y / d + 1)^3`, TF-GAN's block estimator; returns (mean over blocks, standard error)."""
    cm = tfgan_compat.classifier_metrics()
    kid, std = cm.kernel_classifier_distance_and_std_from_activations(
        tf.constant(np.asarray(activations1, np.float64)),
        tf.constant(np.asarray(activations2, np.float64)), max_block_size=max_block_size)
    return float(kid), float(std)


def image_scores(classifier, fake_batches, real_pool, *, splits=10, kid_block=1024):
    """IS of the generated images, and their FID and KID to the real pool activations."""
    logits, pool = classifier_lib.stream(classifier, fake_batches)
    is_mean, is_std = inception_score(logits, splits=min(splits, len(logits)))
    kid, kid_std = kernel_distance(real_pool, pool, max_block_size=kid_block)
    return {"is": is_mean, "is_std": is_std, "fid": frechet_distance(real_pool, pool),
            "kid": kid, "kid_std": kid_std, "num_samples": int(len(logits))}
