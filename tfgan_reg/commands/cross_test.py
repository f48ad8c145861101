"""`python -m tfgan_reg.eval cross_test --workdir1 RUN1 --workdir2 RUN2`: Roth et al.'s
cross-testing of two trained GANs (2017, section 5.5; `tfgan_reg.experiments.cross_test`).

Each discriminator classifies held-out real data against its own generator's samples, then the
other model's samples; the discriminator with the lower cross false-positive rate defines the
better model. The result is written as JSON (default WORKDIR2/cross_test.json).
"""
import json
import os

from absl import flags

from tfgan_reg.experiments import cross_test

flags.DEFINE_string("workdir1", None, "Workdir of the first train.py run (e.g. "
                    "unregularised).")
flags.DEFINE_string("workdir2", None, "Workdir of the second run (e.g. regularised); same "
                    "data set.")
flags.DEFINE_integer("num_samples", 10000, "Real test samples and generated samples per "
                     "model (real image sets: at most the test split's size).")
flags.DEFINE_float("threshold", 0.0, "Logit above which a sample counts as real.")
flags.DEFINE_integer("seed", 0, "Seed of the latent draws and the real subset.")
flags.DEFINE_string("out", None, "JSON file for the result (default: "
                    "WORKDIR2/cross_test.json).")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    if not (FLAGS.workdir1 and FLAGS.workdir2):
        raise ValueError("--workdir1 and --workdir2 are required (two train.py runs).")
    result = cross_test.run(FLAGS.workdir1, FLAGS.workdir2, num_samples=FLAGS.num_samples,
                            threshold=FLAGS.threshold, seed=FLAGS.seed)
    path = FLAGS.out or os.path.join(FLAGS.workdir2, "cross_test.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    n = result["num_samples"]
    print(cross_test.format_report(result, (FLAGS.workdir1, FLAGS.workdir2)))
    print(f"({n} real {result['split']} samples and {n} per generator; written to {path})")
