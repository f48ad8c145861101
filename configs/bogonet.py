"""Kodali et al.'s (2017) BogoNet experiment (section 5.2): the base run of every random
architecture pair.

`python -m tfgan_reg.eval bogonet --config=configs/bogonet.py:DATA --methods=none,dragan`
trains each pair with each method and scores it every `eval.every` steps. DATA `digits`
(default; offline, scored by the project's digits classifier), `mnist` (its MNIST
classifier; needs MNIST prepared for tensorflow-datasets) or `cifar10` (the paper's set, scored
by TF-GAN's Inception network: online, or pass a local copy with --config.eval.classifier=DIR).
Non-saturating loss, Adam 2e-4 (0.5, 0.999), batch 64.
"""
from tfgan_reg import config_lib

STEPS = {"digits": 2000, "mnist": 5000, "cifar10": 20000}


def get_config(data="digits"):
    if data not in STEPS:
        raise ValueError(f"DATA must be one of {sorted(STEPS)}. Received: {data!r}")
    config = config_lib.base_config()
    config.data.name = data
    config.model.update(arch="bogonet", bogonet_seed=0, bogonet_scale=1.0 if data == "cifar10"
                        else 0.25)
    config.loss = "non_saturating"
    config.penalty = config_lib.penalty_config("none")
    config.train.update(batch_size=64, num_steps=STEPS[data], d_learning_rate=2e-4,
                        g_learning_rate=2e-4, beta1=0.5, beta2=0.999,
                        checkpoint_every=STEPS[data] // 4, log_every=100)
    config.eval.update(every=STEPS[data] // 20, num_samples=1000 if data == "digits" else 5000,
                       classifier="domain" if data != "cifar10" else
                       "https://tfhub.dev/tensorflow/tfgan/eval/inception/1")
    return config
