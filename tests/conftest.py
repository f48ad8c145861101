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
