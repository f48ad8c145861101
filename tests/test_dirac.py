"""Dirac-GAN eigenvalues computed by autodiff against Mescheder et al.'s (2018) closed forms
(METHODS 6)."""
import os

import numpy as np
import pytest

from tfgan_reg.dynamics import dirac
from tfgan_reg.dynamics.dirac import Method

FP0 = {"gan": 0.5, "wgan": 1.0}      # f'(0)
FPP0 = {"gan": -0.25, "wgan": 0.0}   # f''(0)
F = {"gan": dirac.f_gan, "wgan": dirac.f_wgan}


def _same(got, want):
    key = lambda z: (round(z.real, 9), round(z.imag, 9))
    np.testing.assert_allclose(sorted(np.asarray(got, complex), key=key),
                               sorted(np.asarray(want, complex), key=key), atol=1e-9)


@pytest.mark.parametrize("f", ["gan", "wgan"])
def test_unregularised_eigenvalues_are_imaginary(f):
    _same(dirac.eigenvalues(Method("unregularized", F[f])), [FP0[f] * 1j, -FP0[f] * 1j])


@pytest.mark.parametrize("h", [0.01, 0.1, 0.5])
def test_simultaneous_gd_update_eigenvalues(h):
    step = dirac.simultaneous_step(Method("unregularized"), h)
    _same(dirac.update_eigenvalues(step), [1 + h * 0.5j, 1 - h * 0.5j])


@pytest.mark.parametrize("h,n_g,n_d", [(0.1, 1, 1), (1.0, 1, 1), (2.0, 1, 5), (3.0, 2, 3),
                                       (0.5, 3, 1)])
def test_alternating_gd_update_eigenvalues_eq5(h, n_g, n_d):
    alpha = np.sqrt(n_g * n_d) * h * 0.5
    a = 1 - alpha ** 2 / 2
    root = np.sqrt(complex(a ** 2 - 1))
    step = dirac.alternating_step(Method("unregularized"), h, n_g=n_g, n_d=n_d)
    _same(dirac.update_eigenvalues(step), [a + root, a - root])


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0, 3.0])
def test_instance_noise_eigenvalues(sigma):
    f1, f2 = FP0["gan"], FPP0["gan"]
    root = np.sqrt(complex(f2 ** 2 * sigma ** 4 - f1 ** 2))
    _same(dirac.eigenvalues(Method("instance_noise", sigma=sigma)),
          [f2 * sigma ** 2 + root, f2 * sigma ** 2 - root])


@pytest.mark.parametrize("name", ["r1", "r2"])
@pytest.mark.parametrize("gamma", [0.1, 0.3, 1.0, 5.0])
def test_gradient_penalty_eigenvalues(name, gamma):
    root = np.sqrt(complex(gamma ** 2 / 4 - FP0["gan"] ** 2))
    _same(dirac.eigenvalues(Method(name, gamma=gamma)), [-gamma / 2 + root, -gamma / 2 - root])


def test_critical_values():
    f1, f2 = FP0["gan"], FPP0["gan"]
    gamma_c = 2 * abs(f1)
    ev = dirac.eigenvalues(Method("r1", gamma=gamma_c))
    np.testing.assert_allclose(ev, [-gamma_c / 2] * 2, atol=1e-6)  # a double real eigenvalue
    sigma_c = np.sqrt(abs(f1) / abs(f2))
    ev = dirac.eigenvalues(Method("instance_noise", sigma=sigma_c))
    np.testing.assert_allclose(ev, [f2 * sigma_c ** 2] * 2, atol=1e-6)


def test_roth_and_conopt_have_negative_real_parts():
    """Both converge (Table 1); Roth's Dirac weights are 1/4 at the equilibrium, so it acts
    like R1 with gamma/2: eigenvalues -gamma/4 +- sqrt(gamma^2/16 - f'(0)^2)."""
    gamma = 1.0
    root = np.sqrt(complex(gamma ** 2 / 16 - 0.25))
    _same(dirac.eigenvalues(Method("roth", gamma=gamma)), [-gamma / 4 + root, -gamma / 4 - root])
    # ConOpt: J = [[0, -a], [a, 0]] - gamma J^T J = [[-g a^2, -a], [a, -g a^2]].
    a = 0.5
    _same(dirac.eigenvalues(Method("conopt", gamma=gamma)), [-gamma * a * a + a * 1j,
                                                             -gamma * a * a - a * 1j])


def _sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


@pytest.mark.parametrize("theta,psi,gamma", [(1.0, 1.0, 1.0), (-0.5, 2.0, 0.7),
                                             (2.0, -1.0, 3.0)])
def test_roth_vector_field_away_from_the_equilibrium(theta, psi, gamma):
    # Mescheder et al. 2018, eq. 1: D is positive on fakes, so the real-class logit is
    # l(x) = -psi x and Roth's regulariser (Roth et al. 2017, eq. 20) with grad_x D = psi is
    #   P = (gamma/2) psi^2 ((1 - sigma(l(0)))^2 + sigma(l(theta))^2)
    #     = (gamma/2) psi^2 (1/4 + s^2),   s = sigma(-psi theta).
    # With f(t) = -log(1 + exp(-t)), f'(t) = sigma(-t), so f'(psi theta) = s, and
    # ds/dpsi = -theta s (1 - s). The generator does not see P:
    #   v_theta = -dL/dtheta = -psi s,
    #   v_psi = dL/dpsi - dP/dpsi = theta s - gamma psi (1/4 + s^2) + gamma psi^2 theta s^2 (1 - s).
    # At theta = psi = gamma = 1: s = sigma(-1) = 0.26894, v = (-0.26894, s - 1/4 - s^3 =
    # -0.000511); the old weight sigma(+psi theta)^2 gives v_psi = -0.65924.
    s = _sigmoid(-psi * theta)
    want = (-psi * s, theta * s - gamma * psi * (0.25 + s ** 2)
            + gamma * psi ** 2 * theta * s ** 2 * (1 - s))
    got = dirac.vector_field(Method("roth", gamma=gamma), theta, psi)
    np.testing.assert_allclose([float(g) for g in got], want, rtol=1e-12, atol=1e-14)
    if (theta, psi, gamma) == (1.0, 1.0, 1.0):
        np.testing.assert_allclose(want, [-0.2689414213699951, -0.0005109740], atol=1e-9)


def test_roth_jacobian_at_the_equilibrium():
    # At 0 both weights are sigma(0)^2 = 1/4, so P ~ (gamma/4) psi^2 and
    # J = [[0, -f'(0)], [f'(0), -gamma/2]]: the eigenvalues of the R1-like closed form.
    gamma = 1.5
    np.testing.assert_allclose(dirac.jacobian(Method("roth", gamma=gamma)),
                               [[0.0, -0.5], [0.5, -gamma / 2]], atol=1e-12)
    root = np.sqrt(complex(gamma ** 2 / 16 - 0.25))
    _same(dirac.eigenvalues(Method("roth", gamma=gamma)), [-gamma / 4 + root, -gamma / 4 - root])


def test_trajectories():
    start, h = (1.0, 1.0), 0.1
    norm = lambda step, n: np.linalg.norm(dirac.trajectory(step, start, n)[-1])
    sim = norm(dirac.simultaneous_step(Method("unregularized"), h), 500)
    assert sim > np.sqrt(2) * 1.05  # spirals out
    assert norm(dirac.simultaneous_step(Method("r1", gamma=1.0), h), 500) < 1e-3
    assert norm(dirac.cgd_step(Method("unregularized"), 1.0), 500) < 1e-3
    # CGD's update operator at the equilibrium is a contraction.
    assert np.abs(dirac.update_eigenvalues(dirac.cgd_step(Method("unregularized"), 1.0))).max() \
        < 1.0


def test_table_reproduces_mescheder_table_1_general_case():
    verdicts = {name: ok for name, _, _, _, ok, _ in dirac.table(h=0.1, num_steps=1500)}
    assert verdicts == {"unregularized": False, "wgan": False, "wgan_gp": False,
                        "dragan": False, "instance_noise": True, "conopt": True, "roth": True,
                        "r1": True, "r2": True, "cgd": True}


def test_quadratic_game_of_the_icr_paper_step_sizes():
    rows = {(ex, ey): (radius, final) for ex, ey, radius, final in
            dirac.quadratic_table(num_steps=400)}
    # Closed form: the update is I + diag(-eta_x, eta_y) H with H = [[2, 10], [10, 2]].
    for (ex, ey), (radius, _) in rows.items():
        want = np.abs(np.linalg.eigvals(np.eye(2) + np.diag([-ex, ey]) @ [[2, 10], [10, 2]]))
        assert radius == pytest.approx(want.max(), rel=1e-9)
    assert rows[(0.09, 0.01)][0] < 1 and rows[(0.09, 0.01)][1] < 1e-3
    assert rows[(0.03, 0.03)][0] > 1 and rows[(0.03, 0.03)][1] > 10
    assert rows[(0.01, 0.09)][0] > 1 and rows[(0.01, 0.09)][1] > 10


def test_grid_field_closed_forms():
    # Unregularised: v = (-psi f'(psi theta), theta f'(psi theta)), a rotation (v . z = 0);
    # R1 adds -gamma psi to v_psi, so v . z = -gamma psi^2 < 0 (inward).
    t, p = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1.5, 1.5, 4))
    fp = 1.0 / (1.0 + np.exp(p * t))  # f'(s) for f(s) = -log(1 + exp(-s))
    vt, vp = dirac.grid_field(dirac.Method("unregularized"), t, p)
    np.testing.assert_allclose(vt, -p * fp, atol=1e-12)
    np.testing.assert_allclose(vp, t * fp, atol=1e-12)
    vt, vp = dirac.grid_field(dirac.Method("r1", gamma=0.7), t, p)
    np.testing.assert_allclose(vt * t + vp * p, -0.7 * p ** 2, atol=1e-12)


@pytest.mark.slow
def test_figures_command(tmp_path):
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "tfgan_reg.dynamics", "figure",
                          f"--out={tmp_path}", "--num_steps=50"], capture_output=True,
                         text=True, timeout=600,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert out.returncode == 0, out.stderr[-2000:]
    names = sorted(os.listdir(tmp_path))
    assert names == sorted(f"dirac_{m.name}.png" for m, _ in dirac.TABLE_ROWS)
    assert all((tmp_path / n).stat().st_size > 5000 for n in names)
