"""`python -m tfgan_reg.eval scores --workdir RUN --classifier DIR`: Inception score, FID and
KID of a trained generator against its real data set, written to RUN/scores.json.

The classifier is a local SavedModel / TF-Hub directory, the TF-Hub handle of TF-GAN's
Inception network when online, or `domain`: this project's classifier trained on the run's own
data set (digits or MNIST; trained and cached on first use, its test accuracy printed).
Real-data activations are cached in --cache_dir per data set, classifier and sample count
(`real_<name>_<key>/`: the FID mean and covariance, and the pool as pool.npy).

Memory stays flat in --num_samples: the generated images are scored batch by batch into
fixed-size accumulators (IS sums per split, FID mean and covariance, KID one block at a time:
`tfgan_reg.eval.scores`), and the real pool is read back from the cache one KID block at a
time. Peak RSS of 50,000 samples is within 10 % of 5,000 (`benchmarks/scoring_memory.py`).
What is held is set by the pool size d, not by N: a d x d covariance per side (32 MB for
Inception's 2048), one KID block and one batch. On a cache miss the data loader still reads the
real images (uint8) in full.
"""
import json
import os

from absl import flags

from tfgan_reg import data as data_lib
from tfgan_reg import runs
from tfgan_reg.eval import classifier as classifier_lib
from tfgan_reg.eval import scores

flags.DEFINE_string("workdir", None, "Workdir of a train.py run (config.json + checkpoints).")
flags.DEFINE_string("classifier", classifier_lib.TFGAN_INCEPTION,
                    "Local SavedModel / TF-Hub directory, a TF-Hub URL (needs network), or "
                    "`domain` (the project's digits / MNIST classifier, offline).")
flags.DEFINE_integer("num_samples", 50000, "Generated (and real) images to score.")
flags.DEFINE_integer("splits", 10, "Inception-score splits.")
flags.DEFINE_integer("batch_size", 250, "Images per classifier call.")
flags.DEFINE_integer("seed", 0, "Seed of the latent draws.")
flags.DEFINE_string("cache_dir", classifier_lib.default_cache_dir(),
                    "Where real-data activations and domain classifiers are cached.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    if not FLAGS.workdir:
        raise ValueError("--workdir is required (the workdir of a train.py run).")
    config, model = runs.load_run(FLAGS.workdir)
    if not data_lib.is_image(config.data.name):
        raise ValueError(f"Image scores need an image data set; this run trains on "
                         f"{config.data.name!r} (its W1 and mode counts are in metrics.json).")
    clf = classifier_lib.resolve(FLAGS.classifier, data_name=config.data.name,
                                 data_dir=config.data.data_dir, cache_dir=FLAGS.cache_dir)
    real_pool = classifier_lib.real_activations(
        clf, config.data.name, data_dir=config.data.data_dir, num_samples=FLAGS.num_samples,
        seed=FLAGS.seed, cache_dir=FLAGS.cache_dir, batch_size=FLAGS.batch_size)
    fake_batches = runs.generate_batches(model, FLAGS.num_samples, FLAGS.seed,
                                         batch_size=FLAGS.batch_size)
    out = scores.image_scores(clf, fake_batches, real_pool, num_samples=FLAGS.num_samples,
                              splits=FLAGS.splits)
    out.update(classifier=FLAGS.classifier, step=model.step)
    path = os.path.join(FLAGS.workdir, "scores.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
    print(f"IS {out['is']:.3f} +- {out['is_std']:.3f}, FID {out['fid']:.3f}, "
          f"KID {out['kid']:.5f} +- {out['kid_std']:.5f} ({out['num_samples']} samples, "
          f"step {out['step']}); written to {path}")
