"""IS, FID and KID (through tensorflow-gan's ops) against independent numpy/scipy computations."""
import sys

import numpy as np
import pytest
from scipy import linalg, special

from tfgan_reg.eval import scores, tfgan_compat


def test_compat_loader_loads_eval_ops_without_the_package_init():
    cm = tfgan_compat.classifier_metrics()
    assert hasattr(cm, "frechet_classifier_distance_from_activations")
    assert "tensorflow_gan" not in sys.modules  # the stub packages are gone after the load
    assert tfgan_compat.classifier_metrics() is cm


def _numpy_is(logits):
    p = special.softmax(logits.astype(np.float64), axis=1)
    py = p.mean(0)
    return float(np.exp(np.mean(np.sum(p * (np.log(p) - np.log(py)), 1))))


def test_inception_score_against_numpy():
    logits = np.random.default_rng(0).normal(scale=3.0, size=(1000, 10)).astype(np.float32)
    mean, std = scores.inception_score(logits, splits=10)
    want = [_numpy_is(part) for part in np.array_split(logits, 10)]
    assert mean == pytest.approx(np.mean(want), rel=1e-4)
    assert std == pytest.approx(np.std(want), rel=1e-3)
    # Perfectly confident and balanced over 10 classes: IS = 10; one class: IS = 1.
    confident = np.eye(10, dtype=np.float32)[np.arange(1000) % 10] * 50
    assert scores.inception_score(confident, splits=1)[0] == pytest.approx(10.0, rel=1e-4)
    assert scores.inception_score(confident[::10] * 0 + confident[:1], splits=1)[0] == \
        pytest.approx(1.0, abs=1e-4)
    with pytest.raises(ValueError, match="Received: splits=0"):
        scores.inception_score(logits, splits=0)


def _numpy_fid(a, b):
    m1, m2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2).real
    return float(np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * covmean))


def test_fid_against_scipy_and_the_gaussian_closed_form():
    g = np.random.default_rng(1)
    a, b = g.normal(size=(2000, 8)), g.normal(size=(2000, 8)) @ np.diag(np.linspace(0.5, 2, 8))
    assert scores.frechet_distance(a, b) == pytest.approx(_numpy_fid(a, b), rel=1e-6)
    # Analytic: N(m1, s1^2 I) vs N(m2, s2^2 I) in d dims: |m1 - m2|^2 + d (s1 - s2)^2. With
    # exactly those first two moments (whitened samples), the sample FID equals it.
    d = 6
    base = g.normal(size=(5000, d))
    base = (base - base.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(base, rowvar=False))).T
    x, y = 1.0 + 0.5 * base, -1.0 + 2.0 * base
    assert scores.frechet_distance(x, y) == pytest.approx(d * 4.0 + d * 1.5 ** 2, rel=1e-6)


def _numpy_kid_block(r, g):
    d = r.shape[1]
    k = lambda x, y: (x @ y.T / d + 1) ** 3
    m, n = len(r), len(g)
    krr, kgg = k(r, r), k(g, g)
    return ((krr.sum() - np.trace(krr)) / (m * (m - 1)) + (kgg.sum() - np.trace(kgg)) /
            (n * (n - 1)) - 2 * k(r, g).mean())


def test_kid_against_numpy():
    g = np.random.default_rng(2)
    a, b = g.normal(size=(600, 5)), g.normal(loc=0.3, size=(600, 5))
    kid, std = scores.kernel_distance(a, b, max_block_size=200)
    blocks = [_numpy_kid_block(a[i:i + 200], b[i:i + 200]) for i in range(0, 600, 200)]
    assert kid == pytest.approx(np.mean(blocks), rel=1e-9)
    assert std == pytest.approx(np.std(blocks, ddof=1) / np.sqrt(3), rel=1e-6)
    same, _ = scores.kernel_distance(a, g.normal(size=(600, 5)), max_block_size=600)
    assert abs(same) < 0.05 < kid
