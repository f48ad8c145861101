"""Schaefer et al. 2020 (ICR), eq. 3 and section 3, figures 3 and 6: the quadratic game
min_x max_y x^2 + 10 x y + y^2, the settings of the claim `icr.quadratic`
(`tfgan_reg.reproduce.dynamics_claims`).

The paper gives the game, the start (1, 1) (figure 3) and the step-size pairs (eta_x, eta_y) =
(0.09, 0.01), (0.03, 0.03), (0.01, 0.09) (section 3); SimGD converges at the first only. The
authors' code for it is not published (f-t-s/CGD@004f01c has other quadratic games); the length
is not stated: 500 steps here, in float64.
"""
import ml_collections


def get_config():
    c = ml_collections.ConfigDict()
    c.step_sizes = ((0.09, 0.01), (0.03, 0.03), (0.01, 0.09))
    c.simgd_converges = (True, False, False)  # section 3
    c.start = (1.0, 1.0)
    c.num_steps = 500
    c.cg_tol = 1e-12
    c.tolerance = 1e-2  # SimGD converges when |z| ends below this (and its radius is < 1)
    return c
