"""`experiments.cross_test` (Roth et al. 2017, section 5.5): planted cases with known answers and
tiny trained runs, and its command."""
import json

import numpy as np
import pytest
from scipy import stats

from tfgan_reg.experiments import cross_test

from helpers import eval_tool


def test_confusion_matrix_by_hand():
    m = cross_test.confusion([1.0, 2.0, -1.0, 0.5], [-3.0, 0.2, -0.1, -2.0, -1.0])
    np.testing.assert_allclose(m, [[0.75, 0.2], [0.25, 0.8]])


def test_cross_testing_planted_gaussians():
    # Real data N(0, 1). Model 1 collapsed to 5; its discriminator accepts x < 2. Model 2
    # generates N(0, 1) exactly; its discriminator accepts |x| < 3. Model 1's discriminator is
    # fooled by model 2's samples (cross FP = Phi(2)); model 2's is not fooled (cross FP = 0):
    # model 2 is the better one, as in Roth et al.'s table.
    rng = np.random.default_rng(0)
    n = 200_000
    real = rng.normal(size=n)
    samples = [5.0 + 0.1 * rng.normal(size=n), rng.normal(size=n)]
    d1, d2 = (lambda x: 2.0 - x), (lambda x: 3.0 - np.abs(x))
    r = cross_test.cross_test([d1, d2], samples, real)
    phi2, within3 = stats.norm.cdf(2.0), stats.norm.cdf(3.0) - stats.norm.cdf(-3.0)
    tol = 4 / np.sqrt(n)
    np.testing.assert_allclose(r["model1"]["confusion"], [[phi2, 0.0], [1 - phi2, 1.0]],
                               atol=tol)
    np.testing.assert_allclose(r["model2"]["confusion"],
                               [[within3, within3], [1 - within3, 1 - within3]], atol=tol)
    assert r["model1"]["cross_fp"] == pytest.approx(phi2, abs=tol)
    assert r["model2"]["cross_fp"] == 0.0 and r["model2"]["fn"] == pytest.approx(
        1 - within3, abs=tol)
    assert r["better"] == 2
    swapped = cross_test.cross_test([d2, d1], samples[::-1], real)
    assert swapped["better"] == 1
    same = cross_test.cross_test([d1, d1], [samples[0]] * 2, real)
    assert same["better"] == 0


@pytest.mark.slow
def test_cross_test_cli(ring8_runs, tmp_path):
    out = eval_tool("cross_test", f"--workdir1={ring8_runs[0]}", f"--workdir2={ring8_runs[1]}",
                "--num_samples=300", f"--out={tmp_path / 'x.json'}")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "cross-testing on" in out.stdout and "better model:" in out.stdout
    with open(tmp_path / "x.json") as f:
        r = json.load(f)
    assert r["num_samples"] == 300 and r["better"] in (0, 1, 2)
    for k in ("model1", "model2"):
        m = np.array(r[k]["confusion"])
        assert m.shape == (2, 2) and np.allclose(m.sum(0), 1.0)
        assert 0.0 <= r[k]["cross_fp"] <= 1.0
    bad = eval_tool("cross_test", f"--workdir1={ring8_runs[0]}")
    assert bad.returncode != 0 and "--workdir1 and --workdir2 are required" in bad.stderr
