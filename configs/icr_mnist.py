"""The ICR paper's (Schaefer et al. 2020) MNIST setup (its appendix A.3, networks of Tables 1-2):
`configs/icr_mnist.py:OPT[-mnist5k][-quick]`, and the claims' own settings `:drift`,
`:comparison` (and `-quick`), read by `tfgan_reg.reproduce.icr_claims`:
`python -m tfgan_reg.reproduce --claims icr.icr_drift,icr.adam_vs_acgd --out DIR`.

Networks (the paper's Tables 1-2): generator latent 96, Linear-BN-ReLU 1024, 128x7x7,
ConvT-BN-ReLU 64x14x14, ConvT-tanh 1x28x28; discriminator two 5x5 convolutions with LeakyReLU
and max-pooling, Linear-LeakyReLU 1024, Linear 1.

OPT, on tfds `mnist` (needs MNIST prepared for tensorflow-datasets, `--config.data.data_dir`;
nothing downloads): `simgd` (the drift checkpoint run, 9,000 iterations) or `acgd`.
With `-mnist5k`, the offline set of 4,000 real training digits and the claims' runs, scored by
the project's mnist5k domain classifier: `simgd-mnist5k` (the drift checkpoint run, up to 9,000
steps), `acgd-mnist5k`, `adam-mnist5k` (log-trick), `adam_saturating-mnist5k` (the comparison's
runs, 500 steps). `-quick` shrinks an mnist5k setup to a few steps.

Sources. The paper (A.3, section 3, section 6, Table 3, Algorithm 1) and the authors' code,
devzhk/Implicit-Competitive-Regularization@905453f (2020-05-26, the last commit before ICML 2020):
- drift checkpoint (A.3): stochastic SimGD, learning rate 0.01, batch 128, 9,000 iterations
  (`train_seq.py:295` loads `SGD-0.01000_9000.pth`); `train_simul.py:26-69` updates both players
  simultaneously with SGD 0.01, G loss BCE(D(G(z)), 1) (the log-trick);
- D alone from the checkpoint: the paper "for the same number of iterations and using the same
  learning rate" (section 3), so SGD 0.01, as the code of the paper's time: at 074b155
  (2020-02-10) `train_seq.py`'s `train_d` has `lr_d = 0.01`, SGD, and the figure-4 call
  `train_d(epoch_num=30, ...)` from `SGD-0.01000_9000.pth` (30 MNIST epochs at batch 128:
  14,070 steps); figure 8's generator run loads its `FixG-0.010_14000.pth` (SGD 0.01, step
  14,000), so the over-trained D was trained by SGD, not Adam (as figure 8's caption could be
  read). At 905453f `train_d` has 0.001 (changed on 2020-03-23, after the figure);
- drift (A.3.1): 500 real training images and 500 checkpoint samples;
- comparison (section 6, Table 3's OGAN-NOREG rows): learning rate 1e-4, batch 64, one D step,
  players trained "simultaneously"; ACGD beta2 0.99, eps 1e-5 (Algorithm 1; `optims/acgd.py:
  10-13`); the Adam betas: the paper names none. At 905453f `VisionData.py:247-250` uses
  (0.5, 0.999) (alternating, log-trick), `wgan_gp.py:78-79` (0.5, 0.99); `train_seq.py:226-227`'s
  (momentum 0.5, 0.99) dates from 166809e (2020-09-18), after the paper. Ours: (0.5, 0.999),
  the Adam log-trick trainer of the paper's time.

Deviations (each stated in the claims' setup):
- mnist5k's 4,000 digits for MNIST's 60,000 (offline): 9,000 steps are 288 epochs of mnist5k,
  19 of MNIST;
- the drift checkpoint: the first multiple of 1,000 steps from 3,000 whose generator passes the
  gate ("a GAN that makes good images", the paper's section 3), at most 9,000;
- the comparison: 500 steps, where the authors ran 600 CIFAR-10 epochs at batch 64 (~469,000
  iterations: `utils.py@3f32769:68` `--epoch_num 600`, `VisionData.py@3f32769:677`; the paper
  states none): 600 mnist5k epochs would be 66 CPU-h of ACGD here, so the claim speaks for early
  training only (the claim's setup gives the cost); the MNIST networks for the CIFAR-10 DCGAN,
  CG tolerance 1e-6 for the code's 1e-12 (float32 cannot reach it).
"""
import ml_collections

from tfgan_reg import config_lib

OPTS = ("simgd", "acgd")
MNIST5K_OPTS = ("simgd", "acgd", "adam", "adam_saturating")
METHODS = ("acgd", "adam", "adam_saturating")
CLAIMS = ("drift", "comparison", "drift-quick", "comparison-quick")

PAPER_CHECKPOINT_STEPS = 9000  # A.3; train_seq.py:295
LEARNING_RATE = 1e-4  # Table 3, every OGAN row
ADAM_BETAS = (0.5, 0.999)  # 905453f:VisionData.py:247-250
COMPARE_STEPS = 500


def _networks(config, data):
    config.data.name = data
    config.model.update(arch="icr_mnist", latent_dim=96)
    config.penalty = config_lib.penalty_config("none")


def drift_run(quick=False):
    """The drift checkpoint run on mnist5k: SimGD 0.01 for both, batch 128, log-trick, a
    checkpoint every 1,000 steps (the gate reads each), all kept. `quick`: 4 steps, batch 16."""
    config = config_lib.base_config()
    _networks(config, "mnist5k")
    config.loss = "non_saturating"
    steps = 4 if quick else PAPER_CHECKPOINT_STEPS
    config.train.update(batch_size=16 if quick else 128, num_steps=steps, scheme="simultaneous",
                        optimizer="sgd", d_learning_rate=0.01, g_learning_rate=0.01,
                        checkpoint_every=2 if quick else 1000, max_checkpoints=10,
                        log_every=min(100, steps),
                        # XLA made these steps 4x slower on this CPU (measured).
                        jit_compile=False)
    config.eval.num_samples = 64
    return config


def comparison_run(method, quick=False):
    """One run of the comparison on mnist5k: `acgd` on the shared zero-sum (saturating) loss;
    `adam` with the log-trick; `adam_saturating`, the same Adam on the saturating loss.
    Simultaneous updates, batch 64, no regulariser; IS / FID of the domain classifier twice a
    run. `quick`: 2 steps at batch 8, 100 samples."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}. Received: {method!r}")
    steps = 2 if quick else COMPARE_STEPS
    config = config_lib.base_config()
    _networks(config, "mnist5k")
    config.train.update(batch_size=8 if quick else 64, num_steps=steps, scheme="simultaneous",
                        d_learning_rate=LEARNING_RATE, g_learning_rate=LEARNING_RATE,
                        checkpoint_every=steps, max_checkpoints=1, log_every=min(50, steps),
                        # XLA rules out ACGD's linearized products; for Adam it was no faster.
                        jit_compile=False)
    if method == "acgd":
        config.loss = "minimax"  # the joint step's shared loss is D's: no log-trick
        config.train.update(optimizer="acgd", beta2=0.99, epsilon=1e-5, cg_tol=1e-6)
    else:
        config.loss = "non_saturating" if method == "adam" else "minimax"
        config.train.update(optimizer="adam", beta1=ADAM_BETAS[0], beta2=ADAM_BETAS[1])
    config.eval.update(classifier="domain", num_samples=100 if quick else 1000,
                       every=steps if quick else steps // 2)
    return config


def claim_config(name, quick=False):
    """The claims' own settings: seeds, lengths, sample counts, rules' and gates' numbers."""
    c = ml_collections.ConfigDict()
    if name == "drift":
        c.seeds = (0, 1, 2)  # fixed before the run
        # The gate ("a GAN that makes good images"): the checkpoint at the first of these steps
        # whose 500 samples the mnist5k domain classifier reads with mean top-1 probability
        # >= 0.9, covering >= 8 of the 10 classes (AUTHORS_SETTINGS.md, icr.icr_drift).
        c.gate_steps = (3000, 4000, 5000, 6000, 7000, 8000, 9000)
        c.gate_samples = 500
        c.gate_confidence = 0.9
        c.gate_classes = 8
        # The continuations: D alone and both players, measured every 50 steps on 500 + 500
        # images, up to a cap of `steps`: the authors' D-alone run, 30 MNIST epochs at batch
        # 128 (train_seq.py@074b155 `train_d(epoch_num=30)`; figure 8 loads its step-14,000
        # checkpoint; the paper states no length). The drift is judged at the first
        # measurement where D alone's loss (the mean of the last 50 batches) is below
        # `near_zero` (the paper's "near-zero loss", section 3), else at the cap: the ratio
        # does not hang on a chosen length, and nothing after that measurement is run.
        c.steps, c.every, c.num_samples = 14000, 50, 500
        c.near_zero = 0.1
        # "Significantly faster": D alone must move >= this factor further, on both sets.
        c.factor = 1.5
        if quick:
            c.seeds, c.gate_steps, c.gate_samples = (0,), (4,), 50
            c.steps, c.every, c.num_samples = 4, 2, 50
    else:
        c.seeds = (0, 1, 2)  # fixed before the run: the budget (the claim's setup)
        # Adam on the saturating loss "breaks down" when its final FID is >= this factor above
        # ACGD's, or its losses became non-finite.
        c.breakdown_factor = 2.0
        # ACGD "scores better" when its FID is lower by at least this margin (FID at 1,000
        # samples moves by a few units between draws; 10 % keeps a coin flip from counting).
        c.better_margin = 0.1
        # The gate: the reference (Adam with the log-trick; ACGD's success is the claim, so it
        # is not gated) reaches an FID below this fraction of Gaussian noise's against the
        # same real digits, in every seed: a run still drawing noise (FID 503-515 at 50 steps;
        # noise 358) has no signal.
        c.gate_noise_fraction = 0.6
        c.gate_samples = 1000
        if quick:
            c.seeds, c.gate_samples = (0,), 100
    return c


def get_config(setup="simgd"):
    if setup in CLAIMS:
        name, _, quick = setup.partition("-")
        return claim_config(name, quick=bool(quick))
    opt, *rest = setup.split("-")
    if rest and rest[0] == "mnist5k" and rest[1:] in ([], ["quick"]) and opt in MNIST5K_OPTS:
        quick = rest[1:] == ["quick"]
        return drift_run(quick) if opt == "simgd" else comparison_run(opt, quick)
    if rest or opt not in OPTS:
        raise ValueError(f"setup must be one of {list(OPTS)}, <{'|'.join(MNIST5K_OPTS)}>"
                         f"-mnist5k[-quick] or one of {list(CLAIMS)}. Received: setup={setup!r}")
    config = config_lib.base_config()
    _networks(config, "mnist")
    config.loss = "non_saturating"
    config.train.update(batch_size=128, num_steps=PAPER_CHECKPOINT_STEPS, scheme="simultaneous",
                        checkpoint_every=1000, log_every=100)
    if opt == "simgd":
        config.train.update(optimizer="sgd", d_learning_rate=0.01, g_learning_rate=0.01)
    else:
        # jit_compile off: XLA rules out the linearized products (docs/BENCHMARKS.md).
        config.train.update(optimizer="acgd", d_learning_rate=1e-4, g_learning_rate=1e-4,
                            beta2=0.99, epsilon=1e-5, jit_compile=False)
    config.eval.num_samples = 64
    return config
