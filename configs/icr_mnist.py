"""The ICR paper's (Schaefer et al. 2020) MNIST setup (its appendix A.3, networks of Tables 1-2):
`configs/icr_mnist.py:OPT[-mnist5k][-quick]`.

The paper (Schaefer et al. 2020): generator Table 1 (latent 96, Linear-BN-ReLU 1024, 128x7x7,
ConvT-BN-ReLU 64x14x14, ConvT-tanh 1x28x28), discriminator Table 2 (two 5x5 convolutions with
LeakyReLU and max-pooling, Linear-LeakyReLU 1024, Linear 1). Figure 4 (appendix A.3): stochastic
SimGD, learning rate 0.01, batch 128, 9,000 iterations to the checkpoint. Section 6 / Table 3
(there on CIFAR-10): OGAN-NOREG with ACGD (the shared zero-sum saturating loss, alpha 1e-4, beta2
0.99, eps 1e-5) or with Adam (1e-4, the log-trick), batch 64.

OPT, on tfds `mnist` (needs MNIST prepared for tensorflow-datasets, `--config.data.data_dir`;
nothing downloads):
- `simgd`: SimGD 0.01, batch 128, 9,000 iterations, original GAN loss with the log-trick;
- `acgd`: the shared zero-sum loss, alpha 1e-4, beta2 0.99.

With `-mnist5k`, the offline set of 4,000 real training digits and the settings of the claims
`icr.icr_drift` and `icr.adam_vs_acgd` (`tfgan_reg.reproduce.icr_claims`, where each
number is explained), scored by the project's mnist5k domain classifier (`eval.classifier=
"domain"`):
- `simgd-mnist5k`: the drift claim's checkpoint run (100 steps, ~1 min on a 2-core CPU; then
  `python -m tfgan_reg.eval drift --workdir RUN --steps 50 --every 10`);
- `acgd-mnist5k`, `adam-mnist5k` (log-trick), `adam_saturating-mnist5k`: the comparison's runs,
  batch 64, 50 steps (ACGD ~4 s a step here, Adam ~0.5 s), IS / FID in `eval.csv`.
`-quick` shrinks an mnist5k setup to a few steps. The claims over seeds:
`python -m tfgan_reg.reproduce --claims icr.icr_drift,icr.adam_vs_acgd --out DIR`.
"""
from tfgan_reg import config_lib
from tfgan_reg.reproduce import icr_claims

OPTS = ("simgd", "acgd")
MNIST5K_OPTS = ("simgd", "acgd", "adam", "adam_saturating")


def _mnist5k(opt, quick):
    if opt == "simgd":
        return icr_claims.drift_config(quick=quick)
    return icr_claims.comparison_config(opt, quick=quick)


def get_config(setup="simgd"):
    opt, *rest = setup.split("-")
    if rest and rest[0] == "mnist5k" and rest[1:] in ([], ["quick"]) and opt in MNIST5K_OPTS:
        return _mnist5k(opt, quick=rest[1:] == ["quick"])
    if rest or opt not in OPTS:
        raise ValueError(f"setup must be one of {list(OPTS)} or <{'|'.join(MNIST5K_OPTS)}>"
                         f"-mnist5k[-quick]. Received: setup={setup!r}")
    config = config_lib.base_config()
    config.data.name = "mnist"
    config.model.update(arch="icr_mnist", latent_dim=96)
    config.loss = "non_saturating"
    config.penalty = config_lib.penalty_config("none")
    config.train.update(batch_size=128, num_steps=9000, scheme="simultaneous",
                        checkpoint_every=1000, log_every=100)
    if opt == "simgd":
        config.train.update(optimizer="sgd", d_learning_rate=0.01, g_learning_rate=0.01)
    else:
        # jit_compile off: XLA rules out the linearized products (docs/BENCHMARKS.md).
        config.train.update(optimizer="acgd", d_learning_rate=1e-4, g_learning_rate=1e-4,
                            beta2=0.99, epsilon=1e-5, jit_compile=False)
    config.eval.num_samples = 64
    return config
