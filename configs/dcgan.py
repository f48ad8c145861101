"""DCGAN on an image set with one stabiliser: `--config=configs/dcgan.py:<data>-<method>`.

<data>: `digits` (8x8, offline), `mnist` (28x28) or `cifar10` (32x32; both need the set prepared for
tensorflow-datasets, `--config.data.data_dir`). <method>: `none` (vanilla non-saturating GAN),
`wgan` (Wasserstein loss with weight clipping 0.01, RMSprop 5e-5, 5 critic steps), or a penalty of
`tfgan_reg.penalties` with docs/METHODS.md's defaults: `wgan_gp` (Wasserstein loss, 5 critic
steps, Adam 1e-4 (0.5, 0.9)), `dragan`, `r1`, `r2`, `zero_gp`, `roth_js` (gamma 0.1, Roth et
al.'s CIFAR-10 setting), `roth_f`, ... Everything else: Adam 2e-4 (0.5, 0.999), batch 64, latent 100 (digits 32). D
uses batch normalisation when unregularised (DCGAN) and layer normalisation with a gradient penalty
(Kodali et al. 2017, supplement 2.4), where batch statistics would couple the samples' gradients.

The paper's numbers (Kodali et al. 2017, figure 2b, CIFAR-10 DCGAN, 100,000 steps on a GPU):
inception score DRAGAN 6.90, vanilla GAN 6.99, WGAN-GP 5.99, WGAN 3.25 (real images 11.24):
`:cifar10-dragan`, `:cifar10-none`, `:cifar10-wgan_gp`, `:cifar10-wgan`, scored with TF-GAN's
Inception network (`python -m tfgan_reg.eval scores --classifier DIR`). Not run here
(`dragan.cifar10_is` in docs/REPRODUCTION.md).
"""
from tfgan_reg import config_lib

DATA = {"digits": (2000, 32, 32), "mnist": (10000, 100, 64), "cifar10": (100000, 100, 64)}


def get_config(setup="digits-r1"):
    data, _, method = setup.partition("-")
    if data not in DATA:
        raise ValueError(f"<data> must be one of {sorted(DATA)}. Received: {setup!r}")
    valid = ["none", "wgan"] + config_lib.penalties_lib.names()
    if method not in valid:
        raise ValueError(f"<method> must be one of {valid}. Received: {setup!r}")
    steps, latent, width = DATA[data]
    config = config_lib.base_config()
    config.data.name = data
    config.model.update(arch="dcgan", latent_dim=latent, g_width=width, d_width=width,
                        g_normalization="batch",
                        d_normalization="batch" if method in ("none", "wgan") else "layer")
    config.loss = "non_saturating"
    config.penalty = config_lib.penalty_config("none")
    config.train.update(batch_size=64, num_steps=steps, d_learning_rate=2e-4,
                        g_learning_rate=2e-4, beta1=0.5, beta2=0.999,
                        checkpoint_every=max(steps // 10, 100), log_every=100)
    config.eval.num_samples = 1000 if data == "digits" else 5000
    if method == "wgan":
        config.loss = "wasserstein"
        config.clip_value = 0.01
        config.train.update(optimizer="rmsprop", d_learning_rate=5e-5, g_learning_rate=5e-5,
                            n_disc=5)
    elif method == "wgan_gp":
        config.loss = "wasserstein"
        config.penalty = config_lib.penalty_config("wgan_gp")
        config.train.update(n_disc=5, d_learning_rate=1e-4, g_learning_rate=1e-4,
                            beta1=0.5, beta2=0.9)
    elif method == "roth_js":
        config.penalty = config_lib.penalty_config("roth_js", 0.1)
    elif method == "roth_f":
        config.loss = "gan"
        config.penalty = config_lib.penalty_config("roth_f", 0.1)
    elif method == "l2":
        config.penalty = config_lib.penalty_config("l2", 1e-4)
    elif method != "none":
        config.penalty = config_lib.penalty_config(method)
    return config
