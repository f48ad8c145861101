"""Schaefer et al. 2020 (ICR), appendix A.2 and figure 7: adversarial training as projection with
the 28-parameter generator and discriminator; `configs/icr_a2.py[:quick]`. The claim
`icr.a2_projection` (`tfgan_reg.reproduce.icr_appendix`) trains both nets with SimGD and with
CGD from the same 20 initialisations: `python -m tfgan_reg.reproduce --claims
icr.a2_projection --out DIR`.

From the paper: the nets (appendix A.2; no biases: 4 + 16 + 8 and 8 + 16 + 4 parameters), the
target P_data = (2, 2), the loss min_G max_D D(eta P_data) - D(eta G) (eq. 4) with eta = diag(1,
1e-2) (section 3, figure 7, right column), SimGD and CGD from the same initialisations, 20 runs
each. Not in the paper (the authors' code for it was not found), so ours: the initialisation,
the step size, the length, float64, and the test for "metastable projection" (see
`projection_*`).
"""
import ml_collections


def get_config(arg=""):
    if arg not in ("", "quick"):
        raise ValueError(f"configs/icr_a2.py takes '' or 'quick'. Received: {arg!r}")
    quick = arg == "quick"
    c = ml_collections.ConfigDict()
    c.target = (2.0, 2.0)           # P_data (appendix A.2)
    c.eta = (1.0, 1e-2)             # the diagonal of eta (section 3, figure 7 right)
    # Ours: every weight i.i.d. N(0, 1) from numpy's default_rng(initialisation); the same
    # draw for SimGD and CGD ("with the same initialization", appendix A.2).
    c.init_std = 1.0
    c.initialisations = tuple(range(2 if quick else 20))  # the paper's 20 runs
    # Ours: one step size for both players and both optimisers (SimGD: gradient descent /
    # ascent; CGD: `optimizers.CGD` with eta I). 0.1 lies between two pilots on other
    # initialisations (100-103): at 0.05 SimGD and CGD follow almost the same paths, at 0.2
    # both show projection periods; no value was tried on the claim's initialisations.
    c.learning_rate = 0.1
    c.cg_tol = 1e-10                # CG relative tolerance: exact to float64 noise on 56 dims
    c.cg_max_iter = 100
    # Ours: the paper states no iteration count; 10,000 iterations per run (the pilots' runs
    # had projection periods of 1,000-7,800 iterations within 10,000; the CPU budget).
    c.num_steps = 500 if quick else 10000
    c.chunk = 500 if quick else 1000  # iterations per compiled call
    # "Long periods where the value of the first component of G(w_G) is equal to the first
    # component of P_data" (section 3): a projection period is a stretch of at least
    # `projection_min_steps` consecutive iterations with |G_1 - 2| < `projection_tol` (2.5 %);
    # a run "shows the projection behaviour" when it has one; its time in projection states is
    # the iterations in such periods.
    c.projection_tol = 0.05
    c.projection_min_steps = 50 if quick else 500
    c.trace_every = 10 if quick else 100  # G(w_G) kept for the picture
    return c
