"""Seed 000 section 5.3: f-GAN divergences on CIFAR-10 with the hard "4-layer 512-unit ReLU MLP
generator" variant (DCGAN discriminator with layer normalisation), vanilla vs DRAGAN:
`--config=configs/fdiv_mlp_g.py:<divergence>-<none|dragan>`.

<divergence>: `kl` (forward KL), `reverse_kl`, `pearson`, `squared_hellinger`,
`total_variation` (or `gan`, `jensen_shannon`). Adam 1e-4 (0.5, 0.9), batch 64, latent 128,
the f-GAN generator loss of Nowozin et al. (`generator_loss="alternative"`). Scored during
training by TF-GAN's Inception network (online, or a local copy via --config.eval.classifier).
Needs CIFAR-10 prepared for tensorflow-datasets (`--config.data.data_dir`).
"""
from tfgan_reg import config_lib, losses


def get_config(setup="reverse_kl-dragan"):
    divergence, _, method = setup.rpartition("-")
    if divergence not in losses.F_DIVERGENCES or method not in ("none", "dragan"):
        raise ValueError(f"SETUP must be <divergence>-<none|dragan> with a divergence of "
                         f"{sorted(losses.F_DIVERGENCES)}. Received: {setup!r}")
    config = config_lib.base_config()
    config.data.name = "cifar10"
    config.model.update(arch="dcgan_mlp_g", latent_dim=128, d_width=64,
                        d_normalization="layer")
    config.loss = divergence
    config.generator_loss = "alternative"
    config.penalty = config_lib.penalty_config(method)
    config.train.update(batch_size=64, num_steps=50000, d_learning_rate=1e-4,
                        g_learning_rate=1e-4, beta1=0.5, beta2=0.9, checkpoint_every=2000,
                        log_every=100)
    config.eval.update(every=1000, num_samples=5000,
                       classifier="https://tfhub.dev/tensorflow/tfgan/eval/inception/1")
    return config
