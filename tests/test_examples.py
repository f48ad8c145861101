"""The scripts of examples/ do what they say: each script's `main` runs in a subprocess
(shortened by its arguments) and the test checks the values it returns and the files it
writes, not its printed wording: training lowers W1, a reloaded GAN samples the trained one's
images and continues, an exported generator gives the same images through both loaders."""
import csv
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
# Runs examples/<script> without its command line (`__main__` is not run), then `call`, an
# expression over the script's names whose value is printed as the last line, in JSON.
DRIVER = """import json, runpy, sys
names = runpy.run_path(sys.argv[1])
print(json.dumps(eval(sys.argv[2], names), default=lambda v: v.tolist()))
"""


def _main(script, call, timeout=900):
    res = subprocess.run([sys.executable, "-c", DRIVER, os.path.join(ROOT, "examples", script),
                          call], capture_output=True, text=True, env=ENV, timeout=timeout,
                         cwd=ROOT)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.splitlines()[-1])


@pytest.mark.slow
def test_own_train_step_with_r1_lowers_w1():
    before, after = _main("own_train_step.py", "main(300)")
    assert after < 0.6 * before, (before, after)


@pytest.mark.slow
def test_wgan_gp_digits_fits_with_callbacks_saves_and_reloads(tmp_path):
    gan_step, loaded_step, same = _main(
        "wgan_gp_digits.py",
        f"(lambda gan, loaded, same: (int(gan.step), int(loaded.step), same))"
        f"(*main(2, 5, {str(tmp_path)!r}))")
    assert os.path.exists(tmp_path / "gan.keras")
    with open(tmp_path / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert {"d_loss", "g_loss", "wgan_gp", "val_d_loss", "val_wgan_gp"} <= set(rows[0])
    assert glob.glob(str(tmp_path / "tensorboard" / "train" / "events.out.tfevents.*"))
    assert not os.path.exists(tmp_path / "backup")  # removed by a fit that finished
    # Two epochs of 5 steps saved and loaded: the loaded file samples the trained model's
    # images exactly, and one more epoch continues from its step.
    assert (gan_step, same, loaded_step) == (10, 0.0, 15)


@pytest.mark.slow
def test_exported_generator_loads_in_tf_keras_and_saved_model(tmp_path):
    import tensorflow as tf
    images, from_layer = _main("exported_generator.py",
                               f"main(make_export({str(tmp_path)!r}, 10))")
    images, from_layer = np.asarray(images, np.float32), np.asarray(from_layer, np.float32)
    # hub.KerasLayer in tf_keras gives tf.saved_model.load's images, in [-1, 1].
    assert images.shape == (8, 8, 8, 1) and np.abs(images).max() <= 1.0
    np.testing.assert_array_equal(from_layer, images)
    # They are the export's images of the script's latents (its signatures: test_export).
    generator = tf.saved_model.load(str(tmp_path / "export" / "generator"))
    assert int(generator.latent_dim) == 16
    assert generator.sample_shape.numpy().tolist() == [8, 8, 1]
    z = tf.random.stateless_normal([8, 16], seed=[0, 0])
    np.testing.assert_allclose(generator(z).numpy(), images, atol=1e-6)
