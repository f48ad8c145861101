"""The ICR paper's appendix A.2 claim (`reproduce.icr_appendix`): the nets, the projection-period
test, and the verdict rule and gate on planted results."""
import numpy as np
import tensorflow as tf

from tfgan_reg.reproduce import icr_appendix as a2
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED


def test_nets_have_28_parameters_and_g_stays_in_s():
    assert sum(np.prod(s) for s in a2.G_SHAPES) == 28
    assert sum(np.prod(s) for s in a2.D_SHAPES) == 28
    rs = np.random.default_rng(0)
    for _ in range(20):
        g = [tf.constant(3 * rs.standard_normal(s)) for s in a2.G_SHAPES]
        u, v = a2.generator(g).numpy()
        # (e^{s+t}, e^{s-t}): s = log(u v) / 2 lies in [-1/2, 1/2], so (2, 2) (s = log 2) is not.
        assert abs(0.5 * np.log(u * v)) <= 0.5
    # D is arctan(...): in (-pi/2, pi/2); with eta = diag(1, 0) it ignores the second input.
    d = [tf.constant(rs.standard_normal(s)) for s in a2.D_SHAPES]
    eta = tf.constant([1.0, 0.0], tf.float64)
    one = a2.discriminator(d, tf.constant([2.0, 5.0], tf.float64), eta)
    two = a2.discriminator(d, tf.constant([2.0, -7.0], tf.float64), eta)
    assert abs(float(one)) < np.pi / 2 and float(one) == float(two)


def test_projection_periods():
    first = np.array([2.0] * 5 + [3.0] + [2.04] * 3 + [1.96] * 2 + [1.0])
    # |x - 2| < 0.05: stretches [0, 5) and [6, 11); 1.96 is inside, 3.0 and 1.0 are not.
    assert a2.projection_periods(first, 2.0, 0.05, 1) == [[0, 5], [6, 5]]
    assert a2.projection_periods(first, 2.0, 0.05, 5) == [[0, 5], [6, 5]]
    assert a2.projection_periods(first, 2.0, 0.05, 6) == []
    # Boundary: |x - 2| = tol is outside.
    assert a2.projection_periods(np.array([2.5, 2.5]), 2.0, 0.5, 1) == []
    assert a2.projection_periods(np.array([2.0, 2.0]), 2.0, 0.05, 1) == [[0, 2]]


def _rows(simgd, cgd):
    """Planted rows from per-initialisation times in projection (0: no period)."""
    return {"rows": [{"init": i, "simgd_finite": True, "cgd_finite": True,
                      "simgd_in_projection": s, "cgd_in_projection": c,
                      "simgd_periods": [[0, s]] if s else [], "cgd_periods": [[0, c]] if c else []}
                     for i, (s, c) in enumerate(zip(simgd, cgd))]}


def test_verdict_reproduced_when_cgd_is_as_often_and_significantly_longer():
    # 13 vs 17 runs with projection; CGD longer in 17 of 17 differing inits: p = 2^-17.
    simgd = [1000] * 13 + [0] * 7
    cgd = [2000] * 17 + [0] * 3
    verdict, reason = a2.a2_verdict(_rows(simgd, cgd))
    assert verdict == REPRODUCED and "13/20 (SimGD) and 17/20 (CGD)" in reason


def test_verdict_sign_test_boundary():
    # CGD longer in k of 20 differing inits, shorter in 20 - k, both always in projection.
    def planted(k):
        return _rows([1000] * 20, [3000] * k + [900] * (20 - k))
    # k = 15: P(X >= 15 | n 20) = 0.0207 < 0.05; k = 14: 0.0577 >= 0.05.
    assert a2.sign_test([1] * 15 + [0] * 5, [0] * 15 + [1] * 5) < 0.05 < a2.sign_test(
        [1] * 14 + [0] * 6, [0] * 14 + [1] * 6)
    # Ties are dropped: 14 wins and 6 ties is 14 of 14.
    assert a2.sign_test([1] * 14 + [0] * 6, [0] * 20) == 0.5 ** 14
    assert a2.a2_verdict(planted(15))[0] == REPRODUCED
    verdict, reason = a2.a2_verdict(planted(14))
    assert verdict == PARTLY and "within the spread" in reason


def test_verdict_partly_and_not_reproduced():
    # CGD longer, but SimGD shows projection in 9 of 20 (< half).
    assert a2.a2_verdict(_rows([1000] * 9 + [0] * 11, [2000] * 20))[0] == PARTLY
    # Exactly half counts as common.
    assert a2.a2_verdict(_rows([1000] * 10 + [0] * 10, [2000] * 20))[0] == REPRODUCED
    # CGD in fewer runs (longer on average): not reproduced.
    verdict, _ = a2.a2_verdict(_rows([100] * 14 + [0] * 6, [5000] * 13 + [0] * 7))
    assert verdict == NOT_REPRODUCED
    # As often but shorter on average, or equal: not reproduced.
    assert a2.a2_verdict(_rows([2000] * 20, [1000] * 20))[0] == NOT_REPRODUCED
    assert a2.a2_verdict(_rows([1000] * 20, [1000] * 20))[0] == NOT_REPRODUCED


def test_gate_needs_every_run_finite():
    result = _rows([1000] * 20, [2000] * 20)
    assert a2.a2_gate(result)[0]
    result["rows"][3]["cgd_finite"] = False
    passed, reason = a2.a2_gate(result)
    assert not passed and "('cgd', 3)" in reason


def test_one_run_is_deterministic_and_shared_by_both_optimisers():
    c = a2.a2_config(quick=True)
    c.num_steps = c.chunk = 20
    c.trace_every = 1
    simgd, again = a2.train(c, "simgd", 3), a2.train(c, "simgd", 3)
    cgd = a2.train(c, "cgd", 3)
    assert simgd["trace"] == again["trace"] and simgd["finite"]
    # Same initialisation, other update: CGD's first step differs from SimGD's only by its
    # O(lr^2) correction, so the first outputs are close (< 5 %), not equal.
    first_s, first_c = np.array(simgd["trace"][0]), np.array(cgd["trace"][0])
    assert 0 < (np.abs(first_s - first_c) / np.abs(first_s)).max() < 0.05
