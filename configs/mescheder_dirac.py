"""Mescheder et al. 2018 on the Dirac-GAN: `:table1` (the default), the settings of the claim
`mescheder.table1` (Table 1's general case, figures 2-3), and `:critical`, those of
`mescheder.critical` (Lemma 3.2, figure 4b), read by `tfgan_reg.reproduce.dynamics_claims`.

Table 1, from the authors' notebook, LMescheder/GAN_stability@c1f64c9:notebooks/DiracGAN.ipynb (cell 1) and its
`notebooks/diracgan/gans.py`.

- step size h 0.2 for both players, start (theta, psi) = (1, 1), 500 steps, simultaneous GD
  (`trajectory_simgd`; the notebook also draws alternating GD);
- weights: `WGAN_GP(0.7, 1.)` (`gans.py:87-97`: the field reg (|psi| - target) sign psi; ours
  penalises gamma (|psi| - 1)^2, field 2 gamma (|psi| - 1) sign psi, so gamma 0.35);
  `GAN_InstNoise(0.7)` (sigma 0.7, `:99-115`); `GAN_GradPenalty(0.3)` (R1 / R2, below the
  critical 1.0 the notebook also draws); `GAN_Consensus(1.)` (ConOpt);
- not in the notebook, ours: DRAGAN with WGAN-GP's weight (the same (|psi| - 1)^2 form here),
  Roth et al.'s penalty with R1's weight.

Deviation: `WGAN(1.)` clips psi to [-1, 1]; ours is unclipped (the start (1, 1) is on the clip's
edge, and clipping does not move the equilibrium's eigenvalues, which are imaginary either way).
"""
import ml_collections


def get_config(setup="table1"):
    if setup not in ("table1", "critical"):
        raise ValueError(f"setup must be table1 or critical. Received: setup={setup!r}")
    c = ml_collections.ConfigDict()
    if setup == "critical":
        # f(t) = -log(1 + exp(-t)): f'(0) = 1/2, f''(0) = -1/4 (the paper's section 3.3); the
        # notebook's eigenvalue plot (cell 5) sweeps the penalty from 0 to 3 f'(0).
        c.f1, c.f2 = 0.5, -0.25
        c.sigma_bracket, c.gamma_bracket = (0.05, 5.0), (0.01, 5.0)  # bisection brackets
        c.tol = 1e-6
        c.agreement = 1e-3  # relative, the rule's 0.1 %
        return c
    c.h = 0.2
    c.num_steps = 500
    c.start = (1.0, 1.0)
    c.weights = ml_collections.ConfigDict(dict(
        wgan_gp=0.35, dragan=0.35, instance_noise=0.7, conopt=1.0, roth=0.3, r1=0.3, r2=0.3))
    # A trajectory converges when it ends within this fraction of |start| of (0, 0) and the
    # update is stable at (0, 0) (as `dynamics.dirac.table`).
    c.tolerance = 1e-2
    return c
