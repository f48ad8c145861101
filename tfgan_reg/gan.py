"""`GAN`: a Keras model whose `train_step` plays one generator iteration of a regularised GAN.

One element of the training data holds the real samples of one generator iteration: a batch
`[B, ...]` when `n_disc == 1`, and `[B, n_disc, ...]` (discriminator batch `i` is `x[:, i]`)
otherwise, so that a distribution strategy splitting the batch axis gives every replica its
rows of every discriminator batch. The step kinds and their terms live in `tfgan_reg.steps`;
this module is the Keras plumbing around them.

`GAN` is a full Keras citizen: `get_config` / `from_config` hold both players, the loss and
penalties by name and their schedules; `save("x.keras")` / `keras.models.load_model` and
`save_weights` / `load_weights` carry the step counter (which keys every draw), both
optimisers' state and the EMA weights, so a reloaded model continues exactly. Keras's
callbacks therefore work: `ModelCheckpoint`, and `BackupAndRestore` with its default
`save_freq="epoch"` (Keras restarts an interrupted epoch from its first batch, so a mid-epoch
backup, `save_freq=N`, replays batches on weights that already saw them).
`TerminateOnNaN` reads a `loss` key a GAN's logs lack: `TerminateOnNonFinite` checks every
term. A joint CGD / ACGD optimiser is a `tf.Module` Keras files cannot hold: such a GAN saves
with `tfgan_reg.runs.make_checkpoint` (a `tf.train.Checkpoint`, what `train.py` uses).
"""
import math

import keras
import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg import losses as losses_lib
from tfgan_reg import optimizers as optimizers_lib
from tfgan_reg import penalties as penalties_lib
from tfgan_reg import precision as precision_lib
from tfgan_reg import rng
from tfgan_reg import steps


class _Unsaved:
    """Holds an object out of Keras's sight (saving walks a model's attributes): the EMA
    sampler, whose weights are copies of `ema_weights`, saved already."""

    def __init__(self, value=None):
        self.value = value


def _serialize_schedule(value, what):
    """A number, or a Keras schedule as its serialised config; `ValueError` otherwise."""
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return keras.saving.serialize_keras_object(value)
    raise ValueError(f"`{what}` must be a number or a registered Keras LearningRateSchedule "
                     f"(e.g. tfgan_reg.schedules.make) for the GAN to be saved. "
                     f"Received: {what}={value!r}")


def _deserialize_schedule(value):
    return keras.saving.deserialize_keras_object(value) if isinstance(value, dict) else value


def keras_file_error(joint_optimizer):
    """The error for a Keras file of a GAN trained by a joint optimiser (a `tf.Module`)."""
    return ValueError(
        f"A GAN compiled with joint_optimizer={type(joint_optimizer).__name__} cannot be saved "
        f"in a Keras file (.keras / .weights.h5): the competitive optimisers are tf.Modules "
        f"whose state (RMSProp moments, CG warm start) Keras's saving does not walk, so a "
        f"reloaded model would not continue exactly. Save it with a tf.train.Checkpoint: "
        f"`tfgan_reg.runs.make_checkpoint(gan).save(path)` and `.restore(path)` (what train.py "
        f"does).")


@keras.saving.register_keras_serializable(package="tfgan_reg")
class GAN(keras.Model):
    """A generator and a discriminator trained as a regularised two-player game.

    Args:
      generator: a Keras model mapping latents [B, latent_dim] to samples.
      discriminator: a Keras model mapping samples to raw logits [B, 1].
      latent_dim: size of the N(0, I) latent vector.
      loss: a name from `tfgan_reg.losses.names()` or a `Loss`.
      generator_loss: "default", or "alternative" (f-GANs: `-E_Q[T(x~)]`).
      penalties: {penalty name: {keyword: value}} (see `penalties.configure`: the weight
        keyword, `lam` or `gamma`, may be a float or a schedule, a callable of the step), or
        a list of configured `penalties.Penalty`.
      scheme: "alternating" (n_disc D steps, then a G step) or "simultaneous" (n_disc - 1 D
        steps, then both players' gradients at one point, applied together).
      n_disc: discriminator steps per generator step.
      seed: the integer every random draw derives from.
      noise_sigma: instance-noise standard deviation, a float or a schedule; 0 for none.
      noise_nsr: Roth's noise-to-signal ratio (samples per noise draw group); 1 for plain noise.
      clip_value: clip D's weights to [-c, c] after each D update (original WGAN); None: off.
      consensus_gamma: ConOpt's weight (simultaneous scheme only); None: off.
      ema_decay: keep an exponential moving average `d * ema + (1 - d) * w` of the generator's
        weights after every generator step (used by `ema_generator()` for sampling and
        export); None: off.
      penalty_every: lazy regularisation (Karras et al. 2020, StyleGAN2 sec. 3.1): the
        penalties enter only every k-th discriminator step, with k times their weight (their
        expected gradient unchanged); 1: every step. Penalty metrics average the steps that
        applied them (as added, k times the weight). See `steps.discriminator_step`.
      precision: "float32", "mixed_bfloat16" or "mixed_float16" (`tfgan_reg.precision`): the
        dtype policy both networks were built under (`precision.policy_scope`); samples,
        logits, losses and penalty norms are float32, and under float16 both optimisers are
        wrapped in Keras's `LossScaleOptimizer` and the penalties' input gradients scaled by
        the discriminator's dynamic loss scale. CGD / ACGD need float32.

    A discriminator with batch normalisation trained with a per-sample gradient penalty gets
    a `UserWarning` (see `penalties.check_discriminator`): batch statistics couple the samples
    the penalty treats as independent. A low precision that this CPU emulates (no GPU, and no
    bfloat16 / float16 instructions) gets one per process (`precision.warn_if_emulated`).

    Keras API: `fit` trains (one element = one generator iteration, see the module
    docstring), `evaluate(real)` reports the terms on held-out batches (`test_step`),
    `predict(latents)` samples the moving-average generator when `ema_decay` is set, else the
    generator (`gan(z)` calls the trained generator).
    """

    def __init__(self, generator, discriminator, *, latent_dim, loss="non_saturating",
                 generator_loss="default", penalties=None, scheme="alternating", n_disc=1,
                 seed=0, noise_sigma=0.0, noise_nsr=1, clip_value=None, consensus_gamma=None,
                 ema_decay=None, penalty_every=1, precision="float32", **kwargs):
        super().__init__(**kwargs)
        steps.check_options(loss=loss, generator_loss=generator_loss, scheme=scheme,
                            n_disc=n_disc, noise_nsr=noise_nsr, clip_value=clip_value,
                            consensus_gamma=consensus_gamma, ema_decay=ema_decay,
                            penalty_every=penalty_every, precision=precision)
        precision_lib.check_models(precision, generator=generator, discriminator=discriminator)
        precision_lib.warn_if_emulated(precision)
        self.precision = precision
        self.penalty_every = penalty_every
        self.ema_decay = ema_decay
        self.ema_weights = None
        self._ema_model = _Unsaved()
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.loss_fn = losses_lib.get(loss)
        self.generator_loss = generator_loss
        penalties = [
            p if isinstance(p, penalties_lib.Penalty)
            else penalties_lib.configure(p, loss=self.loss_fn, **(kw or {}))
            for p, kw in (penalties.items() if isinstance(penalties, dict)
                          else [(p, None) for p in penalties or ()])]
        penalties_lib.check_discriminator(discriminator, [p.name for p in penalties])
        # The players and their terms, which the step kinds take (out of Keras's sight).
        self.game = steps.Game(
            generator, discriminator, latent_dim=self.latent_dim, loss=self.loss_fn,
            generator_loss=(self.loss_fn.generator_alternative if generator_loss == "alternative"
                            else self.loss_fn.generator),
            penalties=penalties, noise_sigma=noise_sigma, noise_nsr=noise_nsr)
        self.scheme = scheme
        self.n_disc = n_disc
        self.seed = int(seed)
        self._noise_sigma = noise_sigma
        self.noise_nsr = noise_nsr
        self.clip_value = clip_value
        self.consensus_gamma = consensus_gamma
        self.d_optimizer = self.g_optimizer = self.joint_optimizer = None  # set by `compile`
        # True: `train_step` updates only the discriminator (n_disc steps against the fixed
        # generator), as in the over-training experiments of the ICR paper (figure 4).
        self.freeze_generator = False
        # Generator iterations done; keys every random draw and every schedule.
        self.step_counter = keras.Variable(0, dtype="int64", trainable=False,
                                           aggregation="only_first_replica", name="gan_step")
        # Batches done by the current `evaluate`; keys its draws. A tf.Variable, so that
        # Keras neither saves it nor lists it in `weights`.
        self._eval_batch = tf.Variable(0, dtype=tf.int64, trainable=False, name="eval_batch",
                                       aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
        self._trackers = {name: keras.metrics.Mean(name=name) for name in self._term_names()}
        # The players are built models: `fit` must not build the GAN by calling it on data.
        self.built = True

    @property
    def step(self):
        """Generator steps done, as a Python int (under any strategy)."""
        return int(self.step_counter.value.read_value())

    def build(self, input_shape=None):
        self.built = True

    # ---- configuration and saving ------------------------------------------------------------

    def get_config(self):
        """Every constructor argument: the players as nested Keras objects, the loss and
        penalties by name, weights and noise as numbers or serialised Keras schedules."""
        checks.choice("loss", self.loss_fn.name, losses_lib.names(),
                      note=" (only a registered loss can be saved)")
        return {
            "name": self.name, "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim, "loss": self.loss_fn.name,
            "generator_loss": self.generator_loss,
            "penalties": {p.name: p.get_config() for p in self.game.penalties},
            "scheme": self.scheme, "n_disc": self.n_disc, "seed": self.seed,
            "noise_sigma": (_serialize_schedule(self._noise_sigma, "noise_sigma")
                            if self.game.noise_on else 0.0),
            "noise_nsr": self.noise_nsr, "clip_value": self.clip_value,
            "consensus_gamma": self.consensus_gamma, "ema_decay": self.ema_decay,
            "penalty_every": self.penalty_every, "precision": self.precision,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        players = {key: keras.saving.deserialize_keras_object(config.pop(key))
                   for key in ("generator", "discriminator")}
        penalties = [penalties_lib.Penalty.from_config(name, kwargs, loss=config["loss"])
                     for name, kwargs in config.pop("penalties").items()]
        config["noise_sigma"] = _deserialize_schedule(config["noise_sigma"])
        model = cls(**players, penalties=penalties, **config)
        model.build_ema()  # the variables a loaded file fills
        return model

    def _term_names(self):
        names = ["d_loss", "g_loss"] + [p.name for p in self.game.penalties]
        if self.consensus_gamma is not None:
            names.append("consensus")
        return names + ["cg_iterations", "cg_residual"]

    @property
    def metrics(self):
        return list(self._trackers.values())

    def compile(self, d_optimizer=None, g_optimizer=None, *, joint_optimizer=None, **kwargs):
        """Sets both players' optimisers (separate learning rates give TTUR), or one
        `joint_optimizer` (`tfgan_reg.optimizers.CGD` / `ACGD`, or "cgd" / "acgd") that updates
        both players at once on the zero-sum objective `f = -(D loss + penalties)`, which the
        generator minimises and the discriminator maximises. Keras's own `optimizer` stays
        None: no third optimiser is created (or saved)."""
        kwargs.setdefault("jit_compile", False)
        kwargs.setdefault("optimizer", None)
        super().compile(**kwargs)
        if joint_optimizer is not None:
            if d_optimizer is not None or g_optimizer is not None:
                raise ValueError("Give either `joint_optimizer` or `d_optimizer` and "
                                 "`g_optimizer`, not both.")
            if isinstance(joint_optimizer, str):
                checks.choice("joint_optimizer", joint_optimizer, sorted(optimizers_lib.JOINT))
                joint_optimizer = optimizers_lib.JOINT[joint_optimizer]()
            steps.check_joint(n_disc=self.n_disc, consensus_gamma=self.consensus_gamma,
                              penalty_every=self.penalty_every, precision=self.precision)
            self.joint_optimizer = joint_optimizer
            self.d_optimizer = self.g_optimizer = None
            return
        if d_optimizer is None or g_optimizer is None:
            raise ValueError("`compile` needs `d_optimizer` and `g_optimizer` (or "
                             "`joint_optimizer`).")
        self.joint_optimizer = None
        self.d_optimizer = precision_lib.wrap_optimizer(keras.optimizers.get(d_optimizer),
                                                        self.precision)
        self.g_optimizer = precision_lib.wrap_optimizer(keras.optimizers.get(g_optimizer),
                                                        self.precision)

    def get_compile_config(self):
        """Both optimisers' configs (their state is saved with the weights) and `jit_compile`;
        raises `ValueError` for a joint optimiser (see `keras_file_error`)."""
        self._check_keras_file()
        return {"d_optimizer": keras.optimizers.serialize(self.d_optimizer),
                "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
                "jit_compile": bool(self.jit_compile)}

    def compile_from_config(self, config):
        """Compiles from `get_compile_config` and creates the optimisers' slots, so that a
        loaded file can fill them."""
        if config:
            self.compile(d_optimizer=keras.optimizers.deserialize(config["d_optimizer"]),
                         g_optimizer=keras.optimizers.deserialize(config["g_optimizer"]),
                         jit_compile=config.get("jit_compile", False))
            self.build_optimizers()

    def _check_keras_file(self):
        if self.joint_optimizer is not None:
            raise keras_file_error(self.joint_optimizer)

    def save_own_variables(self, store):
        self._check_keras_file()
        super().save_own_variables(store)

    def load_own_variables(self, store):
        self._check_keras_file()
        super().load_own_variables(store)

    def load_weights(self, filepath, *args, **kwargs):
        """Keras's `load_weights`, after creating the EMA weights and optimiser slots the
        file holds (a `.weights.h5` of `save_weights`, `ModelCheckpoint`, `BackupAndRestore`)."""
        self._check_keras_file()
        if self.d_optimizer is not None:
            self.build_optimizers()
        else:
            self.build_ema()
        return super().load_weights(filepath, *args, **kwargs)

    def build_ema(self):
        """Creates the generator's moving-average weights (inside the strategy scope)."""
        if self.ema_decay is None or self.ema_weights is not None:
            return
        self.ema_weights = [keras.Variable(w.numpy(), trainable=False,
                                           aggregation="only_first_replica",
                                           name=f"ema_{i}")
                            for i, w in enumerate(self.generator.weights)]

    def ema_generator(self):
        """The generator with the moving-average weights (the generator itself when off)."""
        if self.ema_weights is None:
            return self.generator
        if self._ema_model.value is None:
            self._ema_model.value = keras.models.clone_model(self.generator)
        self._ema_model.value.set_weights([e.numpy() for e in self.ema_weights])
        return self._ema_model.value

    def build_optimizers(self):
        """Creates the networks' and optimisers' variables (needed before a distributed fit)."""
        self.build_ema()
        if self.joint_optimizer is not None:
            self.joint_optimizer.build(self.generator.trainable_variables,
                                       self.discriminator.trainable_variables)
            return
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def call(self, z, training=False):
        return self.game.generate(z, training=training)

    # ---- training ----------------------------------------------------------------------------

    def make_train_function(self, force=False):
        """Keras's train function, except for a joint optimiser on several replicas: its step
        runs in the cross-replica context (`steps.joint`). Creates the EMA weights first
        (from the generator's weights as `fit` starts) if not yet made."""
        self.build_ema()
        if (self.joint_optimizer is None or self.freeze_generator
                or self.distribute_strategy.num_replicas_in_sync == 1):
            return super().make_train_function(force)
        if self.train_function is not None and not force:
            return self.train_function
        step = tf.function(self._cross_replica_step, reduce_retracing=True)
        self.train_function = lambda iterator: step(next(iterator))
        return self.train_function

    def _cross_replica_step(self, data):
        with self.distribute_strategy.scope():
            step, seed = self._step_and_seed()
            steps.joint(self.game, self.joint_optimizer, data, step, seed, record=self._record,
                        clip_value=self.clip_value, strategy=self.distribute_strategy)
            return self._end_step()

    def _step_and_seed(self):
        step = tf.convert_to_tensor(self.step_counter)
        return step, rng.fold(rng.as_seed(self.seed), step)

    def train_step(self, data):
        """One generator iteration of the step kind the options name (`tfgan_reg.steps`);
        only the discriminator steps while `freeze_generator`."""
        real = steps.training_element(data, self.n_disc)
        step, seed = self._step_and_seed()
        common = dict(record=self._record, clip_value=self.clip_value)
        if self.freeze_generator:
            steps.discriminator_steps(self.game, self.d_optimizer, real, step, seed,
                                      n_disc=self.n_disc, penalty_every=self.penalty_every,
                                      **common)
        elif self.joint_optimizer is not None:
            steps.joint(self.game, self.joint_optimizer, real, step, seed, **common)
        elif self.scheme == "simultaneous":
            steps.simultaneous(self.game, self.d_optimizer, self.g_optimizer, real, step, seed,
                               n_disc=self.n_disc, consensus_gamma=self.consensus_gamma,
                               **common)
        else:
            steps.alternating(self.game, self.d_optimizer, self.g_optimizer, real, step, seed,
                              n_disc=self.n_disc, penalty_every=self.penalty_every, **common)
        logs = self._end_step()
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            # Keras `fit` reduces per-replica logs along axis 0 under this strategy.
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs

    def _end_step(self):
        """Moves the EMA (unless the generator is frozen) and the step counter; the logs."""
        if self.ema_weights is not None and not self.freeze_generator:
            steps.update_ema(self.ema_weights, self.generator.weights, self.ema_decay)
        self.step_counter.assign_add(1)
        joint = self.joint_optimizer is not None
        return {name: tracker.result() for name, tracker in self._trackers.items()
                if joint or not name.startswith("cg_")}

    def _record(self, terms, weights=None):
        for name, value in terms.items():
            self._trackers[name].update_state(value, sample_weight=(weights or {}).get(name))

    # ---- evaluate and predict ----------------------------------------------------------------

    def evaluate(self, *args, **kwargs):
        """Keras's `evaluate` (see the class docstring); its draws restart at batch 0."""
        self._eval_batch.assign(0)
        return super().evaluate(*args, **kwargs)

    def test_on_batch(self, *args, **kwargs):
        self._eval_batch.assign(0)
        return super().test_on_batch(*args, **kwargs)

    def test_step(self, data):
        """D's loss, G's loss and each penalty (at its scheduled weight, without the lazy
        factor k; no consensus term) on a held-out real batch [B, ...] (a training element
        [B, n_disc, ...] counts as B * n_disc samples), networks in inference mode, nothing
        updated (`steps.evaluation_terms`). The draws are keyed by (seed, `rng.EVAL`, batch
        index of this evaluation): two evaluations of the same data give the same numbers."""
        real = steps.evaluation_batch(steps.real_samples(data),
                                      tuple(self.discriminator.input_shape[1:]), self.n_disc)
        index = self._eval_batch.read_value()
        with tf.control_dependencies([index]):
            self._eval_batch.assign_add(1)
        seed = rng.fold(rng.as_seed(self.seed), rng.EVAL, index)
        terms = steps.evaluation_terms(
            self.game, real, tf.convert_to_tensor(self.step_counter), seed,
            loss_scale=precision_lib.loss_scale(self.d_optimizer))
        self._record(terms)
        return {name: self._trackers[name].result() for name in terms}

    def predict(self, *args, **kwargs):
        """Keras's `predict` on latents [N, latent_dim]: samples of the moving-average
        generator (its weights copied from `ema_weights` first), or of the generator."""
        self.ema_generator()
        return super().predict(*args, **kwargs)

    def predict_step(self, data):
        z = data[0] if isinstance(data, (tuple, list)) else data
        sampler = self.generator if self.ema_weights is None else self._ema_model.value
        return self.game.generate(z, training=False, generator=sampler)


class TerminateOnNonFinite(keras.callbacks.Callback):
    """Stops `fit` after the first batch whose logs hold a NaN or inf term.

    Keras's `TerminateOnNaN` reads only `logs["loss"]`, which a GAN's logs do not have (two
    players, no single loss: they hold `d_loss`, `g_loss` and the penalties), so it never
    fires; this callback checks every logged value. `raise_error=True` raises
    `FloatingPointError` naming the terms instead of stopping gracefully.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error
        self.bad = None

    def on_train_batch_end(self, batch, logs=None):
        bad = {k: float(v) for k, v in (logs or {}).items()
               if not math.isfinite(float(v))}
        if not bad:
            return
        self.bad = bad
        if self.raise_error:
            raise FloatingPointError(f"Non-finite terms at batch {batch}: {bad}")
        self.model.stop_training = True
