"""Kodali et al. 2017 (DRAGAN) on 2-D mixtures, with the toy setup its footnote 2 cites
(igul222/improved_wgan_training@fa66c57:gan_toy.py, "gan_toy" below):
`--config=configs/dragan_toy.py:<setup>[-quick]`.

<setup>:
- `fig8-<wgan_gp|dragan>`: supplement 2.3, figure 8 (claim `dragan.fig8_ring8`): gan_toy's
  8 Gaussians (radius 2 and std 0.02, / 1.414: tfgan_reg's ring8), its networks (3 hidden ReLU
  layers of 512, gan_toy:42-58; z 2-D N(0, I)), Adam(1e-4, 0.5, 0.9) for both players
  (gan_toy:89-105), batch 256 (:26). WGAN-GP: the Wasserstein loss, lam 0.1 (:23), 5 critic
  steps (:25). DRAGAN: lam 10, C 0.5, one D step (the paper's section 3.2, "in all of our
  experiments"), the non-saturating loss, the same Adam (also kodalinaveen3/DRAGAN@5cf95ab:
  DRAGAN.ipynb's). Expected: both approximately converge to the ring.
- `table-<ring8|grid25>-<none|dragan>`: the rows of `dragan.collapse_rarer` (beyond the
  paper: Kodali et al. show mode collapse on MNIST, CIFAR-10 and BogoNet), a hybrid of two
  sources that neither runs: gan_toy's batch and Adam betas (0.5, 0.9) with 3 hidden layers of
  64 (the 0-GP authors' toy nets, for the budget) and the lr 1e-3 of the paper's section 3.2
  ("Adam with default parameters", whose betas are (0.9, 0.999)), because gan_toy's 1e-4 did
  not learn at this length, see `TABLE_LR`.

Length: gan_toy runs 100,000 iterations (:27). `FIG8_STEPS` and `TABLE_STEPS` are what fits
the CPU budget of these claims (the claims' setup gives the measured cost); the claims gate on
whether the runs learnt (modes covered), and figure 8's rule asks that W1 has settled.
`-quick`: 20 steps of 16-unit networks (a smoke test).
Deviations: Glorot-uniform init (gan_toy: He-uniform hidden layers), 1,000 evaluation samples
with exact W1 (gan_toy draws pictures).
"""
from tfgan_reg import config_lib

FIG8_METHODS = ("wgan_gp", "dragan")
TABLE_DATASETS = ("ring8", "grid25")
TABLE_METHODS = ("none", "dragan")
FIG8_STEPS = 10000
TABLE_STEPS = 20000
# The table's lr. gan_toy's 1e-4 was checked with the 64-unit nets (2026-12-07, seed 0, 20,000
# steps): grid25 DRAGAN 2 of 25 modes (W1 0.48), ring8 No-GP 2 of 8 (W1 0.90, swinging
# between 0.37 and 1.78): not learnt. At 1e-3, grid25 No-GP covers 20 and DRAGAN 8 (W1 0.24,
# 0.29).
TABLE_LR = 1e-3
# Evaluations per run: figure 8's rule compares W1 at the last evaluation with the one before.
EVALS = 5


def get_config(arg="fig8-dragan"):
    parts = arg.split("-")
    quick = parts[-1] == "quick"
    parts = parts[:-1] if quick else parts
    if parts[:1] == ["fig8"] and len(parts) == 2 and parts[1] in FIG8_METHODS:
        data, method, width, steps, lr = "ring8", parts[1], 512, FIG8_STEPS, 1e-4
    elif (parts[:1] == ["table"] and len(parts) == 3 and parts[1] in TABLE_DATASETS
          and parts[2] in TABLE_METHODS):
        data, method, width, steps, lr = parts[1], parts[2], 64, TABLE_STEPS, TABLE_LR
    else:
        raise ValueError(f"configs/dragan_toy.py takes fig8-<{'|'.join(FIG8_METHODS)}>[-quick] "
                         f"or table-<{'|'.join(TABLE_DATASETS)}>-<{'|'.join(TABLE_METHODS)}>"
                         f"[-quick]. Received: {arg!r}")
    config = config_lib.base_config()
    config.data.name = data
    config.model.update(latent_dim=2, g_depth=3, d_depth=3, g_width=width, d_width=width)
    config.train.update(optimizer="adam", d_learning_rate=lr, g_learning_rate=lr,
                        beta1=0.5, beta2=0.9, batch_size=256, num_steps=steps,
                        checkpoint_every=steps, log_every=500, jit_compile=False)
    if method == "wgan_gp":
        config.loss = "wasserstein"
        config.train.n_disc = 5
        config.penalty = config_lib.penalty_config("wgan_gp", 0.1)
    else:
        config.loss = "non_saturating"
        config.penalty = config_lib.penalty_config(method, None if method == "none" else 10.0,
                                                   **({"c": 0.5} if method == "dragan" else {}))
    config.eval.update(num_samples=1000, every=steps // EVALS)
    if quick:
        config.model.update(g_width=16, d_width=16)
        config.train.update(num_steps=20, checkpoint_every=20, log_every=10)
        config.eval.update(num_samples=200, every=10)
    return config
