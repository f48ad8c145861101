"""Mescheder et al. 2018, Lemmas 2.4 and 2.5 on the Dirac-GAN (`tfgan_reg.dynamics.dirac`): the
grids over which the claims `mescheder.lemma_2_4` and `mescheder.lemma_2_5` compare the update
operators' Jacobian eigenvalues (autodiff at the equilibrium) with the lemmas' closed forms and
simulate trajectories. `configs/mescheder_lemmas.py[:quick]`; the claims run in seconds:
`python -m tfgan_reg.reproduce --claims mescheder.lemma_2_4,mescheder.lemma_2_5 --out DIR`.

Both lemmas hold for any f with f'(0) != 0; we take the paper's GAN objective f(t) = -log(1 +
exp(-t)) (f'(0) = 1/2, its section 2.2) and the WGAN's f(t) = t (f'(0) = 1). The step sizes
straddle alpha = sqrt(n_g n_d) h f'(0) = 2, the boundary of Lemma 2.5. Figure 2b ("stable
cycles") is drawn with the authors' notebook setting (LMescheder/GAN_stability@c1f64c9:
notebooks/DiracGAN.ipynb, cells 3-4): h = 0.2, start (1, 1), 500 steps, 1 and 5 D steps.
"""
import ml_collections


def get_config(arg=""):
    if arg not in ("", "quick"):
        raise ValueError(f"configs/mescheder_lemmas.py takes '' or 'quick'. Received: {arg!r}")
    quick = arg == "quick"
    c = ml_collections.ConfigDict()
    c.objectives = ("gan", "wgan")  # f(t) = -log(1 + exp(-t)), f(t) = t
    # Lemma 2.4: every h > 0; a spread of orders of magnitude.
    c.simgd_h = (0.05, 1.0) if quick else (0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 4.0)
    # Lemma 2.5: (n_g, n_d) pairs (the notebook's 1 and 5 D steps, and unequal counts both ways)
    # and h on both sides of alpha = 2 (for f'(0) = 1/2 and n_g = n_d = 1 at h = 4).
    c.alt_counts = ((1, 1), (1, 5)) if quick else ((1, 1), (1, 5), (3, 2), (2, 3))
    c.alt_h = (0.2, 3.0, 6.0) if quick else (0.05, 0.2, 1.0, 1.5, 2.0, 3.0, 3.9, 4.1, 6.0)
    # Closed forms against autodiff eigenvalues, and |lambda| = 1 on the unit circle.
    c.eig_tol = 1e-6  # near alpha = 2 the double eigenvalue -1 is computed to ~sqrt(eps)
    # Lemma 2.4's monotone norm: starts on circles of radius 0.1, 1, 2 at 8 angles (every
    # quadrant, the axes included), simulated for `simgd_steps` steps at each h of
    # `simgd_traj_h`.
    c.start_radii = (1.0,) if quick else (0.1, 1.0, 2.0)
    c.start_angles = 4 if quick else 8
    c.simgd_traj_h = (0.2,) if quick else (0.05, 0.2, 1.0)
    c.simgd_steps = 100 if quick else 500
    # Figure 2b: alternating GD at the notebook's h from (1, 1), for `alt_steps` steps; a cycle
    # is "stable" when the norm stays within [1 / band, band] x its start (no convergence, no
    # divergence). With alpha > 2 (h = 6) iterates from a start near 0 (`tiny_start`) leave it:
    # their norm grows by more than `escape` within `escape_steps` steps.
    c.alt_traj_h = 0.2
    c.alt_traj_counts = ((1, 1), (1, 5))
    c.alt_steps = 100 if quick else 500
    c.band = 2.0
    c.tiny_start = 1e-3
    c.escape_h = 6.0
    c.escape = 10.0
    c.escape_steps = 50
    return c
