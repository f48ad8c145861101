"""PacGAN's 2-D mixtures (Lin, Khetan, Fanti & Oh, NeurIPS 2018, table 1), the GAN without
packing: `--config=configs/pacgan.py:ring` (8 modes) or `--config=configs/pacgan.py:grid`
(25 modes).

The numbers come from the authors' code (github.com/fjxmlzn/PacGAN, synthetic_data_experiments/):
`2DRing_GAN&PacGAN/config.py` and `2DGrid_GAN&PacGAN/config.py` (data, sizes, optimiser,
epochs), `2DGrid_GAN&PacGAN/pacgan_task.py` (the networks and one simultaneous update of both),
`PacGAN/pacgan/bricks.py` (the losses) and `PacGAN/pacgan/extensions.py` (`MetricLogger`, the
metrics). The training set is 100,000 points drawn once and read for 400 epochs in batches of
100 (`data.num_points`): 400,000 generator steps.

The run ends with table 1's three columns on 2,500 generator samples: modes captured (a mode is
captured when any high-quality sample lands on it), the high-quality fraction (within 3 std of
the nearest mode) and the reverse KL of the modes' histogram from the uniform, then W1 (not in
the table). Compare with table 1's GAN row: this project has no packed discriminator, so the
PacGAN2-4 rows are out of reach.

Left as this project does them (the paper does not describe them): Glorot-uniform weights (the
code: N(0, 0.02^2), zero biases); biases before G's batch norm (the code has none: batch norm's
shift subsumes them); batch norm's moving averages with momentum 0.99 (the code: 0.95); Adam's
epsilon 1e-7 (Blocks': 1e-8).
"""
from tfgan_reg import config_lib

SETUPS = ("ring", "grid")


def get_config(setup="ring"):
    if setup not in SETUPS:
        raise ValueError(f"configs/pacgan.py takes one of {list(SETUPS)}. Received: {setup!r}")
    config = config_lib.base_config()
    d = config.data
    d.name = setup
    if setup == "ring":
        # 2DRing config.py: MEANS (cos 2 pi k / 8, sin 2 pi k / 8), VARIANCES 0.01^2 I.
        d.ring.update(modes=8, radius=1.0, std=0.01)
    else:
        # 2DGrid config.py: MEANS {-4, -2, 0, 2, 4}^2, VARIANCES 0.05^2 I.
        d.grid.update(modes=25, spacing=2.0, std=0.05)
    d.num_points = 100_000  # "num_sample": 100000, drawn once (pacgan/datasets.py)

    t = config.train
    t.batch_size = 100  # "batch_size": 100
    t.num_steps = 400 * d.num_points // t.batch_size  # "num_epoch": 400 epochs of 1,000 batches
    t.optimizer = "adam"
    t.d_learning_rate = t.g_learning_rate = 1e-4  # "learning_rate": 1e-4, one rule for both
    t.beta1 = 0.8  # "beta1": 0.8
    t.beta2 = 0.999  # Blocks' Adam default (mila-iqia/blocks, blocks/algorithms/__init__.py)
    # pacgan_task.py trains with ALI's `ali_algorithm`: both players' gradients at the same
    # point, applied in one update.
    t.scheme = "simultaneous"
    t.n_disc = 1
    t.checkpoint_every = 10_000

    # bricks.py: D minimises softplus(-D(x)) + softplus(D(G(z))), G softplus(-D(G(z))) (plus a
    # term without G's parameters); no regulariser.
    config.loss = "non_saturating"
    config.penalty = config_lib.penalty_config("none")

    m = config.model
    m.arch = "mlp"
    m.latent_dim = 2  # "num_zdim": 2; z ~ N(0, I) ("num_zmode": 1, "z_mode_r": 0, std 1)
    # pacgan_task.py's decoder: 4 hidden layers of "gen_hidden_size": 400, batch norm then
    # "gen_activation": Rectifier, and a linear output.
    m.g_depth, m.g_width, m.g_normalization, m.activation = 4, 400, "batch", "relu"
    # pacgan_task.py's discriminator: 3 LinearMaxout layers of "disc_hidden_size": 200 with
    # "disc_maxout_pieces": 5, then a linear output; no normalisation.
    m.d_depth, m.d_width, m.d_maxout_pieces, m.d_normalization = 3, 200, 5, "none"

    e = config.eval
    e.num_samples = 2500  # "num_log_figure_sample": 2500, the samples MetricLogger scores
    e.hq_num_std = 3.0  # MetricLogger's dis_thre=3 (distance in std of the nearest mode)
    e.mode_min_fraction = 0.0  # "mode coverage": the modes with a nonzero count
    e.every = 10_000  # MetricLogger scores every epoch; here every 10 (eval.csv)
    return config
