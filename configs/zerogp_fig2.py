"""Li et al. 2019, section IV-B, figure 2: discriminators trained alone on two fixed Gaussian
samples, with No-GP, 1-GP, 0-GP-sample and 0-GP, next to the optimal D* = p_r / (p_r + p_g).
`get_config()` (or `:quick`, a 200-step smoke test on one seed) holds every number of the claims
`zerogp.smoother_than_1gp`, `zerogp.smoother_than_sample` and `zerogp.closest_to_optimal`
(`tfgan_reg.reproduce.zerogp_fig2`), which train D with a loop of their own (no generator).

Sources: the authors' script htt210/GeneralizationAndStabilityInGANs@ed969b4:
OptimalDiscriminator.py ("OD" below). Deviations, each stated in the claims' setup:
- a fresh draw of the two samples per seed (OD:15 fixes `np.random.seed(0)`: one draw), so
  that the seeds vary the data as well as D's initialisation;
- Glorot-uniform init (OD: PyTorch's default);
- 0-GP-sample penalises real and fake points together (OD's `alpha` 1 or 0 takes one side);
- 1-GP is OD's model with the penalty's centre 1 (OD has one `center`; the report's eq. 14
  defines 1-GP with the Wasserstein loss, and its own notebook is not readable).
"""
import ml_collections


def get_config(size=""):
    if size not in ("", "quick"):
        raise ValueError(f"configs/zerogp_fig2.py takes '' or 'quick'. Received: {size!r}")
    c = ml_collections.ConfigDict()
    # OD:17-28, 44-47: 100 real points from N(real_mean, real_cov), 100 fake from
    # N(fake_mean, fake_cov).
    c.real_mean, c.real_cov = (0.4, 0.9), ((1.0, 0.5), (0.5, 1.0))
    c.fake_mean, c.fake_cov = (1.3, 1.2), ((1.0, 0.7), (0.7, 1.0))
    c.samples = 100
    # OD:92-97: Linear(2, 64), tanh, Linear(64, 64), tanh, Linear(64, 1), sigmoid.
    c.depth, c.width, c.activation = 2, 64, "tanh"
    # OD:102, :122, :130: BCE on the sigmoid output.
    c.loss = "non_saturating"
    # OD:33-35, :58-77, :133: lam 1 on the gradient of sigmoid(D) at real-fake interpolates,
    # centre 0 (0-GP); 0-GP-sample at the samples; 1-GP the same with centre 1.
    c.methods = ("none", "wgan_gp", "zero_gp_sample", "zero_gp")
    c.lam = 1.0
    c.penalty_on = "sigmoid"
    # OD:103: Adam(1e-3), PyTorch's defaults beta (0.9, 0.999), eps 1e-8.
    c.learning_rate, c.beta1, c.beta2, c.epsilon = 1e-3, 0.9, 0.999, 1e-8
    # OD:29-31, :108-117: shuffled batches of 20 real + 20 fake, 10,001 epochs of 5 batches.
    c.batch = 20
    c.steps = 10001 * (100 // 20)
    # The measurement (ours; the paper shows pictures): around every training point v,
    # `draws` points v + radius * N(0, I) (radius half the data's std); smoothness is the
    # empirical Lipschitz constant max ||grad_x sigmoid(D)|| there.
    c.radius, c.draws = 0.5, 10
    # The seeds the rules were written for (a paired signed-rank test over them, level alpha).
    c.seeds = tuple(range(10))
    c.alpha = 0.05
    c.limits = (-2.5, 4.5)
    if size == "quick":
        c.steps, c.seeds = 200, (0,)
    return c
