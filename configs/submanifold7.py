"""Seed 001 appendix 7.3: 7 Gaussians on a circle embedded in 3-D, unregularised vs Roth.

`--config=configs/submanifold7.py:none` or `:roth_js` (gamma 0.1 fixed, as in the paper's
figure). Non-saturating JS-GAN, Adam 1e-3, batch 512, latent dimension 2; G has two hidden
ReLU layers of 128 units and D one (the unrolled-GAN networks the paper adopts).
"""
from tfgan_reg import config_lib

SETUPS = ("none", "roth_js")


def get_config(setup="roth_js"):
    if setup not in SETUPS:
        raise ValueError(f"setup must be one of {list(SETUPS)}. Received: setup={setup!r}")
    config = config_lib.base_config()
    config.data.name = "submanifold7"
    config.model.update(latent_dim=2, g_depth=2, g_width=128, d_depth=1, d_width=128)
    config.loss = "non_saturating"
    config.penalty = config_lib.penalty_config(setup, 0.1) if setup != "none" \
        else config_lib.penalty_config("none")
    config.train.update(batch_size=512, num_steps=5000, d_learning_rate=1e-3,
                        g_learning_rate=1e-3, beta1=0.9, beta2=0.999)
    return config
