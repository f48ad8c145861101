"""The config schema shared by every `configs/*.py` file, and `validate`, run before anything.

A config is an `ml_collections.ConfigDict` built from `base_config()` (locked: a misspelt key
is an error with a "did you mean") and overridden per paper setup. `validate` raises one
`ValueError` line naming the bad value and the valid choices, before a strategy, a data set or
a model exists; where a constructor owns a rule (`penalties.configure`, `GAN`'s options,
the networks, the domain classifier), it dry-runs that constructor's own check.
"""
import os

import ml_collections

from tfgan_reg import checks
from tfgan_reg import config_files
from tfgan_reg import data as data_lib
from tfgan_reg import losses as losses_lib
from tfgan_reg import nets
from tfgan_reg import optimizers as optimizers_lib
from tfgan_reg import penalties as penalties_lib
from tfgan_reg import schedules
from tfgan_reg import steps
from tfgan_reg.data import toy
from tfgan_reg.eval import domain
from tfgan_reg.eval import lowdim
from tfgan_reg.eval import scores

OPTIMIZERS = ("adam", "rmsprop", "sgd") + tuple(optimizers_lib.JOINT)
# The config key of each `GAN` option, for messages of the checks `validate` dry-runs.
GAN_KEYS = {"scheme": "train.scheme", "n_disc": "train.n_disc", "noise_nsr": "noise.nsr",
            "ema_decay": "train.ema_decay", "penalty_every": "train.penalty_every",
            "consensus_gamma": "consensus_gamma", "clip_value": "clip_value",
            "generator_loss": "generator_loss", "loss": "loss", "precision": "train.precision"}


def base_config():
    """Every key a config may hold, with its default (a 2-D ring8 run with R1)."""
    c = ml_collections.ConfigDict()
    c.seed = 0
    # name: a set of tfgan_reg.data, or a mixture family (ring, grid, submanifold) whose
    # parameters are the keys of data.<family> (tfgan_reg.data.toy; defaults: ring8, grid25,
    # submanifold7). num_points (low-dimensional sets): 0, fresh draws every step; N, a fixed
    # training set of N draws read in a new order every epoch.
    # cache (streamed image sets): "" none, "memory", or a file prefix for tf.data's cache.
    c.data = ml_collections.ConfigDict(dict(
        name="ring8", data_dir="", cache="", num_points=0,
        **{f: ml_collections.ConfigDict(toy.defaults(f)) for f in toy.FAMILIES}))
    c.model = ml_collections.ConfigDict(dict(
        arch="mlp", latent_dim=2, g_depth=3, g_width=128, d_depth=3, d_width=128,
        activation="relu", g_normalization="none", d_normalization="none",
        # arch="bogonet": the pair drawn from this seed, widths scaled by bogonet_scale.
        bogonet_seed=0, bogonet_scale=1.0,
        # arch="mlp": G's output activation, one of nets.G_OUTPUTS ("tanh" for data in
        # [-1, 1]: the affine image of a sigmoid output on data in [0, 1]).
        g_output="linear",
        # arch="mlp": D's hidden units are maxouts of this many affine pieces in place of
        # `activation` (Goodfellow et al. 2013); 0: off.
        d_maxout_pieces=0))
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
        # cgd / acgd (Schaefer & Anandkumar 2019; the ICR paper): one joint step;
        # conjugate-gradient tolerances; ACGD's epsilon.
        epsilon=1e-5, cg_tol=1e-6, cg_atol=1e-20, cg_max_iter=100,
        # Moving average of the generator's weights for sampling and export; 0: off.
        ema_decay=0.0,
        checkpoint_every=500, log_every=50, max_checkpoints=3, jit_compile=True,
        # Keras dtype policy of both networks (tfgan_reg.precision): float32, mixed_bfloat16
        # or mixed_float16 (loss scaling); CGD / ACGD need float32.
        precision="float32"))
    # every: evaluate every N generator steps during training (0: only at the end), logging
    # to TensorBoard and eval.csv and keeping the best checkpoint by `best_metric` in best/.
    # classifier: SavedModel / TF-Hub directory for image scores during training, or "domain"
    # (the project's own digits / MNIST classifier, offline).
    # samples_every: sample pictures (samples/step_N.png, TensorBoard images) every N steps.
    # A mixture's mode counts (eval.lowdim.mode_stats): a sample is high quality within
    # hq_num_std stds of its nearest centre; a mode is covered when it holds at least one
    # high-quality sample and mode_min_fraction of its fair share n / K (0: any one, PacGAN's).
    c.eval = ml_collections.ConfigDict(dict(num_samples=2000, seed=12345, every=0,
                                            best_metric="", classifier="", samples_every=0,
                                            hq_num_std=3.0, mode_min_fraction=0.1))
    c.lock()
    return c


def penalty_config(name, weight=None, *, schedule="constant", alpha=0.01, **kwargs):
    """`config.penalty` for one penalty: its paper keyword (`lam` or `gamma`) and schedule.

    `name="none"` trains unregularised. Other keywords of the penalty (DRAGAN's `c`) may be given.
    """
    fields = dict(name=name)
    if name != "none":
        keyword, default = penalties_lib.default_weight(name)
        fields[keyword] = float(default if weight is None else weight)
        fields.update(schedule=schedule, alpha=alpha)
    fields.update(kwargs)
    return ml_collections.ConfigDict(fields)


def noise_schedule(config):
    """Instance noise's sigma of `config`: a schedule, or 0.0 when off."""
    n = config.noise
    sigma = schedules.configured(n.sigma, n.schedule, alpha=n.alpha,
                                 total_steps=config.train.num_steps, key="noise.sigma",
                                 prefix="noise.")
    return sigma if n.sigma > 0 else 0.0


def configured_penalties(config):
    """[`penalties.Penalty`] of `config.penalty` (empty for `none`), checked by the penalty's
    own `configure`."""
    name = checks.choice("penalty.name", config.penalty.get("name", None),
                         ["none"] + penalties_lib.names())
    if name == "none":
        return []
    block = {k: v for k, v in config.penalty.items() if k != "name"}
    return [penalties_lib.configure(name, loss=config.loss, total_steps=config.train.num_steps,
                                    prefix="penalty.", **block)]


def gan_arguments(config):
    """The keyword arguments of `tfgan_reg.GAN` for `config`, all but the two networks."""
    t = config.train
    return dict(latent_dim=config.model.latent_dim, loss=config.loss,
                generator_loss=config.generator_loss, penalties=configured_penalties(config),
                scheme=t.scheme, n_disc=t.n_disc, seed=config.seed,
                noise_sigma=noise_schedule(config), noise_nsr=config.noise.nsr,
                clip_value=config.clip_value or None,
                consensus_gamma=config.consensus_gamma or None,
                ema_decay=t.ema_decay or None, penalty_every=t.penalty_every,
                precision=t.precision)


def _check_keys(config, schema, prefix=""):
    """Every key of `config` exists in the locked `schema` (the penalty block is the
    penalty's own to check)."""
    for key in config.keys():
        try:
            expected = schema[key]
        except KeyError as e:
            hint = str(e.args[0]).partition("\n")[2]  # ml_collections' "Did you mean ..."
            raise ValueError(f"Unknown config key `{prefix}{key}`{'; ' + hint if hint else ''}"
                             f" (valid keys here: {sorted(schema.keys())}). "
                             f"Received: {prefix}{key}={config[key]!r}") from None
        if isinstance(expected, ml_collections.ConfigDict) and key != "penalty":
            _check_keys(config[key], expected, prefix=f"{prefix}{key}.")


def _positive(key, value):
    return checks.number(key, value, low=0, low_open=True)


def _check_data(data):
    """The data set's name, its family's parameters (the family's own checks) and
    `num_points`; a family block changed from its defaults must be the one in use."""
    checks.choice("data.name", data.name, data_lib.names())
    for family in toy.FAMILIES:
        if family == data.name:
            toy.get(family, prefix=f"data.{family}.", **data[family])
            continue
        hint = (f" ({data.name!r} is {family!r} at its defaults)"
                if toy.PRESETS.get(data.name) == family else "")
        for key, default in toy.defaults(family).items():
            if data[family][key] != default:
                raise ValueError(f"data.{family}.* apply to data.name={family!r} only{hint}. "
                                 f"Received: data.{family}.{key}={data[family][key]!r} with "
                                 f"data.name={data.name!r}")
    checks.number("data.num_points", data.num_points, low=0, integer=True,
                  note=" (0: fresh draws every step)")
    if data.num_points and data_lib.is_image(data.name):
        raise ValueError(f"data.num_points applies to the low-dimensional sets (an image set is "
                         f"a fixed set already). Received: data.num_points={data.num_points}, "
                         f"data.name={data.name!r}")


def validate(config):
    """Raises `ValueError` on the first bad value of `config`; returns the config otherwise."""
    _check_keys(config, base_config())
    _check_data(config.data)
    shape = tuple(data_lib.shape(config.data.name, data_lib.family_params(config.data)))
    nets.check(config.model.arch, shape, data_name=config.data.name)  # the name too
    checks.choice("model.g_output", config.model.g_output, nets.G_OUTPUTS)
    checks.number("model.latent_dim", config.model.latent_dim, low=1, integer=True)
    checks.number("model.d_maxout_pieces", config.model.d_maxout_pieces, low=0, integer=True,
                  note=" (0: off)")
    if config.model.d_maxout_pieces and config.model.arch != "mlp":
        raise ValueError(f"model.d_maxout_pieces applies to model.arch='mlp'. Received: "
                         f"model.d_maxout_pieces={config.model.d_maxout_pieces}, "
                         f"model.arch={config.model.arch!r}")
    checks.choice("loss", config.loss, losses_lib.names())

    t = config.train
    for key in ("batch_size", "num_steps", "checkpoint_every", "log_every", "max_checkpoints"):
        checks.number(f"train.{key}", t[key], low=1, integer=True)
    # `GAN`'s options (n_disc, noise.nsr, clipping, consensus, EMA, lazy regularisation) are
    # its own check's, dry-run here with the config keys as names.
    options = gan_arguments(config)  # configures the penalty and the schedules
    steps.check_options(**{k: options[k] for k in GAN_KEYS}, keys=GAN_KEYS)
    if config.noise.nsr > 1 and t.batch_size % config.noise.nsr:
        raise ValueError(f"noise.nsr must divide train.batch_size. Received: "
                         f"noise.nsr={config.noise.nsr}, train.batch_size={t.batch_size}")
    checks.choice("train.optimizer", t.optimizer, OPTIMIZERS)
    if t.optimizer in optimizers_lib.JOINT:
        steps.check_joint(**{k: options[k] for k in ("n_disc", "consensus_gamma",
                                                       "penalty_every", "precision")},
                            keys=GAN_KEYS)
        for key in ("epsilon", "cg_tol"):
            _positive(f"train.{key}", t[key])
        checks.number("train.cg_atol", t.cg_atol, low=0)
        checks.number("train.cg_max_iter", t.cg_max_iter, low=1, integer=True)
    for key in ("d_learning_rate", "g_learning_rate"):
        _positive(f"train.{key}", t[key])
    for key in ("beta1", "beta2"):
        checks.number(f"train.{key}", t[key], low=0, high=1, high_open=True)

    e = config.eval
    checks.number("eval.num_samples", e.num_samples, low=1, integer=True)
    checks.number("eval.every", e.every, low=0, integer=True)
    checks.number("eval.samples_every", e.samples_every, low=0, integer=True)
    checks.number("eval.hq_num_std", e.hq_num_std, low=0, low_open=True)
    checks.number("eval.mode_min_fraction", e.mode_min_fraction, low=0, high=1,
                  note=" (0: one high-quality sample covers a mode)")
    image = data_lib.is_image(config.data.name)
    if e.best_metric:
        checks.choice("eval.best_metric", e.best_metric,
                      ("",) + tuple(scores.METRICS if image else lowdim.METRICS))
    if image and e.best_metric and not e.classifier:
        raise ValueError(f"eval.best_metric={e.best_metric!r} needs image scores: set "
                         f"eval.classifier to a SavedModel / TF-Hub directory (or `domain`).")
    if e.classifier == "domain":
        domain.check_data(config.data.name)
    return config


# The repository's `configs/` (a source checkout or an editable install; a built wheel does not
# ship it).
CONFIGS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "configs")


def from_file(spec, configs_dir=None):
    """The config of `spec`, "<file>.py[:<argument>]" as `--config=` takes it, with `<file>`
    relative to `configs/` (or absolute): how a claim or a tool reads a paper setup."""
    path, _, argument = spec.partition(":")
    full = path if os.path.isabs(path) else os.path.join(configs_dir or CONFIGS_DIR,
                                                         os.path.relpath(path, "configs")
                                                         if path.startswith("configs") else path)
    if not os.path.isfile(full):
        raise FileNotFoundError(
            f"No config file {full!r} for {spec!r}: the paper setups live in the repository's "
            f"configs/ directory (run from a source checkout, or pass configs_dir).")
    return config_files.load(full, argument)

