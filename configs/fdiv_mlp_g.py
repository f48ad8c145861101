"""Kodali et al. 2017, section 5.3: f-GAN divergences with the hard "4-layer 512-unit ReLU MLP
generator" variant (DCGAN discriminator with layer normalisation), vanilla vs DRAGAN:
`--config=configs/fdiv_mlp_g.py:<divergence>-<none|dragan>[-digits][-quick]`.

<divergence>: `kl` (forward KL), `reverse_kl`, `pearson`, `squared_hellinger`,
`total_variation` (or `gan`, `jensen_shannon`). The paper's optimiser, "Adam with default
parameters everywhere" (section 3.2: lr 1e-3, betas 0.9 and 0.999; Keras's epsilon 1e-7 where
TensorFlow 1's was 1e-8), DRAGAN with lam 10 and C 0.5 (section 3.2), batch 64, latent 128, the
f-GAN generator loss of Nowozin et al. (`generator_loss="alternative"`).

The paper's setup (section 5.3, figure 3, supplement 2.5): CIFAR-10, scored during training by
TF-GAN's Inception network (online, or a local copy via --config.eval.classifier); needs
CIFAR-10 prepared for tensorflow-datasets (`--config.data.data_dir`); 50,000 steps here (the
paper states no length). Its result (inception-score curves only): DRAGAN is stable for forward
KL, reverse KL, Pearson chi^2 and squared Hellinger, not for total variation; vanilla fails for
all five.

`-digits` is the offline variant of the claim `dragan.fdiv_robustness`: the same networks and
optimiser on scikit-learn's 8x8 digits, `DIGITS_STEPS` steps (what fits the claim's CPU
budget), IS / FID of 500 samples by the project's digits classifier every `DIGITS_STEPS / 10`
steps. `reference-digits` is that claim's gate: the DCGAN generator against the same
discriminator with the non-saturating GAN loss. `-quick`: 10 steps (a smoke test).
"""
from tfgan_reg import config_lib, losses

DIGITS_STEPS, DIGITS_EVALS, DIGITS_SAMPLES = 3000, 10, 500


def get_config(setup="reverse_kl-dragan"):
    quick = setup.endswith("-quick")
    setup = setup[:-len("-quick")] if quick else setup
    offline = setup.endswith("-digits")
    setup = setup[:-len("-digits")] if offline else setup
    divergence, _, method = setup.rpartition("-")
    reference = setup == "reference"
    if not reference and (divergence not in losses.F_DIVERGENCES
                          or method not in ("none", "dragan")) or (reference and not offline):
        raise ValueError(f"SETUP must be <divergence>-<none|dragan>[-digits][-quick] with a "
                         f"divergence of {sorted(losses.F_DIVERGENCES)}, or "
                         f"reference-digits[-quick]. Received: {setup!r}")
    config = config_lib.base_config()
    config.model.update(arch="dcgan" if reference else "dcgan_mlp_g", latent_dim=128,
                        d_width=64, d_normalization="layer")
    config.loss = "non_saturating" if reference else divergence
    config.generator_loss = "default" if reference else "alternative"
    config.penalty = config_lib.penalty_config(
        "none" if reference else method, None if reference or method == "none" else 10.0,
        **({"c": 0.5} if method == "dragan" else {}))
    config.train.update(batch_size=64, d_learning_rate=1e-3, g_learning_rate=1e-3,
                        beta1=0.9, beta2=0.999)
    if offline:
        steps = 10 if quick else DIGITS_STEPS
        evals, samples = (2, 100) if quick else (DIGITS_EVALS, DIGITS_SAMPLES)
        config.data.name = "digits"
        config.train.update(num_steps=steps, checkpoint_every=steps, max_checkpoints=1,
                            log_every=min(50, steps), jit_compile=False)
        config.eval.update(every=steps // evals, num_samples=samples, classifier="domain")
        return config
    config.data.name = "cifar10"
    config.train.update(num_steps=10 if quick else 50000, checkpoint_every=2000,
                        log_every=100)
    config.eval.update(every=1000, num_samples=5000,
                       classifier="https://tfhub.dev/tensorflow/tfgan/eval/inception/1")
    return config
