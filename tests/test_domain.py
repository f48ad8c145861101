"""Domain classifiers: trained on digits and mnist5k (real sets) and MNIST (tfds mock data),
cached, and used for IS / FID / KID offline."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow_datasets as tfds

from tfgan_reg import config_lib
from tfgan_reg.data import images
from tfgan_reg.eval import classifier as classifier_lib
from tfgan_reg.eval import domain, scores


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def digits(cache):
    return classifier_lib.resolve("domain", data_name="digits", cache_dir=cache)


def _held_out():
    x, y = images.load_uint8("digits")
    test = np.random.default_rng(0).permutation(len(x))[:len(x) // 5]  # domain's split, seed 0
    return np.asarray(images.to_float(x[test])), y[test]


def test_digits_classifier_is_accurate_and_scores_separate_good_from_bad(digits):
    assert digits.info["test_accuracy"] >= 0.95 and digits.info["num_test"] == 359
    assert digits.input_size == (8, 8) and digits.channels == 1
    x, y = _held_out()
    logits, pool = digits(x)
    assert logits.shape == (359, 10) and pool.shape == (359, 128)
    assert np.mean(np.argmax(logits, 1) == y) == pytest.approx(digits.info["test_accuracy"])
    # Real digits are confidently classified and spread over ten classes: IS near 10; a
    # generator that only draws ones: IS near 1. FID: two halves of the real set are close,
    # ones only or noise are far.
    is_real, _ = scores.inception_score(logits, splits=1)
    is_ones, _ = scores.inception_score(logits[y == 1], splits=1)
    assert is_real > 8.5 and is_ones < 1.5
    noise = np.random.default_rng(0).uniform(-1, 1, x.shape).astype(np.float32)
    _, pool_noise = digits(noise)
    half = len(x) // 2
    fid_real = scores.frechet_distance(pool[:half], pool[half:])
    fid_ones = scores.frechet_distance(pool[:half], pool[y == 1])
    fid_noise = scores.frechet_distance(pool[:half], pool_noise[half:])
    assert 10 * fid_real < min(fid_ones, fid_noise)


def test_cached_classifier_is_loaded_not_retrained(digits, cache, monkeypatch):
    monkeypatch.setattr(domain, "train", lambda *a, **k: pytest.fail("retrained"))
    again = classifier_lib.resolve("domain", data_name="digits", cache_dir=cache)
    x, _ = _held_out()
    np.testing.assert_allclose(again(x[:20])[0], digits(x[:20])[0], rtol=1e-5, atol=1e-5)
    # domain.get itself gives what it trained, not a classifier.Classifier.
    trained = domain.get("digits", cache_dir=cache, verbose=0)
    assert isinstance(trained, domain.Trained) and trained.name == again.name
    assert trained.input_size == (8, 8) and trained.channels == 1
    assert trained.info == again.info
    np.testing.assert_allclose(trained.fn(x[:20])["pool_3"], digits(x[:20])[1], rtol=1e-5,
                               atol=1e-5)
    with pytest.raises(ValueError, match=r"^`data.name` must be one of \['digits', 'mnist', "
                                         r"'mnist5k'\] for eval.classifier='domain'. "
                                         r"Received: data.name='cifar10'$"):
        domain.get("cifar10", cache_dir=cache)


def test_domain_does_not_import_classifier():
    code = ("import sys; import tfgan_reg.eval.domain; "
            "assert 'tfgan_reg.eval.classifier' not in sys.modules, sorted(sys.modules)")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]


@pytest.mark.slow
def test_mnist5k_classifier_is_accurate_on_its_test_split(tmp_path):
    clf = classifier_lib.resolve("domain", data_name="mnist5k", cache_dir=str(tmp_path))
    assert clf.info["num_train"] == 4000 and clf.info["num_test"] == 1000
    assert clf.input_size == (28, 28) and clf.channels == 1
    # The reported accuracy is the test split's, recomputed here from the saved classifier.
    x, y = images.load_uint8("mnist5k", split="test")
    logits, pool = clf(np.asarray(images.to_float(x)))
    assert logits.shape == (1000, 10) and pool.shape == (1000, 128)
    accuracy = np.mean(np.argmax(logits, 1) == y)
    assert accuracy == pytest.approx(clf.info["test_accuracy"]) and accuracy > 0.95
    is_real, _ = scores.inception_score(logits, splits=1)
    assert is_real > 8.5  # confident and spread over the ten balanced classes


def test_mnist_classifier_on_mock_data(tmp_path):
    with tfds.testing.mock_data(num_examples=64, data_dir=str(tmp_path / "tfds")):
        clf = classifier_lib.resolve("domain", data_name="mnist",
                                     data_dir=str(tmp_path / "tfds"), cache_dir=str(tmp_path))
    assert clf.input_size == (28, 28) and clf.channels == 1
    assert clf.info["num_train"] == 64 and clf.info["num_test"] == 64
    assert 0.0 <= clf.info["test_accuracy"] <= 1.0
    logits, pool = clf(np.zeros((3, 28, 28, 1), np.float32))
    assert logits.shape == (3, 10) and pool.shape == (3, 128)


def test_domain_classifier_only_for_its_data_sets():
    config = config_lib.base_config()
    config.eval.classifier = "domain"
    with pytest.raises(ValueError, match=r"one of \['digits', 'mnist', 'mnist5k'\] for eval"):
        config_lib.validate(config)
    config.data.name = "mnist5k"
    config.model.arch = "icr_mnist"
    config_lib.validate(config)
    with pytest.raises(ValueError, match=r"Received: data.name='cifar10'"):
        domain.check_data("cifar10")
    domain.check_data("mnist5k")


@pytest.mark.slow
def test_scores_cli_with_the_domain_classifier(digits, cache, tmp_path, tiny_digits_config):
    from tfgan_reg import runs, training
    config = tiny_digits_config()
    workdir = str(tmp_path / "run")
    training.train_and_evaluate(config, workdir, verbose=False)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    out = subprocess.run([sys.executable, "-m", "tfgan_reg.eval", "scores",
                          f"--workdir={workdir}", "--classifier=domain", "--num_samples=100",
                          "--splits=2", f"--cache_dir={cache}"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Training the digits" not in out.stdout  # the cached classifier is used
    with open(os.path.join(workdir, "scores.json")) as f:
        result = json.load(f)
    # An untrained generator: far from the real digits under the domain classifier.
    assert result["classifier"] == "domain" and result["num_samples"] == 100
    assert result["fid"] > 1.0 and 1.0 <= result["is"] < 8.5


def test_digits_dcgan_with_r1_does_not_collapse(digits, tmp_path):
    # The check, made stricter: after 300 steps the samples cover all ten classes of
    # the trained digits classifier and score far above the untrained generator's IS.
    import importlib.util

    from tfgan_reg import runs, training
    spec = importlib.util.spec_from_file_location(
        "dcgan_config", os.path.join(os.path.dirname(__file__), "..", "configs", "dcgan.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = module.get_config("digits-r1")
    config.train.update(num_steps=300, checkpoint_every=300, jit_compile=False)
    training.train_and_evaluate(config, str(tmp_path), verbose=False)
    untrained = runs.build_gan(config)
    _, model = runs.load_run(str(tmp_path))
    scores_of = lambda m: digits(runs.generate(m, 1000, 0))[0]
    before, after = scores_of(untrained), scores_of(model)
    counts = np.bincount(np.argmax(after, 1), minlength=10)
    assert counts.min() >= 20, counts
    is_before = scores.inception_score(before, splits=1)[0]
    is_after = scores.inception_score(after, splits=1)[0]
    assert is_after > max(3.0, 2 * is_before), (is_before, is_after)
