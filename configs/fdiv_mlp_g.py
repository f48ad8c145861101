"""Kodali et al. 2017, section 5.3: f-GAN divergences with the hard "4-layer 512-unit ReLU MLP
generator" variant (DCGAN discriminator with layer normalisation), vanilla vs DRAGAN:
`--config=configs/fdiv_mlp_g.py:<divergence>-<none|dragan>[-digits]`.

<divergence>: `kl` (forward KL), `reverse_kl`, `pearson`, `squared_hellinger`,
`total_variation` (or `gan`, `jensen_shannon`). Adam 1e-4 (0.5, 0.9), batch 64, latent 128,
the f-GAN generator loss of Nowozin et al. (`generator_loss="alternative"`).

The paper's setup (section 5.3, figure 3, supplement 2.5): CIFAR-10, scored during training by
TF-GAN's Inception network (online, or a local copy via --config.eval.classifier); needs
CIFAR-10 prepared for tensorflow-datasets (`--config.data.data_dir`); 50,000 steps here. The
paper's result (inception-score curves only): DRAGAN is stable for forward KL, reverse KL,
Pearson chi^2 and squared Hellinger, not for total variation; vanilla fails for all five.

`-digits` is the offline variant of the claim `dragan.fdiv_robustness`
(`tfgan_reg.reproduce.dragan_claims.fdiv_config`): the same networks and optimiser on
scikit-learn's 8x8 digits, 400 steps, IS / FID of 500 samples by the project's digits
classifier every 100 steps (the claim's CPU budget, which mnist5k's 28x28 images exceed).
"""
from tfgan_reg import config_lib, losses


def get_config(setup="reverse_kl-dragan"):
    offline = setup.endswith("-digits")
    if offline:
        setup = setup[:-len("-digits")]
    divergence, _, method = setup.rpartition("-")
    if divergence not in losses.F_DIVERGENCES or method not in ("none", "dragan"):
        raise ValueError(f"SETUP must be <divergence>-<none|dragan>[-digits] with a divergence "
                         f"of {sorted(losses.F_DIVERGENCES)}. Received: {setup!r}")
    if offline:
        from tfgan_reg.reproduce import dragan_claims
        return dragan_claims.fdiv_config(divergence, method)
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
