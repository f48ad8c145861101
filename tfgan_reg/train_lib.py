"""`train_and_evaluate(config, workdir)`: the library behind `train.py`.

Validates the config, refuses a workdir holding a different run, builds the GAN under a
distribution strategy, trains with `fit` in chunks of `train.checkpoint_every` generator steps
(a checkpoint after each, resuming from the latest), logs TensorBoard scalars, shows a progress
bar, stops on non-finite losses keeping the last good checkpoint, and evaluates at the end.
"""
import json
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf

from tfgan_reg import config_lib
from tfgan_reg import gan as gan_lib
from tfgan_reg import optimizers as optimizers_lib
from tfgan_reg import rng
from tfgan_reg import schedules
from tfgan_reg import data as data_lib
from tfgan_reg.data import toy
from tfgan_reg import nets

# Keys a resumed run may change: they do not alter the trajectory of the weights.
RESUMABLE_KEYS = ("train.num_steps", "train.checkpoint_every", "train.log_every",
                  "train.max_checkpoints", "train.jit_compile", "eval.", "data.data_dir",
                  "data.cache")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")


class TrainingDiverged(FloatingPointError):
    """Raised when a loss becomes NaN or inf; the last good checkpoint is kept."""


class IncompatibleWorkdir(ValueError):
    """Raised when a workdir holds checkpoints of a different config."""


def make_strategy(name="default", tpu=""):
    """A `tf.distribute` strategy by name. `default` mirrors over the GPUs when more than one is
    visible and is the no-op strategy otherwise; `multi_worker` reads the cluster from
    `TF_CONFIG`; `tpu` connects to `tpu` (a name or grpc:// address; "" for the local TPU)."""
    if name == "default":
        if len(tf.config.list_physical_devices("GPU")) > 1:
            return tf.distribute.MirroredStrategy()
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise ValueError("strategy='multi_worker' needs the cluster in the TF_CONFIG "
                             "environment variable ({\"cluster\": {\"worker\": [\"host:port\", "
                             "...]}, \"task\": {\"type\": \"worker\", \"index\": i}}).")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, tf.errors.OpError) as e:
            raise ValueError(f"strategy='tpu' found no TPU (tpu={tpu!r}): {e}. Pass --tpu with "
                             f"the TPU's name or grpc:// address.") from e
        return tf.distribute.TPUStrategy(resolver)
    raise ValueError(f"`strategy` must be one of {list(STRATEGIES)}. Received: strategy={name!r}")


def is_multi_worker(strategy):
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def is_chief(strategy):
    """Whether this process writes the workdir (every process but the non-chief workers)."""
    if not is_multi_worker(strategy):
        return True
    resolver = strategy.cluster_resolver
    task_type, task_id = resolver.task_type, resolver.task_id
    return task_type in (None, "chief") or (task_type == "worker" and task_id == 0
                                             and "chief" not in resolver.cluster_spec().jobs)


# ---- building ---------------------------------------------------------------------------------

def data_shape(config):
    return tuple(data_lib.shape(config.data.name))


def build_networks(config):
    """(generator, discriminator) of `config.model` for the data's sample shape."""
    generator, discriminator = nets.build(config.model.arch, config.model, data_shape(config),
                                          config.seed)
    return generator, discriminator


def _schedule(value, block, total_steps):
    return schedules.make(value, block.get("schedule", "constant"),
                          alpha=block.get("alpha", 0.01), total_steps=total_steps)


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
    total = config.train.num_steps
    penalties = {}
    if config.penalty.name != "none":
        kwargs = config_lib.penalty_kwargs(config.penalty)
        keyword = gan_lib.penalties_lib.WEIGHT_KEYWORD[config.penalty.name]
        if keyword in kwargs:
            kwargs[keyword] = _schedule(kwargs[keyword], config.penalty, total)
        penalties[config.penalty.name] = kwargs
    noise = (_schedule(config.noise.sigma, config.noise, total)
             if config.noise.sigma > 0 else 0.0)
    model = gan_lib.GAN(
        generator, discriminator, latent_dim=config.model.latent_dim, loss=config.loss,
        generator_loss=config.generator_loss, penalties=penalties, scheme=config.train.scheme,
        n_disc=config.train.n_disc, seed=config.seed, noise_sigma=noise,
        noise_nsr=config.noise.nsr, clip_value=config.clip_value or None,
        consensus_gamma=config.consensus_gamma or None,
        ema_decay=float(config.train.ema_decay) or None,
        penalty_every=config.train.penalty_every)
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
    discriminator(tf.zeros((1,) + tuple(data_shape(config))))
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


def prepare_workdir(config, workdir):
    """Creates `workdir`, refusing one whose checkpoints come from a different config."""
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "config.json")
    current = json.loads(config.to_json())
    if os.path.exists(path) and tf.train.latest_checkpoint(_ckpt_dir(workdir)):
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


def _ckpt_dir(workdir):
    return os.path.join(workdir, "checkpoints")


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


# ---- callbacks --------------------------------------------------------------------------------

class _Monitor(keras.callbacks.Callback):
    """Progress bar, TensorBoard scalars every `log_every` steps, and the non-finite guard."""

    def __init__(self, step0, num_steps, log_every, writer, verbose, batch_size=None,
                 unit="samples"):
        super().__init__()
        self.step = self.step0 = step0
        self.batch_size, self.rate_name = batch_size, f"{unit}/s"
        self._clock = None  # (time, step) at the previous log
        self.log_every = log_every
        self.writer = writer
        self.bad = None
        self.num_steps = num_steps
        self.verbose = verbose
        self.progbar = None
        self._last = {}

    def on_train_begin(self, logs=None):
        self._clock = None  # time the steps only, not checkpoints and pictures between fits

    def on_train_batch_end(self, batch, logs=None):
        failed_step = self.step  # the 0-based index of the step just run
        self.step += 1
        logs = {k: float(np.reshape(v, [-1])[0]) for k, v in (logs or {}).items()}
        bad = {k: v for k, v in logs.items() if not math.isfinite(v)}
        if bad:
            self.bad = (failed_step, bad)
            self.model.stop_training = True
            return
        self._last = logs
        now = time.perf_counter()
        if self._clock is None:
            self._clock = (now, self.step)  # the first step includes tracing: not timed
        if self.step % self.log_every == 0:
            then, step_then = self._clock
            if self.batch_size and self.step > step_then and now > then:
                # Real samples the training step consumes per second (one global batch a step).
                logs[self.rate_name] = self.batch_size * (self.step - step_then) / (now - then)
            self._clock = (now, self.step)
            with self.writer.as_default(step=self.step):
                for name, value in logs.items():
                    tf.summary.scalar(name.replace("/s", "_per_sec"), value)
            if self.verbose:
                if self.progbar is None:  # the logs are already means: show them as they are
                    self.progbar = keras.utils.Progbar(
                        self.num_steps - self.step0,
                        stateful_metrics=["step", self.rate_name] + list(logs))
                self.progbar.update(self.step - self.step0,
                                    [("step", self.step)] + list(logs.items()))
            # Trackers then report the mean over the next `log_every` steps.
            self.model.reset_metrics()


# ---- evaluation -------------------------------------------------------------------------------

def generate_batches(model, n, seed, batch_size=4096):
    """Yields `n` generator samples in batches (numpy), from stateless latents keyed by `seed`
    and the batch's first index; the moving-average generator when the run keeps one."""
    generator = model.ema_generator()
    for start in range(0, n, batch_size):
        k = min(batch_size, n - start)
        z = rng.stateless_normal([k, model.latent_dim], rng.fold(rng.as_seed(seed), start))
        yield np.asarray(generator(z, training=False))


def in_batches(fn, x, batch_size=500):
    """`fn` (e.g. a discriminator) over `x` in batches, concatenated as numpy."""
    return np.concatenate([np.asarray(fn(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])


def generate(model, n, seed, batch_size=4096):
    """`n` generator samples as one array (see `generate_batches`)."""
    return np.concatenate(list(generate_batches(model, n, seed, batch_size)), 0)


def evaluate(config, model, workdir=None, *, tag="final"):
    """Low-dimensional metrics of the current generator; writes its pictures to `workdir`."""
    from tfgan_reg.eval import lowdim, plots
    n, seed = config.eval.num_samples, config.eval.seed
    if data_lib.is_image(config.data.name):
        # Image scores (IS/FID/KID) are `tfgan_reg.eval`'s; here, a grid of samples.
        metrics = {}
        if workdir is not None:
            metrics["picture"] = plots.image_grid_png(
                os.path.join(workdir, f"samples_{tag}.png"), generate(model, 64, seed))
        return metrics
    fake = generate(model, n, seed)
    real = np.asarray(toy.sample(config.data.name, n, seed + 1))
    source = toy.get(config.data.name)
    centres = getattr(source, "centres", None)
    std = getattr(source, "std", None)
    metrics = lowdim.summary(fake, real, centres=centres, std=std)
    metrics = {k: v for k, v in metrics.items() if k != "counts"}
    if workdir is not None:
        title = f"{config.data.name}, {config.penalty.name}, step {model.step}"
        metrics["picture"] = plots.scatter_png(
            os.path.join(workdir, f"samples_{tag}.png"), fake, real, title=title,
            centres=centres)
        if fake.shape[1] == 2:
            metrics["kde"] = plots.kde_png(os.path.join(workdir, f"kde_{tag}.png"), fake,
                                           title=title)
            # D(x) = sigmoid(logit) over the plane with the data and the samples.
            d = model.discriminator
            metrics["value_surface"] = plots.value_surface_png(
                os.path.join(workdir, f"value_{tag}.png"),
                lambda p: np.asarray(tf.sigmoid(d(p, training=False)))[:, 0],
                real[:500], fake[:500], title=title)
    return metrics


def summary_line(config, step, metrics):
    parts = [f"{config.data.name} / {config.loss} / penalty {config.penalty.name}",
             f"step {step}"]
    if "modes" in metrics:
        parts.append(f"modes covered {metrics['modes']}/{metrics['num_modes']}")
        parts.append(f"high-quality {100 * metrics['hq_fraction']:.1f}%")
    if "w1" in metrics:
        parts.append(f"W1 {metrics['w1']:.4f} ({config.eval.num_samples} samples, exact OT)")
    return ", ".join(parts)


# ---- the loop ---------------------------------------------------------------------------------

def train_and_evaluate(config, workdir, *, strategy=None, verbose=True):
    """Trains (or resumes) the run of `config` in `workdir`; returns its final metrics.

    Under `MultiWorkerMirroredStrategy` every worker trains and saves checkpoints (collectively);
    only the chief writes the workdir: the other workers keep theirs in a scratch directory
    that is removed at the end, and skip pictures and evaluation (they return {}).
    """
    config_lib.validate(config)
    strategy = strategy or tf.distribute.get_strategy()
    chief = is_chief(strategy)
    if chief:
        prepare_workdir(config, workdir)
    t = config.train
    with strategy.scope():
        model = build_gan(config)
    checkpoint = make_checkpoint(model)
    scratch = None if chief else os.path.join(
        workdir, f".worker{strategy.cluster_resolver.task_id}")
    manager = tf.train.CheckpointManager(checkpoint, _ckpt_dir(scratch or workdir),
                                         max_to_keep=t.max_checkpoints)
    latest = tf.train.latest_checkpoint(_ckpt_dir(workdir))
    if latest:
        checkpoint.restore(latest).assert_existing_objects_matched()
        if verbose and chief:
            print(f"Resumed from {latest} (step {model.step}).")
    writer = (tf.summary.create_file_writer(os.path.join(workdir, "tensorboard")) if chief
              else tf.summary.create_noop_writer())
    step = model.step
    image = data_lib.is_image(config.data.name)
    monitor = _Monitor(step, t.num_steps, t.log_every, writer, verbose and chief,
                       batch_size=t.batch_size * t.n_disc, unit="images" if image else "samples")
    started = time.time()
    periodic = PeriodicEval(config, model, workdir, writer, step) if chief else None
    every = config.eval.every if chief else 0
    pictures = config.eval.samples_every if chief else 0
    while step < t.num_steps:
        chunk = min(t.checkpoint_every - step % t.checkpoint_every, t.num_steps - step)
        for period in (config.eval.every, config.eval.samples_every):
            if period:  # every worker stops at the same steps
                chunk = min(chunk, period - step % period)
        model.fit(make_dataset(config, start_step=step, num_steps=chunk), epochs=1,
                  steps_per_epoch=chunk, verbose=0, callbacks=[monitor])
        if monitor.bad is not None:
            bad_step, values = monitor.bad
            last = tf.train.latest_checkpoint(_ckpt_dir(workdir)) \
                or "none (no checkpoint was written yet)"
            raise TrainingDiverged(
                f"Losses became non-finite at generator step {bad_step} ({values}); training "
                f"stopped. The last good checkpoint is kept: {last}.")
        step = model.step
        if step % t.checkpoint_every == 0 or step == t.num_steps:
            manager.save(checkpoint_number=step)
        if every and step % every == 0:
            periodic(step)
        if pictures and step % pictures == 0:
            sample_pictures(config, model, workdir, writer, step)
        writer.flush()
    if not chief:
        import shutil
        shutil.rmtree(scratch, ignore_errors=True)
        return {}
    metrics = evaluate(config, model, workdir)
    metrics["step"] = step
    metrics["seconds"] = round(time.time() - started, 1)
    with open(os.path.join(workdir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, default=float)
    with writer.as_default(step=step):
        for key in ("w1", "modes", "hq_fraction"):
            if key in metrics:
                tf.summary.scalar(f"eval/{key}", float(metrics[key]))
    writer.flush()
    if verbose:
        print(summary_line(config, step, metrics))
        for key in ("picture", "kde"):
            if key in metrics:
                print(f"  {key}: {metrics[key]}")
    return metrics


# ---- evaluation during training ----------------------------------------------------------------

def sample_pictures(config, model, workdir, writer, step, n=64):
    """`samples/step_NNNNNNN.png` (an image grid, or a scatter of low-dimensional samples) from
    fixed latents, and for images the same grid in TensorBoard (`samples`)."""
    from tfgan_reg.eval import plots
    path = os.path.join(workdir, "samples", f"step_{step:07d}.png")
    fake = generate(model, n if data_lib.is_image(config.data.name) else 1000,
                    config.eval.seed)
    if not data_lib.is_image(config.data.name):
        return plots.scatter_png(path, fake, title=f"{config.data.name}, step {step}")
    grid = plots.image_grid(fake)
    with writer.as_default(step=step):
        tf.summary.image("samples", grid[None], step=step)
    return plots.image_grid_png(path, fake)


class PeriodicEval:
    """Every `eval.every` steps: the configured metrics to TensorBoard (`eval/*`) and
    `eval.csv`, and the best checkpoint by `eval.best_metric` kept in `best/`.

    On resume, rows of `eval.csv` after the restored step (written before an interruption) are
    dropped, so every step appears once.
    """

    def __init__(self, config, model, workdir, writer, step):
        self.config, self.model, self.workdir, self.writer = config, model, workdir, writer
        self.csv = os.path.join(workdir, "eval.csv")
        self.best_path = os.path.join(workdir, "best", "best.json")
        metric = config.eval.best_metric
        image = data_lib.is_image(config.data.name)
        self.larger_is_better = (config_lib.IMAGE_METRICS if image
                                 else config_lib.TOY_METRICS).get(metric)
        self.best_manager = None
        if metric:
            self.best_manager = tf.train.CheckpointManager(
                make_checkpoint(model, optimizers=False), os.path.join(workdir, "best"),
                max_to_keep=1)
        self._classifier = self._real_pool = None
        if os.path.exists(self.csv):
            with open(self.csv) as f:
                lines = f.read().splitlines()
            kept = lines[:1] + [ln for ln in lines[1:] if int(ln.split(",")[0]) <= step]
            with open(self.csv, "w") as f:
                f.write("\n".join(kept) + ("\n" if kept else ""))

    def metrics(self):
        config = self.config
        if not data_lib.is_image(config.data.name):
            out = evaluate(config, self.model, None)
            return {k: float(out[k]) for k in ("w1", "modes", "hq_fraction") if k in out}
        if not config.eval.classifier:
            return {}
        from tfgan_reg.eval import classifier as classifier_lib
        from tfgan_reg.eval import scores
        if self._classifier is None:
            self._classifier = classifier_lib.resolve(
                config.eval.classifier, data_name=config.data.name,
                data_dir=config.data.data_dir)
        if self._real_pool is None:  # the real side does not change during a run
            self._real_pool = classifier_lib.real_activations(
                self._classifier, config.data.name, data_dir=config.data.data_dir,
                num_samples=config.eval.num_samples, seed=config.eval.seed,
                cache_dir=os.path.join(self.workdir, "cache"))
        fake = generate_batches(self.model, config.eval.num_samples, config.eval.seed,
                                batch_size=250)
        out = scores.image_scores(self._classifier, fake, self._real_pool)
        return {k: out[k] for k in ("is", "fid", "kid")}

    def __call__(self, step):
        values = self.metrics()
        if not values:
            return
        keys = sorted(values)
        new = not os.path.exists(self.csv)
        with open(self.csv, "a") as f:
            if new:
                f.write(",".join(["step"] + keys) + "\n")
            f.write(",".join([str(step)] + [f"{values[k]:.6g}" for k in keys]) + "\n")
        with self.writer.as_default(step=step):
            for k in keys:
                tf.summary.scalar(f"eval/{k}", values[k])
        metric = self.config.eval.best_metric
        if self.best_manager is None or metric not in values:
            return
        best = None
        if os.path.exists(self.best_path):
            with open(self.best_path) as f:
                best = json.load(f)
        value = values[metric]
        better = best is None or (value > best["value"] if self.larger_is_better
                                  else value < best["value"])
        if better:
            self.best_manager.save(checkpoint_number=step)
            tmp = self.best_path + ".tmp"
            with open(tmp, "w") as f:
                json.dump({"metric": metric, "value": value, "step": step}, f)
            os.replace(tmp, self.best_path)


# ---- reuse of a finished or running workdir ----------------------------------------------------

def load_run(workdir):
    """(config, GAN restored from the workdir's latest checkpoint) for evaluation and export."""
    import ml_collections
    path = os.path.join(workdir, "config.json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{workdir!r} is not a tfgan_reg workdir: it has no "
                                f"config.json. Pass the --workdir of a train.py run.")
    with open(path) as f:
        config = ml_collections.ConfigDict(_unflatten(_with_defaults(_flatten(json.load(f)))))
    latest = tf.train.latest_checkpoint(_ckpt_dir(workdir))
    if latest is None:
        raise FileNotFoundError(f"{workdir!r} has no checkpoint yet (looked in "
                                f"{_ckpt_dir(workdir)!r}).")
    model = build_gan(config)
    make_checkpoint(model).restore(latest).expect_partial()
    return config, model
