"""A run: its config turned into objects, its workdir and checkpoints, and samples from it.

The one API every tool uses to open a run: `build_gan(config)`, `make_dataset`,
`prepare_workdir` (refuses a workdir of a different config), `make_checkpoint`,
`load_run(workdir)`, and `generate` / `generate_batches` / `in_batches` for sampling and scoring.
"""
import json
import os

import keras
import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_reg import config_lib
from tfgan_reg import data as data_lib
from tfgan_reg import gan as gan_lib
from tfgan_reg import nets
from tfgan_reg import optimizers as optimizers_lib
from tfgan_reg import rng

# Keys a resumed run may change: they do not alter the trajectory of the weights.
RESUMABLE_KEYS = ("train.num_steps", "train.checkpoint_every", "train.log_every",
                  "train.max_checkpoints", "train.jit_compile", "eval.", "data.data_dir",
                  "data.cache")


class IncompatibleWorkdir(ValueError):
    """Raised when a workdir holds checkpoints of a different config."""


# ---- config -> objects ---------------------------------------------------------------------

def data_shape(config):
    return tuple(data_lib.shape(config.data.name))


def build_networks(config):
    """(generator, discriminator) of `config.model` for the data's sample shape."""
    return nets.build(config.model.arch, config.model, data_shape(config), config.seed)


def _optimizer(config, learning_rate):
    t = config.train
    if t.optimizer == "adam":
        return keras.optimizers.Adam(learning_rate, beta_1=t.beta1, beta_2=t.beta2)
    if t.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate)
    return keras.optimizers.SGD(learning_rate)


def build_gan(config):
    """The compiled `tfgan_reg.GAN` of `config`, its variables and optimiser slots created."""
    generator, discriminator = build_networks(config)
    model = gan_lib.GAN(generator, discriminator, **config_lib.gan_arguments(config))
    t = config.train
    if t.optimizer in optimizers_lib.JOINT:
        # One joint step: the generator is the min player, the discriminator the max player.
        kwargs = dict(tol=t.cg_tol, atol=t.cg_atol, max_iter=t.cg_max_iter)
        if t.optimizer == "acgd":
            kwargs.update(beta2=t.beta2, epsilon=t.epsilon)
        joint = optimizers_lib.JOINT[t.optimizer](
            (t.g_learning_rate, t.d_learning_rate), **kwargs)
        model.compile(joint_optimizer=joint, jit_compile=bool(t.jit_compile))
    else:
        model.compile(d_optimizer=_optimizer(config, t.d_learning_rate),
                      g_optimizer=_optimizer(config, t.g_learning_rate),
                      jit_compile=bool(t.jit_compile))
    # Under a strategy, variables and optimiser slots must exist before `fit`.
    generator(tf.zeros([1, config.model.latent_dim]))
    discriminator(tf.zeros((1,) + data_shape(config)))
    model.build_optimizers()
    return model


def make_dataset(config, *, start_step, num_steps):
    """Real batches for generator steps [start_step, start_step + num_steps)."""
    t = config.train
    ds = data_lib.dataset(config.data.name, batch_size=t.batch_size * t.n_disc,
                          seed=config.seed, start_step=start_step, num_steps=num_steps,
                          data_dir=config.data.data_dir, cache=config.data.cache)
    if t.n_disc > 1:
        shape = list(data_shape(config))
        perm = [1, 0] + list(range(2, 2 + len(shape)))
        ds = ds.map(lambda x: tf.transpose(
            tf.reshape(x, [t.n_disc, t.batch_size] + shape), perm))
    # Elements are global batches; tf.distribute splits each into per-replica slices in
    # replica order (across workers too), matching the draws' global sample indices.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = \
        tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options)


# ---- the workdir ------------------------------------------------------------------------------

def _flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _unflatten(flat):
    out = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def _with_defaults(flat, keys=None):
    """`flat` (a flattened config dict of a workdir) with the keys it lacks (it predates them)
    set to today's defaults: those of `keys`, or all but the penalty's (they depend on it)."""
    defaults = _flatten(json.loads(config_lib.base_config().to_json()))
    if keys is None:
        keys = [k for k in defaults if not k.startswith("penalty.")]
    return dict(flat, **{k: defaults[k] for k in keys if k not in flat and k in defaults})


def config_differences(old, new):
    """Keys (flattened) whose values differ between two config dicts, ignoring resumable ones.

    A key the old config lacks (it predates the key) counts as holding today's default."""
    b = _flatten(new)
    a = _with_defaults(_flatten(old), b)
    keys = sorted(set(a) | set(b))
    return [(k, a.get(k, "<absent>"), b.get(k, "<absent>")) for k in keys
            if a.get(k, "<absent>") != b.get(k, "<absent>")
            and not any(k == r or (r.endswith(".") and k.startswith(r))
                        for r in RESUMABLE_KEYS)]


def checkpoint_dir(workdir):
    return os.path.join(workdir, "checkpoints")


def prepare_workdir(config, workdir):
    """Creates `workdir`, refusing one whose checkpoints come from a different config."""
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "config.json")
    current = json.loads(config.to_json())
    if os.path.exists(path) and tf.train.latest_checkpoint(checkpoint_dir(workdir)):
        with open(path) as f:
            previous = json.load(f)
        diffs = config_differences(previous, current)
        if diffs:
            listed = ", ".join(f"{k}: {a!r} -> {b!r}" for k, a, b in diffs)
            raise IncompatibleWorkdir(
                f"Workdir {workdir!r} holds checkpoints of a different config ({listed}). "
                f"Use a new --workdir, or delete that one to start over.")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(current, f, indent=2, sort_keys=True)
    os.replace(tmp, path)


def make_checkpoint(model, *, optimizers=True):
    """Networks, step and EMA of a GAN, and its optimisers unless `optimizers=False` (for a
    checkpoint meant for sampling, such as the best one)."""
    if not optimizers:
        optimizers = {}
    elif model.joint_optimizer is not None:
        optimizers = dict(joint_optimizer=model.joint_optimizer)
    else:
        optimizers = dict(d_optimizer=model.d_optimizer, g_optimizer=model.g_optimizer)
    if model.ema_weights is not None:
        optimizers["generator_ema"] = {f"w{i}": w for i, w in enumerate(model.ema_weights)}
    return tf.train.Checkpoint(generator=model.generator, discriminator=model.discriminator,
                               step=model.step_counter, **optimizers)


def load_config(workdir):
    """The config a workdir was trained with (keys it predates hold today's defaults)."""
    path = os.path.join(workdir, "config.json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{workdir!r} is not a tfgan_reg workdir: it has no "
                                f"config.json. Pass the --workdir of a train.py run.")
    with open(path) as f:
        return ml_collections.ConfigDict(_unflatten(_with_defaults(_flatten(json.load(f)))))


def load_run(workdir):
    """(config, GAN restored from the workdir's latest checkpoint) for evaluation and export."""
    config = load_config(workdir)
    latest = tf.train.latest_checkpoint(checkpoint_dir(workdir))
    if latest is None:
        raise FileNotFoundError(f"{workdir!r} has no checkpoint yet (looked in "
                                f"{checkpoint_dir(workdir)!r}).")
    model = build_gan(config)
    make_checkpoint(model).restore(latest).expect_partial()
    return config, model


# ---- samples ----------------------------------------------------------------------------------

def generate_batches(model, n, seed, batch_size=4096):
    """Yields `n` generator samples in batches (numpy), from stateless latents keyed by `seed`
    and the batch's first index; the moving-average generator when the run keeps one."""
    generator = model.ema_generator()
    for start in range(0, n, batch_size):
        k = min(batch_size, n - start)
        z = rng.stateless_normal([k, model.latent_dim], rng.fold(rng.as_seed(seed), start))
        yield np.asarray(generator(z, training=False))


def generate(model, n, seed, batch_size=4096):
    """`n` generator samples as one array (see `generate_batches`)."""
    return np.concatenate(list(generate_batches(model, n, seed, batch_size)), 0)


def in_batches(fn, x, batch_size=500):
    """`fn` (e.g. a discriminator) over `x` in batches, concatenated as numpy."""
    return np.concatenate([np.asarray(fn(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])
