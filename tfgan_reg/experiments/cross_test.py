"""Roth et al.'s cross-testing of two trained GANs (2017, section 5.5).

Each discriminator first classifies held-out real data against its own generator's samples
(a confusion matrix); then each classifies the other model's samples. A sample counts as real
when the discriminator's logit exceeds `threshold` (0: probability 1/2). The discriminator with
the lower cross false-positive rate (the other generator cannot fool it) defines the better
model.

  python -m tfgan_reg.eval cross_test --workdir1 RUN1 --workdir2 RUN2 [--num_samples 10000]
"""
import numpy as np

from tfgan_reg import data as data_lib
from tfgan_reg import runs


def confusion(real_logits, fake_logits, threshold=0.0):
    """2x2 confusion matrix, columns the true condition (real = positive, fake = negative),
    rows the prediction, each column normalised: [[TPR, FPR], [FNR, TNR]]."""
    real_pos = np.mean(np.ravel(real_logits) > threshold)
    fake_pos = np.mean(np.ravel(fake_logits) > threshold)
    return np.array([[real_pos, fake_pos], [1.0 - real_pos, 1.0 - fake_pos]])


def cross_test(discriminators, samples, real, threshold=0.0):
    """Cross-testing of two models.

    Args:
      discriminators: two callables mapping a batch to logits (model 1's, model 2's).
      samples: two arrays of generated samples (model 1's, model 2's).
      real: held-out real samples.
    Returns a dict: per model its confusion matrix, false-positive rate (own samples taken
    for real) and false-negative rate (real data taken for fake), and per model its cross
    false-positive rate (the other model's samples taken for real); `better` is the model whose
    discriminator has the lower cross FP rate (ties: the lower FN rate; 0 when both tie).
    """
    out = {}
    real_logits = [np.asarray(d(real)) for d in discriminators]
    for i in range(2):
        own = np.asarray(discriminators[i](samples[i]))
        other = np.asarray(discriminators[i](samples[1 - i]))
        m = confusion(real_logits[i], own, threshold)
        out[f"model{i + 1}"] = {
            "confusion": m.tolist(), "fp": float(m[0, 1]), "fn": float(m[1, 0]),
            "cross_fp": float(np.mean(np.ravel(other) > threshold))}
    # The cross FN rate is the model's own FN rate: the real data are the same for both.
    key = lambda i: (out[f"model{i}"]["cross_fp"], out[f"model{i}"]["fn"])
    out["better"] = 0 if key(1) == key(2) else (1 if key(1) < key(2) else 2)
    return out


def format_report(result, names=("model 1", "model 2")):
    lines = []
    for i, name in enumerate(names):
        r = result[f"model{i + 1}"]
        (tp, fp), (fn, tn) = r["confusion"]
        lines += [f"{name}: confusion (columns: true real, true fake)",
                  f"  predicted real  {tp:.4f}  {fp:.4f}",
                  f"  predicted fake  {fn:.4f}  {tn:.4f}",
                  f"  cross-testing on {names[1 - i]}'s samples: FP {r['cross_fp']:.4f}, "
                  f"FN {r['fn']:.4f}"]
    better = result["better"]
    lines.append("better model: " + (names[better - 1] if better else "tie"))
    return "\n".join(lines)


def run(workdir1, workdir2, *, num_samples=10000, threshold=0.0, seed=0):
    """Cross-tests the latest checkpoints of two runs on the same data: `cross_test`'s dict,
    with the workdirs, the sample count and the real split used."""
    (c1, m1), (c2, m2) = runs.load_run(workdir1), runs.load_run(workdir2)
    params = [data_lib.family_params(c.data) for c in (c1, c2)]
    if c1.data.name != c2.data.name or params[0] != params[1]:
        raise ValueError(f"The runs train on different data: {c1.data.name!r} {params[0]} and "
                         f"{c2.data.name!r} {params[1]}.")
    split = "train" if c1.data.name == "digits" else "test"
    real = data_lib.real_samples(c1.data.name, num_samples, seed + 1, split=split,
                                 data_dir=c1.data.data_dir, params=params[0])
    n = len(real)
    samples = [runs.generate(m, n, seed, batch_size=500) for m in (m1, m2)]
    ds = [lambda x, d=m.discriminator: runs.in_batches(d, x) for m in (m1, m2)]
    result = cross_test(ds, samples, real, threshold)
    result.update(workdir1=workdir1, workdir2=workdir2, num_samples=n, threshold=threshold,
                  split=split)
    return result
