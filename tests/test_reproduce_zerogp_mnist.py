"""Li et al.'s (0-GP report) figure 4 on mnist5k (`reproduce.zerogp_mnist`): the class-histogram
statistics against hand-computed cases, the verdict rule and gate on planted results (pass,
fail, boundary), and the config's settings."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import config_lib
from tfgan_reg.reproduce import zerogp_mnist as z
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED

KW = dict(class_share=0.025, min_classes=8, max_kl=0.3)


def _probabilities(counts, confidence=0.9):
    """One-hot-ish rows: `counts[c]` rows with `confidence` on class c, the rest spread."""
    rows = []
    for c, n in enumerate(counts):
        row = np.full(10, (1 - confidence) / 9)
        row[c] = confidence
        rows += [row] * n
    return np.array(rows)


def test_class_stats_by_hand():
    even = z.class_stats(_probabilities([10] * 10), **KW)
    assert even["classes"] == 10 and even["kl"] == pytest.approx(0.0, abs=1e-12)
    assert even["confidence"] == pytest.approx(0.9) and not even["collapsed"]
    # Two classes of 10 equally: KL = log(10 / 2) = 1.609, 2 classes: collapsed.
    two = z.class_stats(_probabilities([50, 50] + [0] * 8), **KW)
    assert two["kl"] == pytest.approx(math.log(5)) and two["classes"] == 2 and two["collapsed"]
    # Eight classes evenly: KL = log(10 / 8) = 0.223 < 0.3 and 8 classes: not collapsed.
    eight = z.class_stats(_probabilities([25] * 8 + [0, 0]), **KW)
    assert eight["kl"] == pytest.approx(math.log(1.25)) and not eight["collapsed"]
    # The class-share boundary: 5 of 200 = 2.5 % counts, 4 of 200 does not.
    share = z.class_stats(_probabilities([5, 4] + [24] * 7 + [23]), **KW)
    assert share["classes"] == 9
    # Seven classes evenly: KL = log(10 / 7) = 0.357 > 0.3 and 7 < 8 classes: collapsed.
    assert z.class_stats(_probabilities([10] * 7 + [0] * 3), **KW)["collapsed"]


def test_class_stats_kl_threshold_alone():
    # Ten classes present (>= 2.5 % each) but one holds 73 %: KL above 0.3 collapses.
    counts = [73] + [3] * 9
    s = z.class_stats(_probabilities(counts), **KW)
    p = np.array(counts) / 100
    assert s["classes"] == 10 and s["kl"] == pytest.approx(float(np.sum(p * np.log(10 * p))))
    assert s["kl"] > 0.3 and s["collapsed"]


def _row(collapsed, confidence=0.95, fid=20.0, noise_fid=300.0):
    return {"collapsed": collapsed, "classes": 3 if collapsed else 10,
            "kl": 1.0 if collapsed else 0.01, "confidence": confidence, "fid": fid,
            "noise_fid": noise_fid, "diverged": False}


def _result(pattern):
    """`pattern`: {setting: [collapsed per seed]}, the unnamed settings as the paper says."""
    expected = {"none": True, "one_gp": True, "zero_gp": False, "zero_gp_sample": False,
                "zero_gp_beta09": False}
    return {"seeds": [0, 1, 2],
            "runs": {s: [_row(c) for c in pattern.get(s, [expected[s]] * 3)]
                     for s in z.LABELS}}


def test_verdict_reproduced_partly_not():
    verdict, reason = z.mnist_verdict(_result({}))
    assert verdict == REPRODUCED, reason
    # Majority boundary: No-GP collapses in 2 of 3 (enough), 0-GP in 1 of 3 (allowed).
    assert z.mnist_verdict(_result({"none": [True, True, False],
                                    "zero_gp": [True, False, False]}))[0] == REPRODUCED
    # 1-GP stable in 2 of 3 and 0-GP-sample collapsing in 2 of 3: three of five hold.
    assert z.mnist_verdict(_result({"one_gp": [True, False, False],
                                    "zero_gp_sample": [True, True, False]}))[0] == PARTLY
    # Nothing collapses: the stable three hold, no collapsing one: not reproduced.
    assert z.mnist_verdict(_result({"none": [False] * 3,
                                    "one_gp": [False] * 3}))[0] == NOT_REPRODUCED
    # Everything collapses: two of five.
    assert z.mnist_verdict(_result({s: [True] * 3 for s in z.STABLE}))[0] == NOT_REPRODUCED


def test_gate():
    result = _result({})
    passed, reason = z.mnist_gate(result)
    assert passed and "3/3" in reason
    # Boundary: FID just under half the noise FID counts, exactly half does not; confidence is
    # not asked (a learned 1-GP pilot had 0.874).
    edge = _row(False, 0.5, fid=149.99)
    result["runs"]["zero_gp"] = [edge, edge, _row(False, fid=300.0)]
    assert z.mnist_gate(result)[0]
    result["runs"]["zero_gp"] = [_row(False, fid=150.0), edge, _row(False, fid=300.0)]
    passed, reason = z.mnist_gate(result)
    assert not passed and "1/3" in reason, reason
    # A noise generator (FID that of noise) and diverged runs fail; only 0-GP is gated (No-GP
    # may be anything).
    noise = _row(True, 0.785, fid=300.0)
    diverged = {"diverged": True, "collapsed": True, "classes": 0, "kl": 2.3,
                "confidence": 0.0, "histogram": []}
    result["runs"]["zero_gp"] = [noise, diverged, edge]
    passed, reason = z.mnist_gate(result)
    assert not passed and "diverged" in reason
    result["runs"]["zero_gp"] = [edge] * 3
    result["runs"]["none"] = [noise, diverged, noise]
    assert z.mnist_gate(result)[0]
    assert z.GATE_FID_RATIO == 0.5


@pytest.mark.slow
def test_learned_fails_for_noise_and_passes_real_digits():
    from tfgan_reg import data
    from tfgan_reg.reproduce import digit_checks
    noise = digit_checks.digit_scores(digit_checks.noise_images((500, 28, 28, 1), 5), "mnist5k")
    assert not digit_checks.learned(noise)[0], noise
    real = digit_checks.digit_scores(
        np.asarray(data.real_samples("mnist5k", 500, 9, split="train")), "mnist5k")
    assert digit_checks.learned(real)[0], real


def test_config_settings():
    configs = {s: config_lib.from_file(f"configs/zerogp_mnist.py:{s}") for s in z.LABELS}
    for c in configs.values():
        assert (c.model.g_depth, c.model.g_width, c.model.d_width, c.model.latent_dim) == (
            3, 512, 512, 50)
        assert (c.train.batch_size, c.train.d_learning_rate, c.train.g_learning_rate) == (
            128, 3e-4, 3e-4)
        assert c.train.num_steps == 4687
        # BCE with the log-trick, but 1-GP: the report's "WGAN with one-centered gradient
        # penalty" (eq. 14, L_W), Gulrajani et al.'s centre 1 and weight 10.
        assert c.loss == ("wasserstein" if c.penalty.name == "wgan_gp" else "non_saturating")
        # 10 epochs of MNIST's 60,000 at batch 128 = 150 epochs of mnist5k's 4,000.
        assert round(c.train.num_steps * 128 / 4000) == 150
    assert (configs["zero_gp"].train.beta1, configs["zero_gp"].train.beta2) == (0.5, 0.9)
    assert (configs["zero_gp_beta09"].train.beta1,
            configs["zero_gp_beta09"].train.beta2) == (0.9, 0.9)
    assert configs["none"].penalty.name == "none"
    assert configs["one_gp"].penalty.name == "wgan_gp" and configs["one_gp"].loss == "wasserstein"
    # The configured 1-GP, evaluated: a linear critic with gradient norm 3 everywhere costs
    # lam x (3 - centre)^2 = 10 x 2^2 = 40 (centre 1, weight 10).
    [one_gp] = config_lib.configured_penalties(configs["one_gp"])
    critic = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                               keras.layers.Dense(1, use_bias=False)])
    w = np.zeros((784, 1), np.float32)
    w[:2, 0] = (3.0 * 0.6, 3.0 * 0.8)
    critic.set_weights([w])
    x = np.random.default_rng(0).normal(size=(2, 4, 28, 28, 1)).astype(np.float32)
    value = one_gp(critic, tf.constant(x[0]), tf.constant(x[1]), 0, 7)
    assert float(value) == pytest.approx(40.0, rel=1e-5)
    # 500 on sigmoid(D) at the authors' scale: x (1/4)^2 x (2 x 0.3081)^2 on our logit.
    assert configs["zero_gp"].penalty.lam == pytest.approx(500 / 16 * 0.6162 ** 2, abs=0.01)
    with pytest.raises(ValueError, match="zero_gp_sample"):
        config_lib.from_file("configs/zerogp_mnist.py:two_gp")


@pytest.mark.parametrize("spec", [f"zerogp_mnist.py:{s}" for s in z.LABELS]
                         + [f"dragan_mnist.py:{m}" for m in ("none", "dragan")]
                         + [f"dragan_swissroll.py:{m}" for m in ("none", "wgan_gp", "dragan")])
def test_new_configs_validate(spec):
    # Each run's setup passes the library's own checks (penalty keywords, loss, networks).
    for size in ("", "-quick"):
        config_lib.validate(config_lib.from_file(f"configs/{spec}{size}"))
