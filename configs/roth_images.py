"""Roth et al.'s (2017) CelebA and LSUN bedroom runs (section 5.3, appendix 7.4): DCGAN or ResNet
GANs with Roth et al.'s JS regulariser annealed from gamma0 = 2.0 by alpha = 0.01 (gamma_t = gamma0
alpha^(t/T)), or unregularised: `--config=configs/roth_images.py:DATA-ARCH` or `:DATA-ARCH-none`.

DATA `celeb_a` (64x64 centre crops) or `lsun` (bedroom, 64x64); ARCH `dcgan` (BN in G, and in D
except its first layer) or `resnet` (Gulrajani et al.'s 64 px network, BN in G). Non-saturating
generator loss, Adam 2e-4 (0.5, 0.999), batch 64, latent 128, 200,000 generator steps (LSUN;
CelebA 100,000). Needs the set prepared for tensorflow-datasets (`--config.data.data_dir`).

The paper's result (figures 2-3, appendix 7.4; GPU runs) is qualitative: the regularised runs
train stably and give good samples where the unregularised ones degrade; it reports no score.
Not run here (`roth.celeba_lsun` in docs/REPRODUCTION.md).

Batch norm in D with a per-sample gradient penalty (which `tfgan_reg.GAN` warns about: batch
statistics couple the samples) is the paper's choice, kept to reproduce it: the paper's section
5.3 uses "batch normalization also for the discriminator (as our regularizer does not depend
on the optimal transport plan ...)", and appendix 7.4 puts it in all but D's first and last
layers. For a penalty that measures each sample's own gradient, pass
`--config.model.d_normalization=layer`.
"""
from tfgan_reg import config_lib

DATA = {"celeb_a": ("celeb_a", 100000), "lsun": ("lsun/bedroom", 200000)}


def get_config(setup="celeb_a-dcgan"):
    parts = setup.split("-")
    if len(parts) not in (2, 3) or parts[0] not in DATA or parts[1] not in ("dcgan", "resnet") \
            or parts[2:] not in ([], ["none"]):
        raise ValueError(f"SETUP must be <{'|'.join(DATA)}>-<dcgan|resnet>[-none]. "
                         f"Received: {setup!r}")
    name, steps = DATA[parts[0]]
    config = config_lib.base_config()
    config.data.update(name=name, cache="memory" if parts[0] == "celeb_a" else "")
    config.model.update(arch=parts[1], latent_dim=128, g_width=64, d_width=64,
                        g_normalization="batch", d_normalization="batch")
    config.loss = "non_saturating"
    if parts[2:] == ["none"]:
        config.penalty = config_lib.penalty_config("none")
    else:
        config.penalty = config_lib.penalty_config("roth_js", 2.0, schedule="anneal",
                                                   alpha=0.01)
    config.train.update(batch_size=64, num_steps=steps, d_learning_rate=2e-4,
                        g_learning_rate=2e-4, beta1=0.5, beta2=0.999, checkpoint_every=5000,
                        log_every=100)
    config.eval.update(num_samples=10000, samples_every=5000)
    return config
