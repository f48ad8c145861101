"""The scripts of examples/ run as a user runs them (a subprocess each, shortened by their
arguments) and do what they print: training lowers W1, a reloaded GAN samples the trained one's
images and continues, an exported generator gives the same images through both loaders."""
import csv
import glob
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")


def _run(script, *args, timeout=900):
    res = subprocess.run([sys.executable, os.path.join(ROOT, "examples", script), *args],
                         capture_output=True, text=True, env=ENV, timeout=timeout, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


@pytest.mark.slow
def test_own_train_step_with_r1_lowers_w1():
    out = _run("own_train_step.py", "--steps", "300")
    before, after = map(float, re.search(r"W1 to real ([\d.]+) -> ([\d.]+)", out).groups())
    assert after < 0.6 * before, out
    assert "'r1':" in out


@pytest.mark.slow
def test_wgan_gp_digits_fits_with_callbacks_saves_and_reloads(tmp_path):
    out = _run("wgan_gp_digits.py", "--epochs", "2", "--steps_per_epoch", "5", "--outdir",
               str(tmp_path))
    assert os.path.exists(tmp_path / "gan.keras")
    with open(tmp_path / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert {"d_loss", "g_loss", "wgan_gp", "val_d_loss", "val_wgan_gp"} <= set(rows[0])
    assert glob.glob(str(tmp_path / "tensorboard" / "train" / "events.out.tfevents.*"))
    assert not os.path.exists(tmp_path / "backup")  # removed by a fit that finished
    assert "step 10, max |loaded - trained| sample difference 0.00e+00" in out, out
    assert "one more epoch after loading: step 15" in out, out


@pytest.mark.slow
def test_exported_generator_loads_in_tf_keras_and_saved_model(tmp_path):
    out = _run("exported_generator.py", "--workdir", str(tmp_path), "--steps", "10")
    assert "latent_dim 16, sample shape [8, 8, 1], images (8, 8, 8, 1)" in out, out
    assert "`sample` gives (8, 8, 8, 1) uint8 images" in out
    assert "output (8, 10); the layer's images differ from tf.saved_model.load's by 0.0e+00" \
        in out, out
