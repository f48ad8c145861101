"""ring8 (8 Gaussians on a circle) with one penalty: `--config=configs/ring8.py:<penalty>`.

`<penalty>` is `none` or a name of `tfgan_reg.penalties` (default `r1`), with the defaults of
docs/METHODS.md section 2 (WGAN-GP and DRAGAN with lam 10; Roth's f-penalty on the `gan`
f-divergence).
The WGAN-GP setup uses the Wasserstein loss and 5 critic steps (Adam 1e-4, 0.5, 0.9) as in
Gulrajani et al.; the others use the non-saturating loss. About 1-2 minutes on a 2-core CPU.
"""
from tfgan_reg import config_lib


def get_config(penalty="r1"):
    config = config_lib.base_config()
    config.penalty = config_lib.penalty_config(penalty)
    if penalty == "wgan_gp":
        config.loss = "wasserstein"
        config.train.n_disc = 5
        config.train.d_learning_rate = config.train.g_learning_rate = 1e-4
        config.train.beta1, config.train.beta2 = 0.5, 0.9
        config.train.num_steps = 4000
    elif penalty == "roth_f":
        config.loss = "gan"
    elif penalty in ("roth_js",):
        config.penalty = config_lib.penalty_config(penalty, 2.0, schedule="anneal", alpha=0.01)
    elif penalty == "l2":
        config.penalty = config_lib.penalty_config(penalty, 1e-4)
    return config
