"""Kodali et al. 2017 (DRAGAN), supplement 2.1-2.2 (figures 5-7): one-hidden-layer G and D on
MNIST, vanilla GAN against DRAGAN, `--config=configs/dragan_mnist.py:<none|dragan>[-quick]`;
`:claim[-quick]` gives the claim's own constants (evaluations, seeds, collapse-event rule).

From the authors' notebook (kodalinaveen3/DRAGAN@5cf95ab:DRAGAN.ipynb, cell 1, raw lines;
docs/reproduction/AUTHORS_SETTINGS.md):
- batch 128 (:367); z 100-D (:369); hidden width 128 (:370): G z -> 128 ReLU -> 784, D 784 ->
  128 ReLU -> 1 logit (:426, :430);
- non-saturating G loss, BCE on logits for D; one D step then one G step;
- Adam(1e-4, 0.5, 0.9) for both (:457-458);
- DRAGAN lambda 10 (:372) on the logit, x^ = x + a * 0.5 * std(x) * U[0, 1) (:376-377), on
  digits in [0, 1]. Ours are in [-1, 1] (x' = 2x - 1 halves input gradients), where the same
  penalty is 4 x 10 (||grad' D|| - 1/2)^2: training uses `TRAIN_LAM` 40 and `TRAIN_TARGET`
  0.5, the notebook's penalty exactly. The tracked penalty is the value the notebook prints,
  `gradient_penalty` before `lambd` multiplies it (:454-455, :476-477, :513-514): weight
  `TRACKED_LAM` 1 with the gradient on [0, 1] inputs (`TRACKED_INPUT_SCALE` x ours);
  C x std(x) scales with the data, so the points are the same;
- 199,999 iterations (:471), an evaluation every 1,000 (:489-512) with the penalty printed:
  `NUM_STEPS` is its last evaluation, 199,000.
G's output is tanh on digits in [-1, 1]: the affine image of the notebook's sigmoid output on
digits in [0, 1] (:426). Deviations (no option for them in the library's GAN): data mnist5k's
4,000 training digits (theirs: 55,000), z N(0, I) (theirs: U[-1, 1]); IS by the domain
classifier on EVAL_SAMPLES samples (theirs: a softmax regression on 50,000).
"""
import ml_collections

from tfgan_reg import config_lib

METHODS = ("none", "dragan")
NUM_STEPS = 199000       # the notebook's length (range(1, 200000)) to its last evaluation
EVAL_EVERY = 1000        # the notebook's cadence
EVAL_SAMPLES = 2000
SEEDS = (0, 1, 2)
# A collapse event: the IS falls below (1 - DROP) x its maximum over the previous WINDOW
# evaluations (one event per run of consecutive such evaluations), after the IS first
# exceeded ONSET_IS (earlier evaluations are the start of training, not a collapse).
DROP = 0.25
WINDOW = 4
ONSET_IS = 2.5
PENALTY_SAMPLES = 1000   # real digits at which the DRAGAN penalty of vanilla's D is tracked
TRAIN_LAM = 4 * 10.0     # the notebook's lambda 10 on [0, 1] inputs, on our [-1, 1]
TRAIN_TARGET = 0.5       # its centre 1 on [0, 1] inputs, on our [-1, 1]
TRACKED_LAM = 1.0        # the notebook prints the penalty before its lambda 10 (:454-455)
TRACKED_INPUT_SCALE = 2.0   # d/d(x01) = 2 d/d(x'), x' = 2 x01 - 1
QUICK = dict(num_steps=40, eval_every=10, eval_samples=100, penalty_samples=100)


def claim_config(quick=False):
    """The claim's constants: evaluations, seeds and the collapse-event definition."""
    size = QUICK if quick else dict(num_steps=NUM_STEPS, eval_every=EVAL_EVERY,
                                    eval_samples=EVAL_SAMPLES,
                                    penalty_samples=PENALTY_SAMPLES)
    return ml_collections.ConfigDict(dict(
        methods=METHODS, seeds=SEEDS[:1] if quick else SEEDS, drop=DROP, window=WINDOW,
        onset_is=ONSET_IS, train_lam=TRAIN_LAM, tracked_lam=TRACKED_LAM,
        tracked_input_scale=TRACKED_INPUT_SCALE, penalty_c=0.5, eval_seed=12345, **size))


def get_config(arg="dragan"):
    method, _, size = arg.partition("-")
    if method not in METHODS + ("claim",) or size not in ("", "quick"):
        raise ValueError(f"configs/dragan_mnist.py takes <method>[-quick], <method> one of "
                         f"{list(METHODS) + ['claim']}. Received: {arg!r}")
    quick = size == "quick"
    claim = claim_config(quick)
    if method == "claim":
        return claim
    config = config_lib.base_config()
    config.data.name = "mnist5k"
    width = 16 if quick else 128
    config.model.update(arch="mlp", latent_dim=100, g_depth=1, d_depth=1, g_width=width,
                        d_width=width, activation="relu", g_output="tanh")
    config.loss = "non_saturating"
    config.penalty = (config_lib.penalty_config("dragan", claim.train_lam, c=claim.penalty_c,
                                                target=TRAIN_TARGET)
                      if method == "dragan" else config_lib.penalty_config("none"))
    # A checkpoint at every evaluation: the claim scores each one after training.
    config.train.update(batch_size=128, num_steps=claim.num_steps, d_learning_rate=1e-4,
                        g_learning_rate=1e-4, beta1=0.5, beta2=0.9,
                        checkpoint_every=claim.eval_every,
                        max_checkpoints=claim.num_steps // claim.eval_every + 1,
                        log_every=min(100, claim.num_steps), jit_compile=False)
    return config
