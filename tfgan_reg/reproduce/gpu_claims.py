"""Claims that need a GPU and an image set prepared for tensorflow-datasets: listed in the
report with the command that tests them, the paper's number and their runs' setups from
configs/, not run here (Kodali et al.'s CIFAR-10 inception scores, the ICR paper's CIFAR-10
grid, Roth et al.'s CelebA / LSUN runs)."""
from tfgan_reg import config_lib
from tfgan_reg.reproduce import registry

# Table 3's rows (configs/icr_cifar10.py) and the CelebA / LSUN runs (configs/roth_images.py).
ICR_ROWS = ("ogan-l2-1e-4-adam", "ogan-l2-1e-4-acgd", "ogan-noreg-adam", "ogan-noreg-acgd",
            "wgan-gp-adam", "wgan-sn-adam", "wgan-noreg-acgd", "wgan-gp-acgd",
            "wgan-l2-1e-2-adam", "wgan-l2-1e-3-adam", "wgan-l2-1e-3-acgd")
ROTH_RUNS = tuple(f"{d}-{a}{n}" for d in ("celeb_a", "lsun") for a in ("dcgan", "resnet")
                  for n in ("", "-none"))
DCGAN_RUNS = tuple(f"cifar10-{m}" for m in ("dragan", "none", "wgan_gp", "wgan"))


def _setups(path, names):
    """The resolved configs of a GPU claim's runs, for its record (`Claim.config`)."""
    return lambda: {n: config_lib.from_file(f"{path}:{n}").to_dict() for n in names}


_SCORES = ("python -m tfgan_reg.eval scores --workdir RUN --classifier INCEPTION_DIR "
           "(TF-GAN's Inception as a local TF-Hub directory)")

registry.register(registry.Claim(
    id="dragan.cifar10_is", where="figure 2b",
    statement="A DCGAN on CIFAR-10 trained with DRAGAN scores an inception score close to the "
              "vanilla GAN's and above WGAN-GP's.",
    paper="IS: DRAGAN 6.90, vanilla GAN 6.99, WGAN-GP 5.99, WGAN 3.25 (real images 11.24).",
    setup="configs/dcgan.py:cifar10-<dragan|none|wgan_gp|wgan>",
    rule="not judged here", gpu=True, config=_setups("configs/dcgan.py", DCGAN_RUNS),
    command="python train.py --config=configs/dcgan.py:cifar10-dragan --workdir=RUN "
            "--config.data.data_dir=TFDS_DIR (and :cifar10-none, :cifar10-wgan_gp, "
            f":cifar10-wgan); then {_SCORES}"))

registry.register(registry.Claim(
    id="icr.cifar10_grid", where="section 6, figure 9, Table 3, A.4.3",
    statement="ACGD with the WGAN loss and no regulariser reaches the highest inception score "
              "of the grid; ACGD beats Adam for the same model and hardly ever does worse.",
    paper="TensorFlow IS: ACGD (WGAN, no regulariser) about 10 % above WGAN-GP with Adam.",
    setup="configs/icr_cifar10.py:<loss>-<regulariser>-<optimiser> (Table 3's rows)",
    rule="not judged here", gpu=True, config=_setups("configs/icr_cifar10.py", ICR_ROWS),
    command="python train.py --config=configs/icr_cifar10.py:wgan-noreg-acgd --workdir=RUN "
            "--config.data.data_dir=TFDS_DIR (and :wgan-gp-adam, ...); then " + _SCORES))

registry.register(registry.Claim(
    id="roth.celeba_lsun", where="section 5.2, figures 2-3, appendix 7.4",
    statement="With Roth et al.'s annealed regulariser (gamma0 2, alpha 0.01) DCGAN and ResNet "
              "GANs train stably on CelebA (100k steps) and LSUN bedrooms (200k steps), where "
              "unregularised ones degrade.",
    paper="Qualitative (sample figures); no score reported.",
    setup="configs/roth_images.py:<celeb_a|lsun>-<dcgan|resnet>[-none]",
    rule="not judged here", gpu=True, config=_setups("configs/roth_images.py", ROTH_RUNS),
    command="python train.py --config=configs/roth_images.py:celeb_a-resnet --workdir=RUN "
            "--config.data.data_dir=TFDS_DIR (and :celeb_a-resnet-none, :lsun-...); then "
            + _SCORES))
