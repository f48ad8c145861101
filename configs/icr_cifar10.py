"""The ICR paper's (Schaefer et al. 2020) CIFAR-10 grid (its Table 3 and Figure 7):
`--config=configs/icr_cifar10.py:RUN`.

RUN is `<loss>-<regulariser>-<optimiser>`: loss `ogan` (original GAN loss L_o; Adam uses the
log-trick, i.e. the non-saturating generator loss, ACGD the shared zero-sum loss) or `wgan`
(L_w); regulariser `noreg`, `l2-1e-2`, `l2-1e-3`, `l2-1e-4` (L2 on D's weights), `gp` (WGAN-GP,
lam 10) or `sn` (spectral normalisation of D); optimiser `adam` (1e-4) or `acgd` (alpha 1e-4,
beta2 0.99, eps 1e-5). Table 3's rows: ogan-l2-1e-4-adam, ogan-l2-1e-4-acgd, ogan-noreg-adam,
ogan-noreg-acgd, wgan-gp-adam, wgan-sn-adam, wgan-noreg-acgd, wgan-gp-acgd, wgan-l2-1e-2-adam,
wgan-l2-1e-3-adam, wgan-l2-1e-3-acgd. Networks: the WGAN-GP DCGAN of Tables 4-5, latent 128,
batch 64. WGAN-GP with Adam follows Gulrajani et al. (5 critic steps, Adam 0.5 / 0.9).

Adam's betas (the paper names none): (0.5, 0.999) from the authors' Adam trainer of the paper's
time, devzhk/Implicit-Competitive-Regularization@905453f (2020-05-26, before ICML 2020)
`VisionData.py:247-250` (alternating, log-trick). The same commit's `wgan_gp.py:78-79` uses
(0.5, 0.99), and `train_seq.py:226-227`'s (momentum 0.5, 0.99) dates from 166809e (2020-09-18),
after the paper: which betas made Table 3's Adam rows cannot be settled from the code. WGAN-GP
with Adam follows the paper's A.4.2 ("the same training strategy and hyperparameters as
WGAN-GP"): igul222/improved_wgan_training@fa66c57 `gan_cifar.py:137-138`, (0.5, 0.9).

Deviation: Table 3 lists 5 critic iterations for wgan-gp-acgd; a joint CGD step updates both
players at once, so this project runs it with one joint step per iteration.
Needs CIFAR-10 prepared for tensorflow-datasets (`--config.data.data_dir`); nothing downloads.

The paper's numbers (figure 9, A.4.3; GPU runs): wgan-noreg-acgd reaches the highest inception
score of the grid, about 10 % above wgan-gp-adam by TensorFlow's inception score (figure 12;
the paper gives no table of the values); ACGD beats Adam for the same
model and hardly ever does worse; Adam with the saturating loss breaks down. Not run here
(`icr.cifar10_grid` in docs/REPRODUCTION.md).
"""
from tfgan_reg import config_lib

LOSSES = {"ogan": "non_saturating", "wgan": "wasserstein"}
REGULARISERS = ("noreg", "l2-1e-2", "l2-1e-3", "l2-1e-4", "gp", "sn")
OPTIMISERS = ("adam", "acgd")


def parse(run):
    parts = run.split("-")
    loss, optimiser, reg = parts[0], parts[-1], "-".join(parts[1:-1])
    if loss not in LOSSES or reg not in REGULARISERS or optimiser not in OPTIMISERS:
        raise ValueError(f"RUN must be <loss>-<regulariser>-<optimiser> with loss in "
                         f"{sorted(LOSSES)}, regulariser in {list(REGULARISERS)}, optimiser in "
                         f"{list(OPTIMISERS)}. Received: {run!r}")
    return loss, reg, optimiser


def get_config(run="wgan-noreg-acgd"):
    loss, reg, optimiser = parse(run)
    config = config_lib.base_config()
    config.data.name = "cifar10"
    config.model.update(arch="icr_cifar", latent_dim=128)
    config.loss = LOSSES[loss]
    config.penalty = config_lib.penalty_config("none")
    if reg.startswith("l2"):
        config.penalty = config_lib.penalty_config("l2", float(reg[3:]))
    elif reg == "gp":
        config.penalty = config_lib.penalty_config("wgan_gp", 10.0)
    elif reg == "sn":
        config.model.d_normalization = "spectral"
    t = config.train
    t.update(batch_size=64, num_steps=100000, d_learning_rate=1e-4, g_learning_rate=1e-4,
             checkpoint_every=5000, log_every=100)
    if optimiser == "acgd":
        # jit_compile off: XLA rules out the linearized products (docs/BENCHMARKS.md).
        t.update(optimizer="acgd", beta2=0.99, epsilon=1e-5, scheme="simultaneous",
                 jit_compile=False)
    else:
        t.update(optimizer="adam", beta1=0.5, beta2=0.999)  # 905453f:VisionData.py:247-250
        if reg == "gp":  # gan_cifar.py:137-138
            t.update(n_disc=5, beta1=0.5, beta2=0.9)
    config.eval.num_samples = 64
    return config
