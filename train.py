"""Trains a regularised GAN: `python train.py --config=configs/NAME.py --workdir=DIR`.

Any config value may be overridden, e.g. `--config.penalty.gamma=1 --config.train.num_steps=500`.
A workdir with checkpoints is resumed from the latest readable one; a workdir another process
is writing is refused at once, naming that process (`tfgan_reg.workdirs`).

SIGTERM or Ctrl-C (SIGINT) stops training after the current step, writes a checkpoint of it and
exits with status 143 (SIGTERM) or 130 (SIGINT), 128 + the signal number; running the same
command again resumes with no step lost. Status 0: finished; 1: an error (one `error:` line).

On x86-64 TensorFlow's oneDNN kernels are on (TF_ENABLE_ONEDNN_OPTS=1) unless the variable is
set; a mixed precision that this CPU emulates, and is slow on, gets one `warning:` line.
"""
import sys

from absl import app
from absl import flags
from ml_collections import config_flags

from tfgan_reg import commands  # absl only

# Before TensorFlow loads (the imports below): its start-up as every command has it.
commands.quiet_tensorflow()

from tfgan_reg import config_lib  # noqa: E402
from tfgan_reg import data as data_lib  # noqa: E402
from tfgan_reg import distribute  # noqa: E402
from tfgan_reg import training  # noqa: E402

config_flags.DEFINE_config_file(
    "config", None, "Path to an ml_collections config file, optionally with an argument "
    "(configs/ring8.py:wgan_gp).", lock_config=True)
flags.DEFINE_string("workdir", None, "Directory for checkpoints, TensorBoard logs, pictures "
                    "and metrics; an existing one of the same config is resumed.")
flags.DEFINE_enum("strategy", "default", list(distribute.STRATEGIES),
                  "tf.distribute strategy; the config's batch size is the global batch. "
                  "`default` mirrors over the GPUs when more than one is visible; "
                  "`multi_worker` reads the cluster from TF_CONFIG.")
flags.DEFINE_string("tpu", "", "TPU name or grpc:// address for --strategy=tpu.")
flags.DEFINE_bool("jit_compile", None, "XLA-compile the training step (overrides "
                  "config.train.jit_compile; off is faster for CGD/ACGD on CPU).")
flags.mark_flags_as_required(["config", "workdir"])
FLAGS = flags.FLAGS


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    config = FLAGS.config
    if FLAGS.jit_compile is not None:
        with config.unlocked():
            config.train.jit_compile = FLAGS.jit_compile
    try:
        # Every input checked before anything is built or written.
        config_lib.validate(config)
        commands.check_writable_dir("workdir", FLAGS.workdir)
        data_lib.check_available(config.data.name, config.data.data_dir)
        strategy = distribute.make_strategy(FLAGS.strategy, FLAGS.tpu)
        distribute.check_batch(strategy, config.train.batch_size)
        distribute.check_jit(strategy, config.train.jit_compile)
        training.train_and_evaluate(config, FLAGS.workdir, strategy=strategy)
    except training.Preempted as e:
        print(e, file=sys.stderr)
        sys.exit(e.exit_status)
    except commands.USER_ERRORS as e:
        commands.fail(e)


if __name__ == "__main__":
    commands.run(sys.modules[__name__], sys.argv[1:], program=sys.argv[0])
