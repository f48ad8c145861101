"""Shared test helpers: a small ring8 config, restoring a workdir, a killed dataset, the CLI,
the pixels of a picture."""
import contextlib
import importlib.util
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

from tfgan_reg import config_lib
from tfgan_reg import runs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def small_config(**train):
    """A ring8 MLP run of 40 steps (seconds), checkpoints every 10; keywords override `train`."""
    config = config_lib.base_config()
    config.model.update(g_depth=2, g_width=16, d_depth=2, d_width=16)
    config.train.update(batch_size=32, num_steps=40, checkpoint_every=10, log_every=5,
                        max_checkpoints=10, jit_compile=False)
    config.train.update(**train)
    config.eval.num_samples = 200
    return config


def restored(config, workdir):
    """A fresh model restored from the workdir's latest checkpoint."""
    model = runs.build_gan(config)
    ckpt = runs.make_checkpoint(model)
    ckpt.restore(tf.train.latest_checkpoint(os.path.join(workdir, "checkpoints"))) \
        .assert_existing_objects_matched()
    return model


def relative_error(value, reference):
    """||value - reference|| / ||reference||, in float64: how a low-precision result is judged
    against its float32 or float64 reference. Element-wise tolerances between two
    low-precision results measure the CPU (its kernels round differently), not the code."""
    value, reference = (np.asarray(tf.cast(t, tf.float64)) for t in (value, reference))
    return float(np.linalg.norm(value - reference) / np.linalg.norm(reference))


def picture(path):
    """The RGB pixels of a PNG as floats in [0, 1], decoded by Pillow (which fails on a file
    that is not a whole PNG)."""
    from PIL import Image
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), np.float64) / 255.0


def share_near(pixels, colour, tol):
    """The share of `pixels` ([h, w, 3] in [0, 1]) within `tol` of `colour` (a matplotlib
    colour or an RGB triple) in every channel."""
    from matplotlib import colors
    return float(np.mean(np.abs(pixels - colors.to_rgb(colour)).max(-1) <= tol))


def share_saturated(pixels, threshold=0.2):
    """The share of pixels whose channels spread more than `threshold` (coloured, not white,
    grey or black)."""
    return float(np.mean(pixels.max(-1) - pixels.min(-1) > threshold))


def weights(model):
    return [np.asarray(v) for v in model.generator.weights + model.discriminator.weights]


def killed_at(step):
    """`runs.make_dataset` that interrupts the run when the chunk starting at `step` begins."""
    make = runs.make_dataset

    def crashing(config, *, start_step, num_steps):
        if start_step >= step:
            raise KeyboardInterrupt(f"simulated kill at step {step}")
        return make(config, start_step=start_step, num_steps=num_steps)

    return crashing


def run_cli(*args, timeout=300):
    """`python train.py ARGS` in a subprocess (CPU only, quiet)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    return subprocess.run([sys.executable, os.path.join(ROOT, "train.py"), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


def tiny_ring8_config(seed=0, **train):
    """A 20-step ring8 run of one-layer 16-unit players; keywords override `train`."""
    config = config_lib.base_config()
    config.seed = seed
    config.model.update(g_depth=1, g_width=16, d_depth=1, d_width=16)
    config.train.update(batch_size=32, num_steps=20, checkpoint_every=20, log_every=10,
                        jit_compile=False)
    config.train.update(**train)
    config.eval.num_samples = 100
    return config


def eval_tool(*args):
    """`python -m tfgan_reg.eval ARGS` in a subprocess (CPU only, quiet)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    return subprocess.run([sys.executable, "-m", "tfgan_reg.eval", *args], capture_output=True,
                          text=True, env=env, timeout=600, cwd=ROOT)


@contextlib.contextmanager
def mock_tfds(num_examples, data_dir):
    """`tfds.testing.mock_data` for a whole training run: it mocks reading a set, not preparing
    it, so the up-front "is it prepared?" check (`data.images.check_available`) is passed over
    while it is on."""
    import tensorflow_datasets as tfds
    from unittest import mock
    from tfgan_reg.data import images
    with tfds.testing.mock_data(num_examples=num_examples, data_dir=data_dir), \
            mock.patch.object(images, "check_available", lambda *args, **kwargs: None):
        yield


def config_module(name):
    """The module of `configs/<name>.py` (configs are files, not a package)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "configs",
                                                                     f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
