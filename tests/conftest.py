"""Test set-up: quiet TensorFlow, CPU only, and two logical CPU devices for replica tests."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tensorflow as tf  # noqa: E402

# Logical devices must be configured before TensorFlow initialises its runtime.
_cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    _cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import pytest  # noqa: E402

_MIRRORED = []


@pytest.fixture
def mirrored_strategy():
    """One MirroredStrategy over the two logical CPUs for the whole session.

    Several MirroredStrategy objects in one process reuse collective instance keys and abort
    with "Shape mismatch in the collective instance"; sharing one avoids that.
    """
    if not _MIRRORED:
        devices = [d.name for d in tf.config.list_logical_devices("CPU")[:2]]
        _MIRRORED.append(tf.distribute.MirroredStrategy(devices))
    return _MIRRORED[0]


@pytest.fixture
def tiny_digits_config():
    """Makes the config of a tiny MLP GAN on digits (seconds to train); keywords override
    `train` values."""
    def make(**train):
        from tfgan_reg import config_lib
        config = config_lib.base_config()
        config.data.name = "digits"
        config.model.update(latent_dim=8, g_depth=1, g_width=32, d_depth=1, d_width=32)
        config.train.update(batch_size=32, num_steps=2, checkpoint_every=2, log_every=1,
                            jit_compile=False)
        config.train.update(**train)
        return config
    return make


@pytest.fixture(scope="session")
def ring8_runs(tmp_path_factory):
    """Two finished 20-step ring8 runs (seeds 0 and 1), shared by the experiments' tests."""
    from helpers import tiny_ring8_config
    from tfgan_reg import training
    base = tmp_path_factory.mktemp("ring8_runs")
    out = []
    for seed in (0, 1):
        workdir = str(base / f"run{seed}")
        training.train_and_evaluate(tiny_ring8_config(seed), workdir, verbose=False)
        out.append(workdir)
    return out
