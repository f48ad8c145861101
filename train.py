"""Trains a regularised GAN: `python train.py --config=configs/NAME.py --workdir=DIR`.

Any config value may be overridden, e.g. `--config.penalty.gamma=1 --config.train.num_steps=500`.
A workdir with checkpoints is resumed from the latest one.
"""
import sys

from absl import app
from absl import flags
from absl import logging
from ml_collections import config_flags

config_flags.DEFINE_config_file(
    "config", None, "Path to an ml_collections config file, optionally with an argument "
    "(configs/ring8.py:wgan_gp).", lock_config=True)
flags.DEFINE_string("workdir", None, "Directory for checkpoints, TensorBoard logs, pictures "
                    "and metrics; an existing one of the same config is resumed.")
flags.DEFINE_enum("strategy", "default", ["default", "mirrored"],
                  "tf.distribute strategy; the config's batch size is the global batch.")
flags.mark_flags_as_required(["config", "workdir"])
FLAGS = flags.FLAGS


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    # Imported here so that `--help` and flag errors come fast.
    from tfgan_reg import config_lib
    from tfgan_reg import train_lib
    config = FLAGS.config
    try:
        config_lib.validate(config)
        train_lib.train_and_evaluate(config, FLAGS.workdir,
                                     strategy=train_lib.make_strategy(FLAGS.strategy))
    except (ValueError, train_lib.TrainingDiverged) as e:
        logging.error("%s", e)
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    app.run(main)
