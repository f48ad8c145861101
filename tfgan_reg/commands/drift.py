"""`python -m tfgan_reg.eval drift --workdir RUN [--steps 2000 --every 100]`: the ICR
paper's drift (Schaefer et al. 2020, appendix A.3.1, figure 4; `tfgan_reg.experiments.drift`).

From the run's latest checkpoint (G_c, D_c), train the discriminator alone against the fixed
generator, or both players as in the run, and measure how far the discriminator moves on fixed
sets of real and fake samples, d_set(D_t, D_c) = sqrt(sum_{x in X_set} (D_t(x) - D_c(x))^2).
Writes drift.csv and drift.png (default WORKDIR/drift); the workdir's run is not changed.
"""
import os

from absl import flags

from tfgan_reg.experiments import drift

flags.DEFINE_string("workdir", None, "Workdir of a train.py run: its latest checkpoint is "
                    "(G_c, D_c).")
flags.DEFINE_list("modes", list(drift.MODES), f"Which experiments, of {list(drift.MODES)}.")
flags.DEFINE_integer("steps", 2000, "Training steps from the checkpoint.")
flags.DEFINE_integer("every", 100, "Measure every N steps.")
flags.DEFINE_integer("num_samples", 500, "Size of X_real (training data) and X_fake "
                     "(checkpoint generator); the ICR paper uses 500 each.")
flags.DEFINE_integer("seed", 0, "Seed of X_real's subset and X_fake's latents.")
flags.DEFINE_string("out", None, "Output directory (default: WORKDIR/drift).")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    if not FLAGS.workdir:
        raise ValueError("--workdir is required (the workdir of a train.py run).")
    rows = drift.measure(FLAGS.workdir, modes=FLAGS.modes, steps=FLAGS.steps,
                         every=FLAGS.every, num_samples=FLAGS.num_samples, seed=FLAGS.seed)
    out = FLAGS.out or os.path.join(FLAGS.workdir, "drift")
    path = drift.write(rows, out)
    print(f"written {path} and {os.path.join(out, 'drift.png')}")
