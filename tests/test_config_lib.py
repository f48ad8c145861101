"""`config_lib`: the schema, its lock, and `validate` (a dry run of the constructors' checks)."""
import importlib.util
import os

import pytest

from tfgan_reg import config_lib
from tfgan_reg import penalties

from helpers import ROOT


def _set(config, path, value):
    *parents, key = path.split(".")
    node = config
    for p in parents:
        node = node[p]
    with node.ignore_type():
        node[key] = value


@pytest.mark.parametrize("path,value,pattern", [
    ("loss", "bce", r"`loss` must be one of \[.*'hinge'.*\]\. Received: loss='bce'"),
    ("penalty.name", "r3", r"`penalty.name` must be one of \[.*'r1'.*\]\. Received"),
    ("data.name", "ring9", r"`data.name` must be one of \[.*'ring8'.*\]\. Received"),
    ("model.arch", "vgg", r"`model.arch` must be one of \[.*'mlp'.*\]\. Received: model.arch='vgg'"),
    ("penalty.gamma", -1.0, r"`penalty.gamma` must be a non-negative finite number. "
                            r"Received: penalty.gamma=-1.0"),
    ("penalty.gamma", float("nan"), r"penalty.gamma=nan"),
    ("noise.sigma", float("inf"), r"noise.sigma=inf"),
    ("train.n_disc", 0, r"`train.n_disc` must be an integer >= 1. Received: train.n_disc=0"),
    ("train.d_learning_rate", 0.0, r"train.d_learning_rate=0.0"),
    ("train.penalty_every", 0, r"`train.penalty_every` must be an integer >= 1"),
    # `GAN`'s own checks, dry-run with the config keys as names.
    ("noise.nsr", 0, r"`noise.nsr` must be an integer >= 1. Received: noise.nsr=0"),
    ("train.ema_decay", 1.0, r"`train.ema_decay` must be in \(0, 1\).*train.ema_decay=1.0"),
    ("clip_value", -0.5, r"`clip_value` must be a positive .*Received: clip_value=-0.5"),
    ("consensus_gamma", float("nan"), r"`consensus_gamma` must be .*consensus_gamma=nan"),
    ("train.scheme", "both", r"`train.scheme` must be one of \['alternating', "
                             r"'simultaneous'\]"),
    ("penalty.schedule", "cosine", r"`penalty.schedule` must be one of \['constant', "
                                   r"'anneal'\]"),
])
def test_validate_rejects_bad_values(path, value, pattern):
    config = config_lib.base_config()
    _set(config, path, value)
    with pytest.raises(ValueError, match=pattern):
        config_lib.validate(config)


@pytest.mark.parametrize("key,value,pattern", [
    ("scheme", "simultaneous", r"Lazy regularisation \(train.penalty_every > 1\) applies to the "
                               r"separate discriminator steps of train.scheme='alternating'. "
                               r"Received: train.scheme='simultaneous'"),
    ("optimizer", "acgd", r"A joint optimiser .* needs train.n_disc=1, no consensus term and "
                          r"train.penalty_every=1. Received: .*train.penalty_every=4"),
])
def test_validate_rejects_lazy_penalty_without_separate_d_steps(key, value, pattern):
    config = config_lib.base_config()
    config.train[key] = value
    config_lib.validate(config)  # valid with the penalty on every step
    config.train.penalty_every = 4
    with pytest.raises(ValueError, match=pattern):
        config_lib.validate(config)


def test_validate_rejects_f_penalty_without_f_loss_and_unknown_keys():
    config = config_lib.base_config()
    config.penalty = config_lib.penalty_config("roth_f")
    with pytest.raises(ValueError, match=r"^`loss` must be one of \[.*'kl'.*\] \(penalty 'roth_f' "
                                         r"needs an f-divergence loss\)\. "
                                         r"Received: loss='non_saturating'$"):
        config_lib.validate(config)
    config.loss = "kl"
    config_lib.validate(config)
    config = config_lib.base_config()
    config.unlock()
    config.train.dics_iters = 5
    with pytest.raises(ValueError, match=r"Unknown config key `train.dics_iters`"):
        config_lib.validate(config)
    config = config_lib.base_config()
    with config.unlocked():
        config.train.num_stepz = 5
    with pytest.raises(ValueError, match=r"Unknown config key `train.num_stepz`; Did you mean "
                                         r"\"num_steps\" instead of \"num_stepz\"\?"):
        config_lib.validate(config)
    config = config_lib.base_config()
    with config.unlocked():
        config.penalty.lam = 1.0  # r1's weight is gamma
    with pytest.raises(ValueError, match=r"Penalty 'r1' takes keywords \['alpha', 'gamma', "
                                         r"'schedule'\] \(its weight is `gamma`\). Received: "
                                         r"penalty.lam=1.0"):
        config_lib.validate(config)


def test_base_config_is_locked():
    # A misspelt key is an error when it is set, with ml_collections' suggestion.
    config = config_lib.base_config()
    with pytest.raises(AttributeError, match=r"Did you mean \"num_steps\""):
        config.train.num_stepz = 10


def test_every_shipped_config_validates():
    for name, args in [("default", [()]), ("ring8", [("none",)] + [
            (p,) for p in penalties.names()]),
            ("submanifold7", [("none",), ("roth_js",)]),
            ("bogonet", [("digits",), ("mnist",), ("cifar10",)]),
            ("dcgan", [(f"{d}-{m}",) for d in ("digits", "mnist", "cifar10")
                       for m in ["none", "wgan"] + penalties.names()]),
            ("roth_images", [(f"{d}-{a}{n}",) for d in ("celeb_a", "lsun")
                             for a in ("dcgan", "resnet") for n in ("", "-none")]),
            ("fdiv_mlp_g", [(f"{d}-{m}",) for d in ("kl", "reverse_kl", "pearson",
                                                     "squared_hellinger", "total_variation")
                            for m in ("none", "dragan")])]:
        spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "configs",
                                                                         f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for a in args:
            config_lib.validate(module.get_config(*a))


def test_best_metric_must_fit_the_data():
    config = config_lib.base_config()
    config.eval.best_metric = "fid"
    with pytest.raises(ValueError, match=r"`eval.best_metric` must be one of \['', 'w1', "):
        config_lib.validate(config)
    config.data.name = "digits"
    with pytest.raises(ValueError, match=r"needs image scores: set eval.classifier"):
        config_lib.validate(config)


def test_from_file_reads_a_paper_setup_with_its_argument(tmp_path):
    (tmp_path / "setup.py").write_text(
        "import ml_collections\n"
        "def get_config(arg='a'):\n"
        "    return ml_collections.ConfigDict({'arg': arg})\n")
    assert config_lib.from_file("setup.py:b", configs_dir=str(tmp_path)).arg == "b"
    assert config_lib.from_file("configs/setup.py", configs_dir=str(tmp_path)).arg == "a"
    assert config_lib.from_file(str(tmp_path / "setup.py") + ":c").arg == "c"
    with pytest.raises(FileNotFoundError, match="missing.py"):
        config_lib.from_file("missing.py", configs_dir=str(tmp_path))


def test_from_file_finds_the_repository_configs():
    config = config_lib.from_file("configs/default.py")
    config_lib.validate(config)


@pytest.mark.parametrize("key,value", [("train.ema_decay", 1.5), ("clip_value", -1.0),
                                       ("consensus_gamma", -0.1)])
def test_an_option_off_at_zero_says_so_in_config_terms(key, value):
    config = config_lib.base_config()
    if key == "consensus_gamma":
        config.train.scheme = "simultaneous"
    section, _, name = key.rpartition(".")
    (config[section] if section else config)[name] = value
    with pytest.raises(ValueError, match=rf"`{key}` must be .*\(0: off\)\. Received: {key}="):
        config_lib.validate(config)


def test_config_files_load_reads_get_config_with_and_without_argument(tmp_path):
    path = tmp_path / "setup.py"
    path.write_text("import ml_collections\n"
                    "def get_config(arg='plain'):\n"
                    "    return ml_collections.ConfigDict({'arg': arg})\n")
    from tfgan_reg import config_files
    assert config_files.load(str(path)).arg == "plain"
    assert config_files.load(str(path), "fig8").arg == "fig8"
    with pytest.raises(FileNotFoundError, match="missing.py"):
        config_files.load(str(tmp_path / "missing.py"))
