"""Seed 003's ICR drift (appendix A.3.1, figure 4): starting from a checkpoint (G_c, D_c),
train the discriminator alone against the fixed generator, or both players as in the run, and
measure how far the discriminator moves on fixed sets of real and fake samples,

    d_set(D_t, D_c) = sqrt(sum_{x in X_set} (D_t(x) - D_c(x))^2),   set in {real, fake}  (5)

with X_fake drawn from the checkpoint generator. Over-trained alone, the discriminator drifts
far and its loss goes to zero; trained with its generator it moves much less.

  python -m tfgan_reg.eval drift --workdir RUN [--steps 2000 --every 100 --num_samples 500]
"""
import csv
import os

import numpy as np

MODES = ("discriminator", "joint")


def drift(d_t, d_c, x):
    """d_set(D_t, D_c) of eq. (5): the Euclidean distance of the two outputs over `x`."""
    diff = np.ravel(np.asarray(d_t(x), np.float64)) - np.ravel(np.asarray(d_c(x), np.float64))
    return float(np.sqrt(np.sum(diff ** 2)))


def run(workdir, *, mode, steps, every, real, fake, verbose=0):
    """Continues the run in `workdir` from its latest checkpoint for `steps` steps, training
    the discriminator alone (`mode="discriminator"`) or both players (`"joint"`, the run's own
    training); every `every` steps, a row (step, d_loss, drift_real, drift_fake). The
    workdir is not written to."""
    import keras

    from tfgan_reg import train_lib
    if mode not in MODES:
        raise ValueError(f"`mode` must be one of {list(MODES)}. Received: mode={mode!r}")
    if not (isinstance(every, int) and every >= 1 and steps % every == 0):
        raise ValueError(f"`steps` must be a positive multiple of `every`. Received: "
                         f"steps={steps!r}, every={every!r}")
    config, model = train_lib.load_run(workdir)
    checkpoint = keras.models.clone_model(model.discriminator)
    checkpoint.set_weights(model.discriminator.get_weights())
    d_c = lambda x: train_lib.in_batches(checkpoint, x)
    if mode == "discriminator":
        model.freeze_generator = True
        if model.d_optimizer is None:  # a joint-optimiser run: the discriminator alone by SGD
            model.d_optimizer = keras.optimizers.SGD(config.train.d_learning_rate)
            model.d_optimizer.build(model.discriminator.trainable_variables)
    rows = []
    step0 = model.step
    d_t = lambda x: train_lib.in_batches(model.discriminator, x)

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            rows.append({"mode": mode, "step": (epoch + 1) * every,
                         "d_loss": float(logs.get("d_loss", np.nan)),
                         "drift_real": drift(d_t, d_c, real), "drift_fake": drift(d_t, d_c, fake)})
            if verbose:
                r = rows[-1]
                print(f"{mode} step {r['step']}: d_loss {r['d_loss']:.4f}, drift real "
                      f"{r['drift_real']:.4f}, fake {r['drift_fake']:.4f}", flush=True)

    data = train_lib.make_dataset(config, start_step=step0, num_steps=steps)
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
    from tfgan_reg.eval import plots
    plots.drift_png(os.path.join(out_dir, "drift.png"), rows)
    return path


# ---- command line ------------------------------------------------------------------------------

def define_flags():
    from absl import flags
    flags.DEFINE_string("workdir", None, "Workdir of a train.py run: its latest checkpoint is "
                        "(G_c, D_c).")
    flags.DEFINE_list("modes", list(MODES), f"Which experiments, of {list(MODES)}.")
    flags.DEFINE_integer("steps", 2000, "Training steps from the checkpoint.")
    flags.DEFINE_integer("every", 100, "Measure every N steps.")
    flags.DEFINE_integer("num_samples", 500, "Size of X_real (training data) and X_fake "
                         "(checkpoint generator); seed 003 uses 500 each.")
    flags.DEFINE_integer("seed", 0, "Seed of X_real's subset and X_fake's latents.")
    flags.DEFINE_string("out", None, "Output directory (default: WORKDIR/drift).")


def main(argv):
    del argv
    from absl import flags
    from tfgan_reg import data as data_lib
    from tfgan_reg import train_lib
    FLAGS = flags.FLAGS
    if not FLAGS.workdir:
        raise SystemExit("error: --workdir is required (the workdir of a train.py run).")
    bad = [m for m in FLAGS.modes if m not in MODES]
    if bad:
        raise SystemExit(f"error: `--modes` must be drawn from {list(MODES)}. Received: {bad}")
    try:
        config, model = train_lib.load_run(FLAGS.workdir)
        real = data_lib.real_samples(config.data.name, FLAGS.num_samples, FLAGS.seed + 1,
                                     data_dir=config.data.data_dir)
        fake = train_lib.generate(model, FLAGS.num_samples, FLAGS.seed, batch_size=500)
        rows = []
        for mode in FLAGS.modes:
            rows += run(FLAGS.workdir, mode=mode, steps=FLAGS.steps, every=FLAGS.every,
                        real=real, fake=fake, verbose=1)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: {e}")
    out = FLAGS.out or os.path.join(FLAGS.workdir, "drift")
    path = write(rows, out)
    print(f"written {path} and {os.path.join(out, 'drift.png')}")
