"""A run: its config turned into objects, its workdir and checkpoints, and samples from it.

The one API every tool uses to open a run: `build_gan(config)`, `make_dataset`,
`prepare_workdir` (refuses a workdir of a different config), `make_checkpoint`, the
checkpoints' names (`checkpoint_path`, `checkpoint_step`) and the readable ones
(`latest_readable_checkpoint`, `readable_checkpoints`: damaged ones skipped),
`load_run(workdir)`, and `generate` / `generate_batches` / `in_batches` for sampling and
scoring.
"""
import json
import os
import re
import sys

import keras
import ml_collections
import numpy as np
import tensorflow as tf

from tfgan_reg import config_lib
from tfgan_reg import data as data_lib
from tfgan_reg import gan as gan_lib
from tfgan_reg import nets
from tfgan_reg import optimizers as optimizers_lib
from tfgan_reg import precision
from tfgan_reg import rng

# Keys a resumed run may change: they do not alter the trajectory of the weights.
RESUMABLE_KEYS = ("train.num_steps", "train.checkpoint_every", "train.log_every",
                  "train.max_checkpoints", "train.jit_compile", "eval.", "data.data_dir",
                  "data.cache")


class IncompatibleWorkdir(ValueError):
    """Raised when a workdir holds checkpoints of a different config."""


class NoReadableCheckpoint(FileNotFoundError):
    """Raised when a workdir holds checkpoint files but none of them can be read."""


# ---- config -> objects ---------------------------------------------------------------------

def data_shape(config):
    return tuple(data_lib.shape(config.data.name, data_lib.family_params(config.data)))


def build_networks(config):
    """(generator, discriminator) of `config.model` for the data's sample shape, computing in
    `config.train.precision`."""
    with precision.policy_scope(config.train.precision):
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
                          data_dir=config.data.data_dir, cache=config.data.cache,
                          params=data_lib.family_params(config.data),
                          num_points=config.data.num_points)
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

    A key the old config lacks (it predates the key) counts as holding today's default, and an
    architecture's old name (`nets.RENAMED`) as its new one."""
    b = _flatten(new)
    a = _with_defaults(_flatten(old), b)
    for flat in (a, b):
        if "model.arch" in flat:
            flat["model.arch"] = nets.current_name(flat["model.arch"])
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
    # The files, not the state file: garbage in it must not let another config overwrite this one.
    if os.path.exists(path) and checkpoint_files(checkpoint_dir(workdir)):
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


# ---- checkpoints: found from their files, damaged ones skipped ------------------------------

# `tf.train.CheckpointManager`'s names: the prefix ckpt-N (N the step), and its files.
_CHECKPOINT_NAME = r"ckpt-(\d+)"
_CHECKPOINT_FILE = re.compile(rf"^{_CHECKPOINT_NAME}\.(index|data-\d+-of-\d+)$")


def checkpoint_path(directory, step):
    """The path prefix of the checkpoint of `step` in `directory`."""
    return os.path.join(directory, f"ckpt-{int(step)}")


def checkpoint_step(path):
    """The step of the checkpoint prefix `path` (.../ckpt-N), or None for None; `ValueError`
    for a path that is not a checkpoint's."""
    if path is None:
        return None
    match = re.fullmatch(_CHECKPOINT_NAME, os.path.basename(path))
    if match is None:
        raise ValueError(f"Not a checkpoint path (.../ckpt-N). Received: {path!r}")
    return int(match.group(1))


def checkpoint_files(directory):
    """{step: path prefix} of the checkpoints in `directory`: those with ckpt-N.index or
    .data-* files, and those the state file (`checkpoint`) lists, present or not (so that one
    whose files are gone is reported, not silently passed over)."""
    found = {}
    if tf.io.gfile.isdir(directory):
        for name in tf.io.gfile.listdir(directory):
            match = _CHECKPOINT_FILE.match(name)
            if match:
                found[int(match.group(1))] = checkpoint_path(directory, match.group(1))
    state = _checkpoint_state(directory)
    for path in (state.all_model_checkpoint_paths if state else []):
        match = re.fullmatch(_CHECKPOINT_NAME, os.path.basename(path))
        if match:
            found.setdefault(int(match.group(1)), checkpoint_path(directory, match.group(1)))
    return found


def _checkpoint_state(directory):
    """The parsed state file, or None when it is absent or unreadable (TensorFlow then returns
    None too, which made a resume silently start from step 0)."""
    try:
        return tf.train.get_checkpoint_state(directory)
    except (tf.errors.OpError, ValueError):
        return None


def _unreadable(prefix):
    """Why the checkpoint `prefix` cannot be restored (None when every tensor reads back: a
    truncated data file only fails when its tensors are read, and the reader checks their
    CRC32C)."""
    try:
        reader = tf.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
        return None
    except (tf.errors.OpError, IndexError, ValueError, OSError) as e:
        message = (str(e).strip().splitlines() or [type(e).__name__])[0]
        for pattern, reason in (("Read less bytes", "data file truncated"),
                                ("not an sstable", "index file corrupt"),
                                ("checksum", "data file corrupt")):
            if pattern.lower() in message.lower():
                return f"{reason}: {message}"
        if isinstance(e, tf.errors.NotFoundError) or "No such file" in message:
            return "files missing"
        return f"{type(e).__name__}: {message[:200]}"


def readable_checkpoints(directory):
    """{step: path prefix} of every checkpoint in `directory` that reads back whole, in step
    order; each damaged one is skipped with a one-line warning on stderr."""
    readable = {}
    for step, prefix in sorted(checkpoint_files(directory).items()):
        reason = _unreadable(prefix)
        if reason is None:
            readable[step] = prefix
        else:
            print(f"warning: skipping checkpoint {prefix} ({reason}).", file=sys.stderr)
    return readable


def latest_readable_checkpoint(directory):
    """Path prefix of the newest checkpoint in `directory` that reads back whole, or None when
    there is no checkpoint at all.

    Checkpoints are found from their files (`checkpoint_files`), so a garbled or stale state
    file does not hide them. Each damaged newer one (truncated or missing data file, corrupt
    index) is skipped with a one-line warning on stderr naming it and the one used instead.
    Raises `NoReadableCheckpoint` when checkpoints exist but none is readable.
    """
    state_path = os.path.join(directory, "checkpoint")
    if tf.io.gfile.exists(state_path) and _checkpoint_state(directory) is None:
        print(f"warning: the checkpoint state file {state_path} is unreadable; the checkpoints "
              f"are found from their files.", file=sys.stderr)
    skipped = []
    for step, prefix in sorted(checkpoint_files(directory).items(), reverse=True):
        reason = _unreadable(prefix)
        if reason is None:
            for bad, why in skipped:
                print(f"warning: skipping checkpoint {bad} ({why}); using {prefix} (step "
                      f"{step}) instead.", file=sys.stderr)
            return prefix
        skipped.append((prefix, reason))
    if skipped:
        listed = "; ".join(f"{os.path.basename(p)}: {why}" for p, why in skipped)
        raise NoReadableCheckpoint(
            f"No readable checkpoint in {directory!r} ({listed}). Delete that directory to "
            f"start over, or use a new --workdir.")
    return None


def point_state_at(directory, prefix):
    """Rewrites `directory`'s state file so `prefix` is the latest checkpoint and the older
    ones follow it, as `tf.train.CheckpointManager` expects (it then rotates them out under
    `max_to_keep` again), unless it names `prefix` already. For a resume from a checkpoint
    the state file did not name."""
    state = _checkpoint_state(directory)
    if state is not None and (os.path.abspath(state.model_checkpoint_path)
                              == os.path.abspath(prefix)):
        return
    step = checkpoint_step(prefix)
    paths = [p for s, p in sorted(checkpoint_files(directory).items()) if s < step] + [prefix]
    names = [os.path.basename(p) for p in paths]
    # The manager only rotates checkpoints with a timestamp (their index file's).
    stamps = [os.path.getmtime(p + ".index") if os.path.exists(p + ".index") else 1.0
              for p in paths]
    # The CheckpointState text proto, with relative names as the manager writes them (the
    # workdir may be moved); TensorFlow's own writer for it is deprecated.
    text = "".join([f'model_checkpoint_path: "{names[-1]}"\n']
                   + [f'all_model_checkpoint_paths: "{n}"\n' for n in names]
                   + [f'all_model_checkpoint_timestamps: {t!r}\n' for t in stamps])
    path = os.path.join(directory, "checkpoint")
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def load_config(workdir):
    """The config a workdir was trained with (keys it predates hold today's defaults)."""
    path = os.path.join(workdir, "config.json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{workdir!r} is not a tfgan_reg workdir: it has no "
                                f"config.json. Pass the --workdir of a train.py run.")
    with open(path) as f:
        return ml_collections.ConfigDict(_unflatten(_with_defaults(_flatten(json.load(f)))))


def load_run(workdir):
    """(config, GAN restored from the workdir's latest readable checkpoint) for evaluation and
    export; damaged newer ones are skipped with a warning (`latest_readable_checkpoint`)."""
    config = load_config(workdir)
    latest = latest_readable_checkpoint(checkpoint_dir(workdir))
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
        yield np.asarray(precision.float32(generator(z, training=False)))


def generate(model, n, seed, batch_size=4096):
    """`n` generator samples as one array (see `generate_batches`)."""
    return np.concatenate(list(generate_batches(model, n, seed, batch_size)), 0)


def in_batches(fn, x, batch_size=500):
    """`fn` (e.g. a discriminator) over `x` in batches, concatenated as float32 numpy (a
    mixed-precision network returns its compute dtype)."""
    return np.concatenate([np.asarray(tf.cast(fn(x[i:i + batch_size], training=False),
                                              tf.float32))
                           for i in range(0, len(x), batch_size)])
