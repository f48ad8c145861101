"""The tensorflow-gan loader: no stub packages left in `sys.modules`, `import tensorflow_gan`
unchanged, and the loaded ops still working, against closed forms."""
import sys

import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg.eval import tfgan_compat


def _tfgan_modules():
    return {n for n in list(sys.modules)
            if n == "tensorflow_gan" or n.startswith("tensorflow_gan.")}


@pytest.fixture
def fresh_load(monkeypatch):
    """The module loaded by this test, whatever other tests loaded before (an empty cache)."""
    monkeypatch.setattr(tfgan_compat, "_loaded", {})
    before = _tfgan_modules()
    cm = tfgan_compat.classifier_metrics()
    return cm, before


def test_loading_leaves_no_stub_packages(fresh_load):
    cm, before = fresh_load
    assert cm.__name__ == "tensorflow_gan.python.eval.classifier_metrics"
    assert not any(getattr(m, "__tfgan_reg_stub__", False) for m in list(sys.modules.values()))
    assert _tfgan_modules() == before  # nothing of tensorflow_gan registered by the load
    assert tfgan_compat.classifier_metrics() is cm  # loaded once


def test_import_tensorflow_gan_still_fails_as_without_the_loader(fresh_load):
    # tensorflow-gan 2.1.0's __init__ reaches `tf.estimator`, which TensorFlow >= 2.16 lacks;
    # with the stubs left behind, this import used to return an empty package instead.
    before = _tfgan_modules()
    try:
        with pytest.raises(AttributeError, match="has no attribute 'estimator'"):
            import tensorflow_gan  # noqa: F401
    finally:  # the failed import leaves its submodules behind; keep other tests clean
        for name in _tfgan_modules() - before:
            del sys.modules[name]


def test_loaded_ops_give_closed_form_scores(fresh_load):
    cm, _ = fresh_load
    # Uniform predictions: p(y|x) = p(y), so KL = 0 and the score exp(E KL) = 1.
    uniform = tf.zeros([8, 5])
    assert float(cm.classifier_score_from_logits(uniform)) == pytest.approx(1.0, abs=1e-6)
    # Two samples, logits (a, 0) and (0, a): p(y|x) = (s, 1 - s) and (1 - s, s) with
    # s = sigmoid(a), p(y) = (1/2, 1/2); KL = s log 2s + (1 - s) log 2(1 - s) for both.
    a = 3.0
    s = 1.0 / (1.0 + np.exp(-a))
    kl = s * np.log(2 * s) + (1 - s) * np.log(2 * (1 - s))
    two = tf.constant([[a, 0.0], [0.0, a]])
    assert float(cm.classifier_score_from_logits(two)) == pytest.approx(np.exp(kl), rel=1e-5)


def test_loaded_ops_give_closed_form_frechet_distances(fresh_load):
    cm, _ = fresh_load
    g = np.random.default_rng(0)
    x = g.normal(size=(50, 3))
    fid = cm.frechet_classifier_distance_from_activations
    assert float(fid(tf.constant(x), tf.constant(x))) == pytest.approx(0.0, abs=1e-6)
    # 1-D Gaussians: |m1 - m2|^2 + s1^2 + s2^2 - 2 sqrt(s1^2 s2^2) = (m1 - m2)^2 + (s1 - s2)^2,
    # with the sample means and unbiased sample standard deviations.
    u, v = g.normal(1.0, 2.0, size=(200, 1)), g.normal(-0.5, 0.5, size=(300, 1))
    want = (u.mean() - v.mean()) ** 2 + (u.std(ddof=1) - v.std(ddof=1)) ** 2
    assert float(fid(tf.constant(u), tf.constant(v))) == pytest.approx(want, rel=1e-6)
