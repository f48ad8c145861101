"""The small-game claims (`reproduce.dynamics_claims`): their rules on planted results, their
settings read from configs/, and CGD's update on the ICR paper's quadratic game against a numpy
solution of the CGD update formula."""
import numpy as np
import pytest

from tfgan_reg import config_lib
from tfgan_reg.reproduce import dynamics_claims
from tfgan_reg.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED


def test_table1_rule_on_planted_results():
    paper = dict(dynamics_claims.TABLE1_GENERAL)
    verdict = dynamics_claims._table1_verdict
    assert verdict({"converges": dict(paper, cgd=True)})[0] == REPRODUCED
    one_off = dict(paper, wgan=True)
    assert verdict({"converges": one_off}) == (PARTLY, "rows ['wgan'] disagree")
    two_off = dict(paper, wgan=True, r1=False)
    assert verdict({"converges": two_off})[0] == PARTLY
    three_off = dict(two_off, r2=False)
    assert verdict({"converges": three_off})[0] == NOT_REPRODUCED


def test_critical_rule_on_planted_results():
    closed = {"sigma": 2 ** 0.5, "gamma": 1.0}
    verdict = dynamics_claims._critical_verdict
    planted = lambda s, g: {"sigma_c": s, "gamma_c": g, "closed_form": closed,
                            "agreement": 1e-3}
    assert verdict(planted(1.41421, 1.0004))[0] == REPRODUCED
    assert verdict(planted(1.41421, 1.0011))[0] == PARTLY  # 0.11 % off: outside 0.1 %
    assert verdict(planted(1.0, 2.0))[0] == NOT_REPRODUCED


def _quadratic(simgd, cgd_radius, paper=(True, False, False)):
    simgd_radius = (0.962, 1.042, 1.116)
    return {"rows": [{"eta": list(eta), "simgd_converges": s, "paper_simgd_converges": p,
                      "simgd_radius": r, "cgd_radius": c}
                     for eta, s, p, r, c in zip(((0.09, 0.01), (0.03, 0.03), (0.01, 0.09)),
                                                simgd, paper, simgd_radius, cgd_radius)]}


def test_quadratic_rule_judges_simgd_only():
    verdict = dynamics_claims.quadratic_verdict
    paper = [True, False, False]
    # CGD no longer counts here: whatever its radii, SimGD as the paper says is reproduced.
    v, reason = verdict(_quadratic(paper, (2.0, 2.0, 2.0)))
    assert v == REPRODUCED and "agrees with the paper at 3/3 pairs" in reason
    # One pair off (SimGD converging at (0.03, 0.03), or not at (0.09, 0.01)): not reproduced.
    v, reason = verdict(_quadratic([True, True, False], (0.876, 0.956, 1.030)))
    assert v == NOT_REPRODUCED and "at 2/3 pairs" in reason
    assert verdict(_quadratic([False, False, False], (0.876, 0.956, 1.030)))[0] == NOT_REPRODUCED


def test_quadratic_cgd_radius_is_a_claim_beyond_the_paper():
    from tfgan_reg.reproduce import registry

    claim, = registry.get(["icr.quadratic_cgd_radius"])
    assert claim.beyond_paper and not registry.get(["icr.quadratic"])[0].beyond_paper
    verdict = dynamics_claims.quadratic_cgd_verdict
    paper = [True, False, False]
    # CGD's radius above 1 at the third pair (it diverges there) but below SimGD's: reproduced.
    v, reason = verdict(_quadratic(paper, (0.876, 0.956, 1.030)))
    assert v == REPRODUCED and "below SimGD's at 3/3" in reason
    # The boundary: an equal radius does not strengthen; SimGD's part does not count here.
    assert verdict(_quadratic(paper, (0.876, 0.956, 1.116)))[0] == PARTLY
    assert verdict(_quadratic([False] * 3, (0.876, 0.956, 1.030)))[0] == REPRODUCED
    assert verdict(_quadratic(paper, (0.962, 1.05, 1.2)))[0] == NOT_REPRODUCED


def test_cgd_update_radius_matches_the_cgd_formula():
    # Schaefer & Anandkumar's CGD for min_x f, max_y f: [[1/eta_x, D_xy f], [-D_yx f, 1/eta_y]]
    # (dx, dy) = -(grad_x f, -grad_y f); for f = x^2 + 10xy + y^2 the update is linear.
    gradient = np.array([[2.0, 10.0], [-10.0, -2.0]])
    for eta_x, eta_y in ((0.09, 0.01), (0.03, 0.03), (0.01, 0.09)):
        a = np.array([[1 / eta_x, 10.0], [-10.0, 1 / eta_y]])
        want = np.abs(np.linalg.eigvals(np.eye(2) - np.linalg.solve(a, gradient))).max()
        assert dynamics_claims.cgd_update_radius(eta_x, eta_y) == pytest.approx(want, rel=1e-9)
    assert dynamics_claims.cgd_update_radius(0.09, 0.01) == pytest.approx(0.876, abs=5e-4)


def test_table1_settings_are_the_notebooks_and_converge_as_the_paper_says():
    c = config_lib.from_file("configs/mescheder_dirac.py")
    assert (c.h, c.num_steps, tuple(c.start)) == (0.2, 500, (1.0, 1.0))
    # The notebook's WGAN_GP(0.7, 1.) field is 0.7 (|psi| - 1) sign psi; ours 2 gamma (...).
    assert 2 * c.weights.wgan_gp == pytest.approx(0.7)
    assert (c.weights.instance_noise, c.weights.r1, c.weights.conopt) == (0.7, 0.3, 1.0)
    methods = {m.name: m for m in dynamics_claims.table_methods(c.weights)}
    assert set(methods) == set(dynamics_claims.TABLE1_GENERAL)
    assert methods["instance_noise"].sigma == 0.7 and methods["r2"].gamma == 0.3
    rows = dynamics_claims.table1_rows(c, c.num_steps)
    assert {name: conv for name, _, _, conv in rows} == dynamics_claims.TABLE1_GENERAL
    with pytest.raises(ValueError, match="setup must be table1 or critical"):
        config_lib.from_file("configs/mescheder_dirac.py:table2")
