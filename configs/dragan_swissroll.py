"""Kodali et al. 2017 (DRAGAN), section 4.3, figure 1: swissroll with vanilla GAN, WGAN-GP and
DRAGAN, `--config=configs/dragan_swissroll.py:<none|wgan_gp|dragan>[-quick]`.

The paper's footnote 2 takes the setup from the improved-WGAN toy code
(igul222/improved_wgan_training@fa66c57:gan_toy.py, "IW" below; docs/reproduction/
AUTHORS_SETTINGS.md has the line numbers):
- data: sklearn's make_swiss_roll(noise=0.25), coordinates 0 and 2, / 7.5, fresh draws every
  batch (IW :191-200; `tfgan_reg.data.toy.SwissRoll`);
- networks: 3 hidden ReLU layers of 512 units, linear outputs, z 2-D N(0, I) (IW :42-58);
- Adam(1e-4, 0.5, 0.9) for both networks, batch 256 (IW :89-105);
- WGAN-GP: Wasserstein loss, lambda 0.1 (the toy code's value, IW :23), 5 critic steps (IW :25);
- vanilla and DRAGAN: one D step per G step, non-saturating G loss (the authors' notebook
  kodalinaveen3/DRAGAN@5cf95ab:DRAGAN.ipynb; the paper's Algorithm 1, line 10, writes G's
  saturating gradient of log(1 - D(G(z)))); DRAGAN lambda 10, C 0.5 ("in all of our
  experiments", section 3.2).
`:claim[-quick]` gives the claim's own constants (checkpoints, seeds, evaluation).
Length: IW runs 100,000 iterations and figure 1 does not say which it shows. `NUM_STEPS` is the
longest run that fits this claim's share of the CPU budget (3 methods x 3 seeds, WGAN-GP's
5 critic steps of 512-unit nets dominate); the claim judges fixed checkpoints `CHECKPOINTS`
and is gated (tfgan_reg.reproduce.dragan_swissroll).
"""
import ml_collections

from tfgan_reg import config_lib

METHODS = ("none", "wgan_gp", "dragan")
NUM_STEPS = 5000
CHECKPOINTS = (1000, 2500, 4000, 5000)   # judged: 2,500 ("quickly") and 5,000 (the end)
SEEDS = (0, 1, 2)
EVAL_SAMPLES = 2000      # generated and real points per checkpoint (W1, coverage)
COVER_RADIUS = 0.05      # 1.5 x the data's per-axis noise std 0.25 / 7.5
QUICK_STEPS = 40


def claim_config(quick=False):
    """The claim's constants: what is judged where, on which seeds."""
    return ml_collections.ConfigDict(dict(
        methods=METHODS, seeds=SEEDS[:1] if quick else SEEDS,
        checkpoints=(10, 20, 30, 40) if quick else CHECKPOINTS,
        eval_samples=200 if quick else EVAL_SAMPLES, cover_radius=COVER_RADIUS,
        eval_seed=12345))


def get_config(arg="dragan"):
    method, _, size = arg.partition("-")
    if method not in METHODS + ("claim",) or size not in ("", "quick"):
        raise ValueError(f"configs/dragan_swissroll.py takes <method>[-quick], <method> one of "
                         f"{list(METHODS) + ['claim']}. Received: {arg!r}")
    quick = size == "quick"
    if method == "claim":
        return claim_config(quick)
    config = config_lib.base_config()
    config.data.name = "swissroll"
    width = 16 if quick else 512
    config.model.update(latent_dim=2, g_depth=3, d_depth=3, g_width=width, d_width=width,
                        activation="relu")
    steps = QUICK_STEPS if quick else NUM_STEPS
    config.train.update(batch_size=256, num_steps=steps, d_learning_rate=1e-4,
                        g_learning_rate=1e-4, beta1=0.5, beta2=0.9,
                        checkpoint_every=steps // 4 if quick else 500,
                        max_checkpoints=20, log_every=min(100, steps), jit_compile=False)
    config.eval.num_samples = 200 if quick else EVAL_SAMPLES
    config.loss = "non_saturating"
    if method == "wgan_gp":
        config.loss = "wasserstein"
        config.train.n_disc = 5
        config.penalty = config_lib.penalty_config("wgan_gp", 0.1)
    elif method == "dragan":
        config.penalty = config_lib.penalty_config("dragan", 10.0, c=0.5)
    else:
        config.penalty = config_lib.penalty_config("none")
    return config
