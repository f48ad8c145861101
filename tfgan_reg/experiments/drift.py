"""The ICR paper's drift (Schaefer et al. 2020, appendix A.3.1, figure 4): starting from a
checkpoint (G_c, D_c), train the discriminator alone against the fixed generator, or both players as
in the run, and measure how far the discriminator moves on fixed sets of real and fake samples,

    d_set(D_t, D_c) = sqrt(sum_{x in X_set} (D_t(x) - D_c(x))^2),   set in {real, fake}  (5)

with X_fake drawn from the checkpoint generator. Over-trained alone, the discriminator drifts
far and its loss goes to zero; trained with its generator it moves much less.

  python -m tfgan_reg.eval drift --workdir RUN [--steps 2000 --every 100 --num_samples 500]
"""
import csv
import os

import keras
import numpy as np

from tfgan_reg import checks
from tfgan_reg import data as data_lib
from tfgan_reg import runs
from tfgan_reg.eval import plots

MODES = ("discriminator", "joint")


def drift(d_t, d_c, x):
    """d_set(D_t, D_c) of eq. (5): the Euclidean distance of the two outputs over `x`."""
    diff = np.ravel(np.asarray(d_t(x), np.float64)) - np.ravel(np.asarray(d_c(x), np.float64))
    return float(np.sqrt(np.sum(diff ** 2)))


def run(workdir, *, mode, steps, every, real, fake, stop_below=None, verbose=0):
    """Continues the run in `workdir` from its latest checkpoint for `steps` steps, training
    the discriminator alone (`mode="discriminator"`) or both players (`"joint"`, the run's own
    training); every `every` steps, a row (step, d_loss, drift_real, drift_fake). With
    `stop_below`, it stops at the first row whose d_loss (the mean over its `every` steps) is
    below it: the paper's "near-zero loss" reached, nothing later is needed. The workdir is
    not written to."""
    checks.choice("mode", mode, MODES)
    if not (isinstance(every, int) and every >= 1 and steps % every == 0):
        raise ValueError(f"`steps` must be a positive multiple of `every`. Received: "
                         f"steps={steps!r}, every={every!r}")
    config, model = runs.load_run(workdir)
    checkpoint = keras.models.clone_model(model.discriminator)
    checkpoint.set_weights(model.discriminator.get_weights())
    d_c = lambda x: runs.in_batches(checkpoint, x)
    if mode == "discriminator":
        model.freeze_generator = True
        if model.d_optimizer is None:  # a joint-optimiser run: the discriminator alone by SGD
            model.d_optimizer = keras.optimizers.SGD(config.train.d_learning_rate)
            model.d_optimizer.build(model.discriminator.trainable_variables)
    rows = []
    step0 = model.step
    d_t = lambda x: runs.in_batches(model.discriminator, x)

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            rows.append({"mode": mode, "step": (epoch + 1) * every,
                         "d_loss": float(logs.get("d_loss", np.nan)),
                         "drift_real": drift(d_t, d_c, real), "drift_fake": drift(d_t, d_c, fake)})
            if verbose:
                r = rows[-1]
                print(f"{mode} step {r['step']}: d_loss {r['d_loss']:.4f}, drift real "
                      f"{r['drift_real']:.4f}, fake {r['drift_fake']:.4f}", flush=True)
            if stop_below is not None and rows[-1]["d_loss"] < stop_below:
                self.model.stop_training = True

    data = runs.make_dataset(config, start_step=step0, num_steps=steps)
    model.fit(data, epochs=steps // every, steps_per_epoch=every, callbacks=[Record()],
              verbose=0)
    return rows


def write(rows, out_dir):
    """drift.csv and drift.png (loss and both drifts over the steps, per mode)."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "drift.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, ["mode", "step", "d_loss", "drift_real", "drift_fake"])
        w.writeheader()
        w.writerows(rows)
    plots.drift_png(os.path.join(out_dir, "drift.png"), rows)
    return path


def measure(workdir, *, modes=MODES, steps=2000, every=100, num_samples=500, seed=0,
            stop_below=None, verbose=1):
    """Every mode's rows (see `run`, `stop_below` with it) from the latest checkpoint of
    `workdir`, on X_real (a seeded subset of the training data) and X_fake (the checkpoint
    generator's samples, drawn with `seed`)."""
    modes = checks.choices("modes", modes, MODES)
    config, model = runs.load_run(workdir)
    real = data_lib.real_samples(config.data.name, num_samples, seed + 1,
                                 data_dir=config.data.data_dir,
                                 params=data_lib.family_params(config.data))
    fake = runs.generate(model, num_samples, seed, batch_size=500)
    rows = []
    for mode in modes:
        rows += run(workdir, mode=mode, steps=steps, every=every, real=real, fake=fake,
                    stop_below=stop_below, verbose=verbose)
    return rows
