"""`python -m tfgan_reg.export --workdir RUN --out DIR`: a trained run's generator as a
TF-Hub-style SavedModel (DIR/generator: latents -> images in [-1, 1], `serving_default` and
`sample(n, seed)` signatures), its discriminator (DIR/discriminator), and `.keras` files of
both; see `tfgan_reg.export`.
"""
from absl import flags

from tfgan_reg import export

flags.DEFINE_string("workdir", None, "Workdir of a train.py run (its latest checkpoint).")
flags.DEFINE_string("out", None, "Export directory (generator/, discriminator/, *.keras).")
flags.DEFINE_bool("overwrite", False, "Replace a non-empty --out.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    if not FLAGS.workdir or not FLAGS.out:
        raise ValueError("--workdir (a train.py run) and --out are required.")
    print("\n".join(export.export(FLAGS.workdir, FLAGS.out, overwrite=FLAGS.overwrite)))
