"""One run of the library's penalties on a 2-D mixture, all on one setup:
`--config=configs/toy.py:<data>-<method>[-quick]`, e.g. `configs/toy.py:grid25-zero_gp`.

<data> is ring8 or grid25; <method> one of none, wgan_gp, dragan, zero_gp, zero_gp_sample, r1,
roth_js. MLPs with 3 hidden ReLU layers of 64, latent size 2, batch 256, Adam(1e-3, 0.5, 0.9),
1,500 generator steps; WGAN-GP with the Wasserstein loss, 5 critic steps and lam 10, the others
with the non-saturating loss and one D step; DRAGAN lam 10, 0-GP and 0-GP-sample lam 0.00625
(the 0-GP authors' 10 on sigmoid(D) at 10x the data scale, on the logit at unit scale and
D = 1/2), R1 gamma 10, Roth JS gamma0 2 annealed (docs/METHODS.md). It prints the modes covered,
the high-quality fraction and W1 on 1,000 samples; `-quick` is a 20-step smoke test.

A side-by-side comparison, not a paper's setup: the claims run each paper's own authors' toy
settings, `configs/dragan_toy.py` (Kodali et al.) and `configs/zerogp_toy.py` (Li et al.).
"""
from tfgan_reg import config_lib

DATASETS = ("ring8", "grid25")
METHODS = ("none", "wgan_gp", "dragan", "zero_gp", "zero_gp_sample", "r1", "roth_js")
WEIGHTS = {"wgan_gp": 10.0, "dragan": 10.0, "zero_gp": 0.00625, "zero_gp_sample": 0.00625,
           "r1": 10.0, "roth_js": 2.0}
STEPS = 1500


def get_config(arg="ring8-zero_gp"):
    data, _, rest = arg.partition("-")
    method, _, size = rest.partition("-")
    if data not in DATASETS or method not in METHODS or size not in ("", "quick"):
        raise ValueError(f"configs/toy.py takes <data>-<method>[-quick], <data> one of "
                         f"{list(DATASETS)}, <method> one of {list(METHODS)}. "
                         f"Received: {arg!r}")
    config = config_lib.base_config()
    config.data.name = data
    config.model.update(latent_dim=2, g_depth=3, d_depth=3, g_width=64, d_width=64)
    config.train.update(batch_size=256, num_steps=STEPS, d_learning_rate=1e-3,
                        g_learning_rate=1e-3, beta1=0.5, beta2=0.9, checkpoint_every=STEPS,
                        log_every=100, jit_compile=False)
    config.eval.num_samples = 1000
    if method == "roth_js":
        config.penalty = config_lib.penalty_config(method, WEIGHTS[method], schedule="anneal",
                                                   alpha=0.01)
    else:
        config.penalty = config_lib.penalty_config(method, WEIGHTS.get(method))
    if method == "wgan_gp":
        config.loss = "wasserstein"
        config.train.n_disc = 5
    if size == "quick":
        config.model.update(g_width=16, d_width=16)
        config.train.update(num_steps=20, checkpoint_every=20, log_every=10)
        config.eval.num_samples = 200
    return config
