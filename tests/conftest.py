"""Test set-up: quiet TensorFlow with the commands' oneDNN setting, CPU only, two logical CPU
devices for replica tests, and the bfloat16 tier. The slow tier (`make test-all`) is marked at
each test, `@pytest.mark.slow` or `pytest.param(..., marks=pytest.mark.slow)` for one case; a
slow test whose code a faster one also covers names that one beside its mark."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tfgan_reg import commands  # noqa: E402  (absl only)
from tfgan_reg import cpu  # noqa: E402  (standard library only)

# What the commands set before TensorFlow loads (oneDNN on x86-64, unless set): the tests run
# the library as train.py does; `make test-cpu-paths` sets TF_ENABLE_ONEDNN_OPTS=0 and =1.
commands.set_environment()

import tensorflow as tf  # noqa: E402

from tfgan_reg import distribute  # noqa: E402

# Logical devices must be configured before TensorFlow initialises its runtime.
distribute.split_cpu(2)

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


# oneDNN's names for instruction sets below the AVX-512 its bfloat16 kernels need.
_BELOW_AVX512 = ("SSE41", "AVX", "AVX2", "AVX2_VNNI")


def bfloat16_cannot_run(environ=os.environ, cpuinfo=None):
    """Why bfloat16 ops would abort a process with `environ` on the CPU of `cpuinfo` (default:
    this one), or "": oneDNN on and held by
    ONEDNN_MAX_CPU_ISA below AVX-512 on a CPU that has it. TensorFlow sends bfloat16 to oneDNN
    when the CPU has AVX512F (it does not read the cap), and oneDNN, held below the ISA its
    bfloat16 kernels need, aborts ("could not create a primitive descriptor"). On a CPU without
    AVX-512 TensorFlow sends bfloat16 to Eigen instead (seen under QEMU as an AVX2-only AMD
    EPYC), the path TF_ENABLE_ONEDNN_OPTS=0 takes here: only the cap leads to this state."""
    isa = environ.get("ONEDNN_MAX_CPU_ISA", "").upper()
    this = cpu.read(cpuinfo)
    if (isa not in _BELOW_AVX512 or environ.get("TF_ENABLE_ONEDNN_OPTS") == "0"
            or this is None or "avx512f" not in this.features):
        return ""
    return (f"ONEDNN_MAX_CPU_ISA={isa} on a CPU with AVX-512: TensorFlow sends bfloat16 to "
            f"oneDNN, which cannot run it under the cap; a CPU without AVX-512 takes Eigen's "
            f"bfloat16 kernels (TF_ENABLE_ONEDNN_OPTS=0)")


def pytest_collection_modifyitems(config, items):
    no_bfloat16 = bfloat16_cannot_run()
    skip_bfloat16 = pytest.mark.skipif(bool(no_bfloat16), reason=no_bfloat16 or "runs here")
    for item in items:
        if "bfloat16" in item.nodeid or item.get_closest_marker("bfloat16"):
            item.add_marker(skip_bfloat16)
