"""The image-score pipeline end to end with a random-weight Keras InceptionV3 saved locally
(plumbing only: nothing is downloaded)."""
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg.data import images
from tfgan_reg.eval import classifier as classifier_lib
from tfgan_reg.eval import scores

from test_scores import _numpy_is

SIZE = 75  # InceptionV3's smallest input


@pytest.fixture(scope="module")
def inception_dir(tmp_path_factory):
    base = keras.applications.InceptionV3(include_top=False, weights=None,
                                          input_shape=(SIZE, SIZE, 3), pooling="avg")
    head = keras.layers.Dense(10)

    class Module(tf.Module):
        def __init__(self):
            super().__init__()
            self.base, self.head = base, head
            self.head.build((None, 2048))

        @tf.function(input_signature=[tf.TensorSpec([None, SIZE, SIZE, 3], tf.float32)])
        def __call__(self, x):
            pool = self.base(x, training=False)
            return {"logits": self.head(pool), "pool_3": pool}

    module = Module()
    path = str(tmp_path_factory.mktemp("inception"))
    tf.saved_model.save(module, path, signatures={"serving_default": module.__call__})
    return path


@pytest.fixture(scope="module")
def tiny_classifier_dir(tmp_path_factory):
    """A random 16x16x3 CNN with the same outputs: plumbing tests need no InceptionV3."""
    conv = keras.layers.Conv2D(8, 3, strides=2, activation="relu")
    head = keras.layers.Dense(10)
    conv.build((None, 16, 16, 3))
    head.build((None, 8 * 7 * 7))

    class Module(tf.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.head = conv, head

        @tf.function(input_signature=[tf.TensorSpec([None, 16, 16, 3], tf.float32)])
        def __call__(self, x):
            pool = tf.reshape(self.conv(x), [-1, 8 * 7 * 7])
            return {"logits": self.head(pool), "pool_3": pool}

    module = Module()
    path = str(tmp_path_factory.mktemp("tiny"))
    tf.saved_model.save(module, path, signatures={"serving_default": module.__call__})
    return path


def _batches(x, size=64):
    return [x[i:i + size] for i in range(0, len(x), size)]


@pytest.mark.slow
def test_scores_with_a_local_random_inception(inception_dir, tmp_path):
    clf = classifier_lib.load(inception_dir)
    assert clf.input_size == (SIZE, SIZE)
    raw, _ = images.load_uint8("digits")
    real = np.asarray(images.to_float(raw[:128]))
    fake = np.random.default_rng(0).uniform(-1, 1, size=(96, 8, 8, 1)).astype(np.float32)
    logits, pool = classifier_lib.stream(clf, _batches(real))
    assert logits.shape == (128, 10) and pool.shape == (128, 2048)

    pool_cached = classifier_lib.cached_real_activations(
        clf, "digits", lambda: _batches(real), 128, str(tmp_path))
    np.testing.assert_allclose(pool_cached.load(), pool, rtol=1e-5, atol=1e-6)
    assert len(os.listdir(tmp_path)) == 1
    again = classifier_lib.cached_real_activations(  # from the cache: batches are not touched
        clf, "digits", lambda: (_ for _ in ()).throw(AssertionError("recomputed")), 128,
        str(tmp_path))
    np.testing.assert_array_equal(again.load(), pool_cached.load())

    out = scores.image_scores(clf, _batches(fake), pool_cached, splits=4, kid_block=64)
    # The scores are those of this classifier's outputs for the fake images (the score
    # functions themselves: test_scores, test_scores_streaming).
    fake_logits, fake_pool = classifier_lib.stream(clf, _batches(fake))
    split_is = [_numpy_is(part) for part in np.array_split(fake_logits, 4)]
    assert out["num_samples"] == 96
    # A random Inception's IS is near 1: its excess over 1 (the split KLs) is compared.
    assert out["is"] - 1 == pytest.approx(np.mean(split_is) - 1, rel=1e-3)
    assert out["fid"] == pytest.approx(scores.frechet_distance(fake_pool, pool), rel=1e-4)
    same = scores.image_scores(clf, _batches(real), pool_cached, splits=4, kid_block=64)
    assert abs(same["fid"]) < 1e-3 * max(1.0, out["fid"]) and same["fid"] < out["fid"]


def test_offline_classifier_errors(monkeypatch):
    with pytest.raises(FileNotFoundError, match="No classifier at '/nonexistent'"):
        classifier_lib.load("/nonexistent")
    monkeypatch.setattr(classifier_lib, "_reachable", lambda url: False)  # offline, always
    with pytest.raises(FileNotFoundError, match=r"cannot reach it \(no network\).*--classifier"):
        classifier_lib.load()


@pytest.mark.slow
def test_scores_cli_on_a_trained_digits_run(tiny_classifier_dir, tmp_path,
                                            tiny_digits_config):
    import json
    import subprocess
    import sys

    from tfgan_reg import training
    config = tiny_digits_config()
    workdir = str(tmp_path / "run")
    training.train_and_evaluate(config, workdir, verbose=False)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    run = lambda *a: subprocess.run([sys.executable, "-m", "tfgan_reg.eval", "scores", *a],
                                    capture_output=True, text=True, env=env, timeout=600)
    out = run(f"--workdir={workdir}", f"--classifier={tiny_classifier_dir}",
              "--num_samples=64", "--batch_size=32", "--splits=2",
              f"--cache_dir={tmp_path / 'cache'}")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "IS " in out.stdout and "FID " in out.stdout
    with open(os.path.join(workdir, "scores.json")) as f:
        result = json.load(f)
    assert result["num_samples"] == 64 and result["step"] == 2 and np.isfinite(result["fid"])
    bad = run(f"--workdir={tmp_path / 'nothing'}", f"--classifier={tiny_classifier_dir}")
    assert bad.returncode != 0 and "is not a tfgan_reg workdir" in bad.stderr


def test_image_scores_during_training(tiny_classifier_dir, tmp_path, tiny_digits_config):
    from tfgan_reg import training
    config = tiny_digits_config(num_steps=4, checkpoint_every=4, log_every=2)
    config.eval.update(every=2, best_metric="fid", classifier=tiny_classifier_dir,
                       num_samples=64)
    training.train_and_evaluate(config, str(tmp_path), verbose=False)
    with open(tmp_path / "eval.csv") as f:
        rows = [line.split(",") for line in f.read().splitlines()]
    assert rows[0] == ["step", "fid", "is", "kid"] and [r[0] for r in rows[1:]] == ["2", "4"]
    fid = {int(r[0]): float(r[1]) for r in rows[1:]}
    import json
    with open(tmp_path / "best" / "best.json") as f:
        assert json.load(f)["step"] == min(fid, key=fid.get)
    assert len(os.listdir(tmp_path / "cache")) == 1  # real activations computed once
