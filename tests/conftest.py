"""Test set-up: quiet TensorFlow with the commands' oneDNN setting, CPU only, two logical CPU
devices for replica tests, and the tiers (slow, bfloat16)."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tfgan_reg import commands  # noqa: E402  (absl only)

# What the commands set before TensorFlow loads (oneDNN on x86-64, unless set): the tests run
# the library as train.py does; `make test-cpu-paths` sets TF_ENABLE_ONEDNN_OPTS=0 and =1.
commands.set_environment()

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


# Tests of 5-30 s each that run in the slow tier (`make test-all`, CI), so that `make test` stays
# under 8 minutes on 2 cores; each has a faster sibling in the fast tier covering the same code
# (noted after it).
SLOW_TIER = {
    "test_cgd_gan.py::test_one_and_two_replicas_give_the_same_weights[acgd]",  # [cgd]
    "test_cgd_gan.py::test_linearized_products_give_the_plain_products_weights[acgd-True]",
    "test_cgd_gan.py::test_training_runs_acgd_from_a_config_and_resumes",  # test_cgd_gan's CGD
    "test_gan.py::test_fit_with_callbacks_and_keras_files",  # test_keras_model
    "test_keras_model.py::test_save_load_model_continues_like_an_uninterrupted_fit[lazy]",
    "test_keras_model.py::test_terminate_on_nan_does_not_apply_and_terminate_on_non_finite_does",
    "test_keras_model.py::test_backup_and_restore_resumes_an_interrupted_fit",
    "test_keras_model.py::test_predict_samples_the_moving_average_generator",
    "test_keras_model.py::test_tensorboard_csv_logger_and_early_stopping_on_validation_losses",
    "test_training.py::test_cli_errors_come_before_training",  # test_bad_inputs
    "test_training.py::test_resume_after_interruption_matches_uninterrupted_run",  # test_faults
    "test_distributed.py::test_one_and_two_replicas_give_the_same_weights"
    "[r1-kwargs1-non_saturating-2-alternating-4]",  # the r1 case
    "test_distributed.py::test_one_and_two_replicas_give_the_same_weights"
    "[wgan_gp-kwargs2-wasserstein-2-alternating-1]",
    "test_distributed.py::test_one_and_two_replicas_give_the_same_weights"
    "[roth_js-kwargs4-non_saturating-1-simultaneous-1]",
    "test_distributed.py::test_one_and_two_replicas_give_the_same_weights"
    "[dragan-kwargs3-non_saturating-1-alternating-1]",
    "test_images.py::test_celeb_a_dcgan_trains_on_mock_data",  # the digits DCGAN run
    "test_images.py::test_streamed_sets_on_mock_data[celeb_a]",  # [lsun/bedroom]
    "test_output.py::test_start_up_filter_keeps_warnings_and_survives_an_abort",
    "test_lowdim.py::test_summary_on_true_samples_covers_all_modes",  # test_lowdim's others
    "test_drift.py::test_drift_experiment",  # test_drift's freeze_generator
}


# oneDNN's names for instruction sets below the AVX-512 its bfloat16 kernels need.
_BELOW_AVX512 = ("SSE41", "AVX", "AVX2", "AVX2_VNNI")


def bfloat16_cannot_run():
    """Why bfloat16 ops would abort this process, or "": oneDNN on and held by
    ONEDNN_MAX_CPU_ISA below AVX-512 on a CPU that has it. TensorFlow sends bfloat16 to oneDNN
    when the CPU has AVX512F (it does not read the cap), and oneDNN, held below the ISA its
    bfloat16 kernels need, aborts ("could not create a primitive descriptor"). On a CPU without
    AVX-512 TensorFlow sends bfloat16 to Eigen instead (seen under QEMU as an AVX2-only AMD
    EPYC), the path TF_ENABLE_ONEDNN_OPTS=0 takes here: only the cap leads to this state."""
    from tfgan_reg import cpu
    isa = os.environ.get("ONEDNN_MAX_CPU_ISA", "").upper()
    this = cpu.read()
    if (isa not in _BELOW_AVX512 or os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0"
            or this is None or "avx512f" not in this.features):
        return ""
    return (f"ONEDNN_MAX_CPU_ISA={isa} on a CPU with AVX-512: TensorFlow sends bfloat16 to "
            f"oneDNN, which cannot run it under the cap; a CPU without AVX-512 takes Eigen's "
            f"bfloat16 kernels (TF_ENABLE_ONEDNN_OPTS=0)")


def pytest_collection_modifyitems(config, items):
    no_bfloat16 = bfloat16_cannot_run()
    for item in items:
        if item.nodeid.split("/")[-1] in SLOW_TIER:
            item.add_marker(pytest.mark.slow)
        if no_bfloat16 and ("bfloat16" in item.nodeid or item.get_closest_marker("bfloat16")):
            item.add_marker(pytest.mark.skip(reason=no_bfloat16))
