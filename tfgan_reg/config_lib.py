"""The config schema shared by every `configs/*.py` file, and `validate`, run before anything.

A config is an `ml_collections.ConfigDict` built from `base_config()` and overridden per paper
setup. `validate` raises one `ValueError` line naming the bad value and the valid choices, before
a strategy, a data set or a model exists.
"""
import inspect
import math

import ml_collections

from tfgan_reg import losses as losses_lib
from tfgan_reg import penalties as penalties_lib
from tfgan_reg import schedules

OPTIMIZERS = ("adam", "rmsprop", "sgd", "cgd", "acgd")
# Metrics `eval.best_metric` may name, with True where larger is better.
TOY_METRICS = {"w1": False, "modes": True, "hq_fraction": True}
IMAGE_METRICS = {"fid": False, "kid": False, "is": True}


def base_config():
    """Every key a config may hold, with its default (a 2-D ring8 run with R1)."""
    c = ml_collections.ConfigDict()
    c.seed = 0
    # cache (streamed image sets): "" none, "memory", or a file prefix for tf.data's cache.
    c.data = ml_collections.ConfigDict(dict(name="ring8", data_dir="", cache=""))
    c.model = ml_collections.ConfigDict(dict(
        arch="mlp", latent_dim=2, g_depth=3, g_width=128, d_depth=3, d_width=128,
        activation="relu", g_normalization="none", d_normalization="none",
        # arch="bogonet": the pair drawn from this seed, widths scaled by bogonet_scale.
        bogonet_seed=0, bogonet_scale=1.0))
    c.loss = "non_saturating"
    c.generator_loss = "default"
    c.penalty = penalty_config("r1")
    c.noise = ml_collections.ConfigDict(dict(sigma=0.0, nsr=1, schedule="constant",
                                             alpha=0.01))
    c.clip_value = 0.0        # original WGAN weight clipping c; 0: off
    c.consensus_gamma = 0.0   # ConOpt weight; 0: off (needs scheme='simultaneous')
    c.train = ml_collections.ConfigDict(dict(
        batch_size=256, num_steps=2000, scheme="alternating", n_disc=1,
        # Lazy regularisation (StyleGAN2): the penalty every k-th D step, k times the weight.
        penalty_every=1,
        optimizer="adam", d_learning_rate=1e-3, g_learning_rate=1e-3, beta1=0.5, beta2=0.999,
        # cgd / acgd (seed 003): one joint step; conjugate-gradient tolerances; ACGD's epsilon.
        epsilon=1e-5, cg_tol=1e-6, cg_atol=1e-20, cg_max_iter=100,
        # Moving average of the generator's weights for sampling and export; 0: off.
        ema_decay=0.0,
        checkpoint_every=500, log_every=50, max_checkpoints=3, jit_compile=True))
    # every: evaluate every N generator steps during training (0: only at the end), logging
    # to TensorBoard and eval.csv and keeping the best checkpoint by `best_metric` in best/.
    # classifier: SavedModel / TF-Hub directory for image scores during training, or "domain"
    # (the project's own digits / MNIST classifier, offline).
    # samples_every: sample pictures (samples/step_N.png, TensorBoard images) every N steps.
    c.eval = ml_collections.ConfigDict(dict(num_samples=2000, seed=12345, every=0,
                                            best_metric="", classifier="", samples_every=0))
    return c


def penalty_config(name, weight=None, *, schedule="constant", alpha=0.01, **kwargs):
    """`config.penalty` for one penalty: its paper keyword (`lam` or `gamma`) and schedule.

    `name="none"` trains unregularised. Other keywords of the penalty (DRAGAN's `c`) may be given.
    """
    fields = dict(name=name)
    if name != "none":
        penalty = penalties_lib.get(name)
        keyword = penalties_lib.WEIGHT_KEYWORD[name]
        default = inspect.signature(penalty).parameters[keyword].default
        fields[keyword] = float(default if weight is None else weight)
        fields.update(schedule=schedule, alpha=alpha)
    fields.update(kwargs)
    return ml_collections.ConfigDict(fields)


def _error(key, value, valid):
    return ValueError(f"`{key}` must be one of {list(valid)}. Received: {key}={value!r}")


def _check_weight(key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"`{key}` must be a non-negative finite number. "
                         f"Received: {key}={value!r}")


def _check_positive_int(key, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"`{key}` must be an integer >= {minimum}. Received: {key}={value!r}")


def _check_keys(config, schema, prefix=""):
    for key in config.keys():
        path = f"{prefix}{key}"
        if key not in schema:
            raise ValueError(f"Unknown config key `{path}`; valid keys here are "
                             f"{sorted(schema.keys())}. Received: {path}={config[key]!r}")
        if isinstance(schema[key], ml_collections.ConfigDict) and key != "penalty":
            _check_keys(config[key], schema[key], prefix=f"{path}.")


def penalty_kwargs(penalty):
    """The keyword arguments of `config.penalty` for `tfgan_reg.GAN` (weight without schedule)."""
    return {k: v for k, v in penalty.items() if k not in ("name", "schedule", "alpha")}


def validate(config, *, datasets=None, architectures=None):
    """Raises `ValueError` on the first bad value of `config`; returns the config otherwise.

    `datasets` / `architectures` are the valid names (defaults: the registries of
    `tfgan_reg.data` and `tfgan_reg.nets`).
    """
    from tfgan_reg import data as data_lib
    from tfgan_reg import nets
    datasets = tuple(datasets or data_lib.names())
    architectures = tuple(architectures or nets.names())
    _check_keys(config, base_config())
    if config.data.name not in datasets:
        raise _error("data.name", config.data.name, datasets)
    if config.model.arch not in architectures:
        raise _error("model.arch", config.model.arch, architectures)
    needed = nets.SAMPLE_SHAPES.get(config.model.arch)
    if needed is not None and config.data.name in data_lib.names() \
            and tuple(data_lib.shape(config.data.name)) != needed:
        raise ValueError(f"model.arch={config.model.arch!r} takes samples of shape {needed}. "
                         f"Received: data.name={config.data.name!r} of shape "
                         f"{tuple(data_lib.shape(config.data.name))}")
    if config.model.arch in nets.IMAGE_ONLY and config.data.name in data_lib.names() \
            and not data_lib.is_image(config.data.name):
        raise ValueError(f"model.arch={config.model.arch!r} takes images; data.name="
                         f"{config.data.name!r} is low-dimensional (use model.arch='mlp').")
    if config.model.arch in nets.IMAGE_ONLY and config.data.name in data_lib.names():
        from tfgan_reg.nets import dcgan
        dcgan.stages(data_lib.shape(config.data.name)[0])
    _check_positive_int("model.latent_dim", config.model.latent_dim)
    if config.loss not in losses_lib.names():
        raise _error("loss", config.loss, losses_lib.names())
    loss = losses_lib.get(config.loss)
    if config.generator_loss not in ("default", "alternative"):
        raise _error("generator_loss", config.generator_loss, ("default", "alternative"))
    if config.generator_loss == "alternative" and not loss.is_f_divergence:
        raise ValueError(f"generator_loss='alternative' needs an f-divergence loss, one of "
                         f"{sorted(losses_lib.F_DIVERGENCES)}. Received: loss={config.loss!r}")

    penalty = config.penalty
    name = penalty.get("name", None)
    valid_penalties = ["none"] + penalties_lib.names()
    if name not in valid_penalties:
        raise _error("penalty.name", name, valid_penalties)
    if name != "none":
        keyword = penalties_lib.WEIGHT_KEYWORD[name]
        params = inspect.signature(penalties_lib.get(name)).parameters
        valid = sorted({k for k, p in params.items() if p.kind is p.KEYWORD_ONLY}
                       - {"seed", "training", "divergence"}) + ["name", "schedule", "alpha"]
        for key in penalty.keys():
            if key not in valid:
                raise ValueError(f"Penalty {name!r} takes config keys {valid} (its weight is "
                                 f"`{keyword}`). Received: penalty.{key}={penalty[key]!r}")
        _check_weight(f"penalty.{keyword}", penalty.get(keyword, params[keyword].default))
        _check_schedule("penalty", penalty.get("schedule", "constant"),
                        penalty.get("alpha", 0.01))
        if name in penalties_lib.NEEDS_F_DIVERGENCE and not loss.is_f_divergence:
            raise ValueError(f"Penalty {name!r} needs an f-divergence loss, one of "
                             f"{sorted(losses_lib.F_DIVERGENCES)}. Received: loss={config.loss!r}")

    _check_weight("noise.sigma", config.noise.sigma)
    _check_positive_int("noise.nsr", config.noise.nsr)
    _check_schedule("noise", config.noise.schedule, config.noise.alpha)
    _check_weight("clip_value", config.clip_value)
    _check_weight("consensus_gamma", config.consensus_gamma)

    t = config.train
    for key in ("batch_size", "num_steps", "n_disc", "checkpoint_every", "log_every",
                "max_checkpoints", "penalty_every"):
        _check_positive_int(f"train.{key}", t[key])
    if t.penalty_every > 1 and (t.scheme != "alternating" or t.optimizer in ("cgd", "acgd")):
        raise ValueError("train.penalty_every > 1 (lazy regularisation) needs the separate "
                         "discriminator steps of train.scheme='alternating' with adam, rmsprop "
                         f"or sgd. Received: train.scheme={t.scheme!r}, "
                         f"train.optimizer={t.optimizer!r}")
    if t.scheme not in ("alternating", "simultaneous"):
        raise _error("train.scheme", t.scheme, ("alternating", "simultaneous"))
    if config.consensus_gamma > 0 and t.scheme != "simultaneous":
        raise ValueError("Consensus optimisation needs train.scheme='simultaneous'. "
                         f"Received: train.scheme={t.scheme!r}")
    if config.noise.nsr > 1 and t.batch_size % config.noise.nsr:
        raise ValueError(f"noise.nsr must divide train.batch_size. Received: "
                         f"noise.nsr={config.noise.nsr}, train.batch_size={t.batch_size}")
    if t.optimizer not in OPTIMIZERS:
        raise _error("train.optimizer", t.optimizer, OPTIMIZERS)
    if t.optimizer in ("cgd", "acgd"):
        if t.n_disc != 1 or config.consensus_gamma > 0:
            raise ValueError(f"train.optimizer={t.optimizer!r} updates both players in one "
                             f"joint step: it needs train.n_disc=1 and consensus_gamma=0. "
                             f"Received: train.n_disc={t.n_disc}, "
                             f"consensus_gamma={config.consensus_gamma}")
        for key in ("epsilon", "cg_tol"):
            if not (isinstance(t[key], (int, float)) and math.isfinite(t[key]) and t[key] > 0):
                raise ValueError(f"`train.{key}` must be a positive finite number. "
                                 f"Received: train.{key}={t[key]!r}")
        _check_weight("train.cg_atol", t.cg_atol)
        _check_positive_int("train.cg_max_iter", t.cg_max_iter)
    for key in ("d_learning_rate", "g_learning_rate"):
        value = t[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value <= 0:
            raise ValueError(f"`train.{key}` must be a positive finite number. "
                             f"Received: train.{key}={value!r}")
    if not (isinstance(t.ema_decay, (int, float)) and 0 <= t.ema_decay < 1):
        raise ValueError(f"`train.ema_decay` must be in [0, 1) (0: off). "
                         f"Received: train.ema_decay={t.ema_decay!r}")
    for key in ("beta1", "beta2"):
        if not 0 <= t[key] < 1:
            raise ValueError(f"`train.{key}` must be in [0, 1). Received: train.{key}={t[key]!r}")
    _check_positive_int("eval.num_samples", config.eval.num_samples)
    _check_positive_int("eval.every", config.eval.every, minimum=0)
    _check_positive_int("eval.samples_every", config.eval.samples_every, minimum=0)
    image = data_lib.is_image(config.data.name)
    metrics = IMAGE_METRICS if image else TOY_METRICS
    if config.eval.best_metric and config.eval.best_metric not in metrics:
        raise _error("eval.best_metric", config.eval.best_metric, ("",) + tuple(metrics))
    if image and config.eval.best_metric and not config.eval.classifier:
        raise ValueError(f"eval.best_metric={config.eval.best_metric!r} needs image scores: set "
                         f"eval.classifier to a SavedModel / TF-Hub directory (or `domain`).")
    if config.eval.classifier == "domain":
        from tfgan_reg.eval import domain
        if config.data.name not in domain.names():
            raise ValueError(f"eval.classifier='domain' exists for data.name in "
                             f"{domain.names()}. Received: data.name={config.data.name!r}")
    return config


def _check_schedule(prefix, schedule, alpha):
    if schedule not in schedules.SCHEDULES:
        raise _error(f"{prefix}.schedule", schedule, schedules.SCHEDULES)
    if not (isinstance(alpha, (int, float)) and 0 < alpha <= 1):
        raise ValueError(f"`{prefix}.alpha` must be in (0, 1]. Received: "
                         f"{prefix}.alpha={alpha!r}")
