"""Export round trips: the same images through every loading path (tf.saved_model, hub.load,
hub.KerasLayer under tf_keras, .keras in a fresh process), and clear errors."""
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import config_lib, runs, training

ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")


def _export(*args):
    return subprocess.run([sys.executable, "-m", "tfgan_reg.export", *args],
                          capture_output=True, text=True, env=ENV, timeout=600)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    base = tmp_path_factory.mktemp("export")
    config = config_lib.base_config()
    config.data.name = "digits"
    config.model.update(arch="dcgan", latent_dim=8, g_width=8, d_width=8,
                        g_normalization="batch", d_normalization="layer")
    config.train.update(batch_size=16, num_steps=6, checkpoint_every=6, ema_decay=0.5,
                        jit_compile=False)
    run = str(base / "run")
    training.train_and_evaluate(config, run, verbose=False)
    out = _export(f"--workdir={run}", f"--out={base / 'out'}")
    assert out.returncode == 0, out.stderr[-2000:]
    _, model = runs.load_run(run)
    return run, str(base / "out"), model


def test_saved_model_signatures_give_the_trained_generators_images(exported):
    run, out, model = exported
    z = np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32)
    want = model.ema_generator()(z, training=False).numpy()
    assert np.abs(want - model.generator(z, training=False).numpy()).max() > 0  # EMA differs
    g = tf.saved_model.load(os.path.join(out, "generator"))
    np.testing.assert_allclose(g(z).numpy(), want, atol=1e-6)
    assert int(g.latent_dim) == 8 and list(g.sample_shape.numpy()) == [8, 8, 1]
    with open(g.config_file.asset_path.numpy().decode()) as f:
        assert '"arch": "dcgan"' in f.read()
    out_default = g.signatures["serving_default"](z=tf.constant(z))
    np.testing.assert_allclose(out_default["images"].numpy(), want, atol=1e-6)
    np.testing.assert_array_equal(out_default["images_uint8"].numpy(),
                                  np.round((np.clip(want, -1, 1) + 1) * 127.5).astype(np.uint8))
    drawn = g.signatures["sample"](n=tf.constant(7), seed=tf.constant(3, tf.int64))
    sampled = runs.generate(model, 7, 3)
    np.testing.assert_allclose(drawn["images"].numpy(), sampled, atol=1e-6)
    uint8 = drawn["images_uint8"].numpy().astype(np.int32)
    assert uint8.shape == (7, 8, 8, 1)
    rounding = np.abs(uint8 - (np.clip(sampled, -1, 1) + 1) * 127.5).max()
    assert rounding <= 0.5 + 1e-3  # the nearest level (the float images agree to 1e-6)
    d = tf.saved_model.load(os.path.join(out, "discriminator"))
    want_logits = model.discriminator(want, training=False).numpy()
    np.testing.assert_allclose(d(want).numpy(), want_logits, atol=1e-5)
    np.testing.assert_allclose(
        d.signatures["serving_default"](images=tf.constant(want))["logits"].numpy(),
        want_logits, atol=1e-5)


def test_hub_load_and_keras_layer(exported):
    import tensorflow_hub as hub
    import tf_keras
    _, out, model = exported
    z = np.random.default_rng(1).normal(size=(4, 8)).astype(np.float32)
    want = model.ema_generator()(z, training=False).numpy()
    np.testing.assert_allclose(hub.load(os.path.join(out, "generator"))(z).numpy(), want,
                               atol=1e-6)
    layer = hub.KerasLayer(os.path.join(out, "generator"))
    net = tf_keras.Sequential([tf_keras.Input((8,)), layer])
    np.testing.assert_allclose(net(z).numpy(), want, atol=1e-6)


@pytest.mark.slow
def test_keras_files_load_in_a_fresh_process(exported, tmp_path):
    _, out, model = exported
    z = np.random.default_rng(2).normal(size=(3, 8)).astype(np.float32)
    np.save(tmp_path / "z.npy", z)
    code = ("import sys, numpy as np, keras; d = sys.argv[1]; z = np.load(sys.argv[2]); "
            "g = keras.models.load_model(d + '/generator.keras'); "
            "D = keras.models.load_model(d + '/discriminator.keras'); x = g(z, training=False); "
            "np.save(sys.argv[3], np.asarray(x)); np.save(sys.argv[4], np.asarray(D(x)))")
    res = subprocess.run([sys.executable, "-c", code, out, str(tmp_path / "z.npy"),
                          str(tmp_path / "x.npy"), str(tmp_path / "d.npy")],
                         capture_output=True, text=True, env=ENV, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    want = model.ema_generator()(z, training=False).numpy()
    np.testing.assert_allclose(np.load(tmp_path / "x.npy"), want, atol=1e-6)
    np.testing.assert_allclose(np.load(tmp_path / "d.npy"),
                               model.discriminator(want, training=False).numpy(), atol=1e-5)


@pytest.mark.slow
def test_export_errors(exported, tmp_path):
    run, out, _ = exported
    bad = _export(f"--workdir={tmp_path / 'nothing'}", f"--out={tmp_path / 'o'}")
    assert bad.returncode != 0 and "is not a tfgan_reg workdir" in bad.stderr
    assert not (tmp_path / "o").exists()
    again = _export(f"--workdir={run}", f"--out={out}")
    assert again.returncode != 0 and "exists and is not empty; pass --overwrite" in again.stderr
    assert os.path.exists(os.path.join(out, "generator", "saved_model.pb"))  # untouched
