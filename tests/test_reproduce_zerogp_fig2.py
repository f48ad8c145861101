"""Li et al.'s figure 2 (`reproduce.zerogp_fig2`): the paired-test rules on planted results, the
smoothness numbers on discriminators with known gradients, D*, the data, the setup, and the
library penalties taken of sigmoid(D)."""
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import penalties
from tfgan_reg import reproduce
from tfgan_reg.reproduce import zerogp_fig2
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED

N = 10
METHODS = ("none", "wgan_gp", "zero_gp_sample", "zero_gp")


def _verdict(claim_id, result):
    return reproduce.get([claim_id])[0].verdict(result)


def _fig2(lipschitz=None, error=None):
    """Planted figure-2 numbers per method and seed (1.0 unless given)."""
    return {"fig2": {m: {"lipschitz": (lipschitz or {}).get(m, [1.0] * N),
                         "grad_mean": [0.5] * N, "grad_std": [0.1] * N,
                         "d_star_error": (error or {}).get(m, [1.0] * N)} for m in METHODS}}


def _below(k, n=N):
    """`k` seeds below 1.0 (by different amounts, so the ranks differ), the rest above."""
    return [1.0 - 0.01 * (i + 1) for i in range(k)] + [1.0 + 0.001 * (i + 1)
                                                        for i in range(n - k)]


def test_the_setup_is_the_authors_script():
    c = zerogp_fig2.setup()
    assert c.steps == 50005 and c.lam == 1.0 and c.penalty_on == "sigmoid"
    assert (c.learning_rate, c.beta1, c.beta2, c.epsilon) == (1e-3, 0.9, 0.999, 1e-8)
    assert c.batch == 20 and c.samples == 100 and tuple(c.seeds) == tuple(range(10))
    quick = zerogp_fig2.setup(quick=True)
    assert quick.steps < 1000 and len(quick.seeds) == 1
    for cid in ("zerogp.smoother_than_1gp", "zerogp.smoother_than_sample",
                "zerogp.closest_to_optimal"):
        claim = reproduce.get([cid])[0]
        assert claim.config().to_dict() == c.to_dict() and claim.seeds == c.seeds
        assert claim.history and "report.json" in claim.history[-1].before


@pytest.mark.parametrize("claim, other", [("zerogp.smoother_than_1gp", "wgan_gp"),
                                          ("zerogp.smoother_than_sample", "zero_gp_sample")])
def test_smoother_rules_are_a_paired_test(claim, other):
    def verdict(zero_gp):
        return _verdict(claim, _fig2({"zero_gp": zero_gp}))
    # Signed-rank test, n = 10, one-sided: 9 of 10 below with the one above at the smallest
    # |difference| is T+ = 1, p = 2/1024; 8 below and two far above is T+ = 19, p > 0.05.
    assert verdict(_below(10))[0] == REPRODUCED
    assert verdict(_below(9))[0] == REPRODUCED
    v, why = verdict([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.5, 1.5])
    assert v == NOT_REPRODUCED and "within seed spread" in why
    v, why = verdict([1.5] * 9 + [0.9])
    assert v == NOT_REPRODUCED and "opposite" in why
    assert verdict([1.0] * N)[0] == NOT_REPRODUCED  # a tie is not smoother
    # The other comparison does not count for this claim.
    third = "zero_gp_sample" if other == "wgan_gp" else "wgan_gp"
    assert _verdict(claim, _fig2({"zero_gp": [0.5] * N, third: [0.1] * N}))[0] == REPRODUCED


def test_paired_test_against_the_exact_null_distribution():
    # Exact one-sided signed-rank p of 10 negative differences with distinct ranks: 1 / 2^10.
    outcome, p = zerogp_fig2.paired_test(_below(10), [1.0] * N)
    assert outcome == "holds" and p == pytest.approx(1 / 1024)
    # Boundary: the signed-rank statistic T+ (sum of ranks of positive differences) must be
    # <= 10 for p < 0.05 at n = 10 (tables: P(T+ <= 10) = 0.042, P(T+ <= 11) = 0.053).
    diffs = -np.arange(1, 11, dtype=float)
    ten = diffs.copy()
    ten[9] = 10.0     # rank 10 positive: T+ = 10
    eleven = diffs.copy()
    eleven[[0, 9]] = [1.0, 10.0]  # ranks 1 and 10 positive: T+ = 11
    assert zerogp_fig2.paired_test(ten, np.zeros(N))[0] == "holds"
    assert zerogp_fig2.paired_test(eleven, np.zeros(N))[0] == "within spread"


def test_closest_to_optimal_rule():
    claim = "zerogp.closest_to_optimal"
    assert _verdict(claim, _fig2(error={"zero_gp": [0.5] * N}))[0] == REPRODUCED
    # As close as 0-GP-sample within the spread: the report's "trivial" difference.
    error = {"zero_gp": [0.5] * N, "zero_gp_sample": [0.5 + 0.01 * (-1) ** i for i in range(N)]}
    assert _verdict(claim, _fig2(error=error))[0] == PARTLY
    # 0-GP-sample clearly closer: not reproduced; so is a 1-GP as close as 0-GP.
    error = {"zero_gp": [0.5] * N, "zero_gp_sample": [0.1] * N}
    assert _verdict(claim, _fig2(error=error))[0] == NOT_REPRODUCED
    error = {"zero_gp": [0.5] * N, "wgan_gp": [0.5 + 0.01 * (-1) ** i for i in range(N)]}
    assert _verdict(claim, _fig2(error=error))[0] == NOT_REPRODUCED


def _linear(w):
    w = tf.constant(w, tf.float32)
    return lambda x, training=False: tf.reduce_sum(x * w, axis=1, keepdims=True)


def test_smoothness_of_a_linear_discriminator():
    # D(x) = w . x has grad_x D = w everywhere: Lipschitz ||w|| = 5, spread 0.
    points = zerogp_fig2.neighbourhood(*zerogp_fig2.fig2_data(0), seed=1, radius=0.5, draws=10)
    s = zerogp_fig2.smoothness(_linear([3.0, -4.0]), points)
    assert s["lipschitz"] == pytest.approx(5.0, rel=1e-6)
    assert s["grad_mean"] == pytest.approx(5.0, rel=1e-6)
    assert s["grad_std"] == pytest.approx(0.0, abs=1e-5)


def test_smoothness_of_the_probability_is_the_sigmoid_slope_times_the_logit_gradient():
    # sigmoid(w . x): gradient sigmoid'(w . x) w, norm s(1 - s) ||w||.
    points = np.array([[0.0, 0.0], [0.2, 0.1], [1.0, -1.0]], np.float32)
    s = zerogp_fig2.smoothness(zerogp_fig2.probability(_linear([3.0, -4.0])), points)
    z = points @ np.array([3.0, -4.0])
    norms = 5.0 * np.exp(-z) / (1 + np.exp(-z)) ** 2
    assert s["lipschitz"] == pytest.approx(norms.max(), rel=1e-5)
    assert s["grad_mean"] == pytest.approx(norms.mean(), rel=1e-5)


def test_library_penalty_of_sigmoid_d_is_the_authors_penalty():
    # D = w . x: at every point ||grad sigmoid(D)|| = s(1 - s) ||w||, so 0-GP-sample of
    # sigmoid(D) is lam * mean((s(1 - s) ||w||)^2) over real and fake.
    real = np.array([[0.0, 0.0], [0.5, 0.5]], np.float32)
    fake = np.array([[1.0, 0.0], [-0.5, 0.2]], np.float32)
    w = np.array([3.0, -4.0])
    value = penalties.zero_gp_sample(zerogp_fig2.probability(_linear(w)), tf.constant(real),
                                     tf.constant(fake), lam=2.0)
    z = np.concatenate([real, fake]) @ w
    s = 1 / (1 + np.exp(-z))
    assert float(value) == pytest.approx(2.0 * np.mean((s * (1 - s) * 5.0) ** 2), rel=1e-5)


def test_neighbourhood_is_fixed_and_around_the_points():
    real = np.zeros((3, 2), np.float32)
    fake = np.full((2, 2), 10.0, np.float32)
    a = zerogp_fig2.neighbourhood(real, fake, seed=7, radius=0.5, draws=400)
    b = zerogp_fig2.neighbourhood(real, fake, seed=7, radius=0.5, draws=400)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (400 * 5, 2)
    near_fake = np.linalg.norm(a - 10.0, axis=1) < 4.0
    assert near_fake.sum() == 400 * 2  # 2 of the 5 centres are fake
    assert np.std(a[~near_fake]) == pytest.approx(0.5, rel=0.05)
    assert np.mean(a[near_fake]) == pytest.approx(10.0, abs=0.05)


def _gauss_pdf(x, mean, cov):
    d = x - np.asarray(mean)
    inv = np.linalg.inv(cov)
    return np.exp(-0.5 * np.einsum("ni,ij,nj->n", d, inv, d)) / (
        2 * np.pi * np.sqrt(np.linalg.det(cov)))


def test_optimal_discriminator_against_the_density_ratio():
    c = zerogp_fig2.setup()
    x = np.array([[0.4, 0.9], [1.3, 1.2], [-2.0, 3.0], [0.0, 0.0]])
    p_r = _gauss_pdf(x, c.real_mean, c.real_cov)
    p_g = _gauss_pdf(x, c.fake_mean, c.fake_cov)
    d = zerogp_fig2.optimal_discriminator(x)
    np.testing.assert_allclose(d, p_r / (p_r + p_g), rtol=1e-10)
    assert d[0] > 0.5 > d[1]


def test_fig2_data_are_the_authors_gaussians():
    c = zerogp_fig2.setup()
    real, fake = zerogp_fig2.fig2_data(0, n=20000)
    np.testing.assert_allclose(real.mean(0), c.real_mean, atol=0.03)
    np.testing.assert_allclose(np.cov(fake.T), c.fake_cov, atol=0.04)
    a, _ = zerogp_fig2.fig2_data(0)
    b, _ = zerogp_fig2.fig2_data(1)
    assert a.shape == (100, 2) and not np.allclose(a, b)
