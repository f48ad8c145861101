"""Whether a generator of digits is trained, as the sanity gates of the MNIST-scale claims ask:
the project's domain classifier's view of its samples (how confident it is, how many classes
they cover) and their FID next to that of Gaussian-noise images against the same real digits.
"""
import numpy as np

from tfgan_reg import data as data_lib
from tfgan_reg.data import images
from tfgan_reg import runs
from tfgan_reg.eval import classifier as classifier_lib
from tfgan_reg.eval import scores

# A class counts as covered when it holds at least this fraction of its fair share (n / 10) of
# the samples' top-1 labels, as `eval.lowdim.mode_stats` counts modes.
CLASS_MIN_FRACTION = 0.1


def _batches(x, size=500):
    return [x[i:i + size] for i in range(0, len(x), size)]


def noise_images(shape, seed):
    """Gaussian-noise images (N(0, 1) pixels clipped to [-1, 1]): the baseline a generator must
    beat to count as trained."""
    return np.clip(np.random.default_rng(seed).standard_normal(shape), -1.0, 1.0) \
        .astype(np.float32)


def digit_scores(samples, data_name, *, seed=0):
    """{"confidence" (the domain classifier's mean top-1 probability), "classes" (classes
    covered), "fid", "noise_fid" (of as many Gaussian-noise images), "num_samples"} of generated
    images `samples` in [-1, 1], against as many real training digits of `data_name`."""
    samples = np.asarray(samples, np.float32)
    clf = classifier_lib.resolve("domain", data_name=data_name)
    logits, pool = classifier_lib.stream(clf, _batches(samples))
    real = data_lib.real_samples(data_name, len(samples), seed + 1, split="train")
    _, real_pool = classifier_lib.stream(clf, _batches(real))
    _, noise_pool = classifier_lib.stream(clf, _batches(noise_images(samples.shape, seed + 2)))
    z = logits - logits.max(axis=1, keepdims=True)
    prob = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    counts = np.bincount(prob.argmax(axis=1), minlength=prob.shape[1])
    fair = len(samples) / prob.shape[1]
    return {"confidence": float(prob.max(axis=1).mean()),
            "classes": int(np.sum(counts >= CLASS_MIN_FRACTION * fair)),
            "fid": scores.frechet_distance(pool, real_pool),
            "noise_fid": scores.frechet_distance(noise_pool, real_pool),
            "num_samples": int(len(samples))}


def run_scores(workdir, n, *, seed=0):
    """`digit_scores` of the latest checkpoint's generator in `workdir` (`n` samples)."""
    config, model = runs.load_run(workdir)
    return dict(digit_scores(runs.generate(model, n, config.eval.seed), config.data.name,
                             seed=seed), step=int(model.step))


def noise_scores(config, cache_dir, *, seed=0):
    """{"is", "fid"} of `config.eval.num_samples` Gaussian-noise images (`noise_images`) by the
    scorer `config`'s training evaluation uses (its classifier, its real subset and sample
    size; the real side cached under `cache_dir`): the noise baseline a run's evaluation curve
    is judged against."""
    n = config.eval.num_samples
    clf = classifier_lib.resolve(config.eval.classifier, data_name=config.data.name,
                                 data_dir=config.data.data_dir)
    real = classifier_lib.real_activations(
        clf, config.data.name, data_dir=config.data.data_dir, num_samples=n,
        seed=config.eval.seed, cache_dir=cache_dir)
    shape = (n,) + tuple(images.sample_uint8(config.data.name, 1, 0,
                                             data_dir=config.data.data_dir).shape[1:])
    out = scores.image_scores(clf, _batches(noise_images(shape, seed)), real, num_samples=n)
    return {"is": float(out["is"]), "fid": float(out["fid"])}


# A generator "learned" digits when the domain classifier is confident on its samples (mnist5k:
# 0.98 on real digits, 0.785 on Gaussian noise), covers the classes and their FID is well below
# that of noise.
LEARNED_CONFIDENCE = 0.9
LEARNED_CLASSES = 8
LEARNED_FID_RATIO = 0.5


def learned(scores, *, confidence=LEARNED_CONFIDENCE, classes=LEARNED_CLASSES,
            noise_fraction=LEARNED_FID_RATIO):
    """(whether a generator draws digits, a short reason) from its `digit_scores`: the domain
    classifier's mean top-1 probability >= `confidence`, >= `classes` classes covered and an
    FID below `noise_fraction` times Gaussian noise's (noise passes none of the three). A
    diverged run (or one without scores) has not."""
    if scores.get("diverged") or "fid" not in scores or "noise_fid" not in scores:
        return False, "diverged" if scores.get("diverged") else "no scores"
    ok = bool(scores["confidence"] >= confidence and scores.get("classes", 0) >= classes
              and scores["fid"] < noise_fraction * scores["noise_fid"])
    return ok, (f"confidence {scores['confidence']:.2f}, {scores.get('classes', 0)} classes, "
                f"FID {scores['fid']:.3g} vs noise {scores['noise_fid']:.3g}")
