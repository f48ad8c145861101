"""`python -m tfgan_reg.eval bogonet --config=configs/bogonet.py --methods=none,dragan
--pairs=10 --workdir=DIR`: Kodali et al.'s BogoNet score (2017, section 5.2;
`tfgan_reg.experiments.bogonet`): every random architecture pair trained with every method.

Every run lives in DIR/pairNNN/METHOD and resumes if interrupted; the result is
DIR/bogonet.json and one picture of the curves per pair in DIR/curves/.
"""
import os

from absl import flags
from ml_collections import config_flags

from tfgan_reg.experiments import bogonet

config_flags.DEFINE_config_file("config", None, "Base config of every run, e.g. "
                                "configs/bogonet.py (overridable: --config.train.num_steps=N).")
flags.DEFINE_list("methods", ["none", "dragan"], "Methods to compare: `none` (vanilla) or "
                  "penalty names.")
flags.DEFINE_integer("pairs", 10, "Number of random architecture pairs.")
flags.DEFINE_integer("first_seed", 0, "Seed of the first pair.")
flags.DEFINE_string("score", "is", "Score column of eval.csv to compare: is, fid or kid.")
flags.DEFINE_string("workdir", None, "Directory for every run and the result.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    if not FLAGS.workdir or FLAGS.config is None:
        raise ValueError("--config and --workdir are required.")
    result = bogonet.run(FLAGS.config, FLAGS.methods, pairs=FLAGS.pairs, workdir=FLAGS.workdir,
                         first_seed=FLAGS.first_seed, score=FLAGS.score)
    print(bogonet.format_table(result["table"], FLAGS.score))
    print(f"written {os.path.join(FLAGS.workdir, 'bogonet.json')} and curves in "
          f"{os.path.join(FLAGS.workdir, 'curves')}")
