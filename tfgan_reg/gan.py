"""`GAN`: a Keras model whose `train_step` plays one generator iteration of a regularised GAN.

One element of the training data holds the real samples of one generator iteration: a batch
`[B, ...]` when `n_disc == 1`, and `[B, n_disc, ...]` (discriminator batch `i` is `x[:, i]`)
otherwise, so that a distribution strategy splitting the batch axis gives every replica its
rows of every discriminator batch. Every random draw is stateless, keyed by (seed, step, purpose, global
sample index) through `tfgan_reg.rng`. Every term is divided by the number of replicas before
differentiation: Keras sums gradients over replicas, so the update is the gradient of the
global-batch mean (trackers receive the unscaled values).

`GAN` is a full Keras citizen: `get_config` / `from_config` hold both players, the loss and
penalties by name and their schedules; `save("x.keras")` / `keras.models.load_model` and
`save_weights` / `load_weights` carry the step counter (which keys every draw), both
optimisers' state and the EMA weights, so a reloaded model continues exactly. Keras's
callbacks therefore work: `ModelCheckpoint`, and `BackupAndRestore` with its default
`save_freq="epoch"` (Keras restarts an interrupted epoch from its first batch, so a mid-epoch
backup, `save_freq=N`, replays batches on weights that already saw them: measured, 3 epochs
of 4 steps backed up every 2 batches and killed in epoch 1 end at step 14, not 12).
`TerminateOnNaN` reads a `loss` key a GAN's logs lack: `TerminateOnNonFinite` checks every
term. `evaluate(real)` reports the losses and penalties on held-out data (`test_step`),
`predict(latents)` samples the generator. A joint CGD / ACGD optimiser is a `tf.Module` Keras
files cannot hold: such a GAN saves with `tfgan_reg.runs.make_checkpoint` (a
`tf.train.Checkpoint`, what `train.py` uses).
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
from tfgan_reg import schedules
from tfgan_reg import stabilizers

SCHEMES = ("alternating", "simultaneous")
GENERATOR_LOSSES = ("default", "alternative")


def _num_replicas():
    return tf.distribute.get_strategy().num_replicas_in_sync


def scale_for_replicas(value):
    """`value / num_replicas`, so that Keras's sum over replicas is the global-batch mean."""
    return value / float(_num_replicas())


def check_options(*, loss, generator_loss, scheme, n_disc, noise_nsr, clip_value,
                  consensus_gamma, ema_decay, penalty_every, precision="float32", keys=None):
    """Raises `ValueError` on the first bad `GAN` option, naming it as `keys` maps it (the
    config validation passes the config keys; by default the argument names)."""
    name = lambda arg: (keys or {}).get(arg, arg)
    loss = losses_lib.get(loss)
    checks.choice(name("generator_loss"), generator_loss, GENERATOR_LOSSES)
    if generator_loss == "alternative" and not loss.is_f_divergence:
        raise ValueError(f"{name('generator_loss')}='alternative' needs an f-divergence loss, "
                         f"one of {sorted(losses_lib.F_DIVERGENCES)}. "
                         f"Received: {name('loss')}={loss.name!r}")
    checks.choice(name("scheme"), scheme, SCHEMES)
    checks.number(name("n_disc"), n_disc, low=1, integer=True)
    checks.number(name("noise_nsr"), noise_nsr, low=1, integer=True)
    for arg in ("clip_value", "consensus_gamma"):
        value = locals()[arg]
        if value is not None:
            checks.number(name(arg), value, low=0, low_open=True, note=" (None: off)")
    if consensus_gamma is not None and scheme != "simultaneous":
        raise ValueError(f"Consensus optimisation takes both players' gradients at one point: "
                         f"it needs {name('scheme')}='simultaneous'. "
                         f"Received: {name('scheme')}={scheme!r}")
    if ema_decay is not None:
        checks.number(name("ema_decay"), ema_decay, low=0, high=1, low_open=True,
                      high_open=True, note=" (None: off)")
    checks.number(name("penalty_every"), penalty_every, low=1, integer=True)
    precision_lib.check(precision, name("precision"))
    if consensus_gamma is not None and precision_lib.uses_loss_scale(precision):
        raise ValueError(f"Consensus optimisation differentiates both players' gradients, which "
                         f"float16 loss scaling does not cover: use {name('precision')}="
                         f"'mixed_bfloat16' or 'float32' with it. Received: "
                         f"{name('precision')}={precision!r}")
    if penalty_every > 1 and scheme != "alternating":
        raise ValueError(f"Lazy regularisation ({name('penalty_every')} > 1) applies to the "
                         f"separate discriminator steps of {name('scheme')}='alternating'. "
                         f"Received: {name('scheme')}={scheme!r}")


def check_joint(*, n_disc, consensus_gamma, penalty_every, precision="float32", keys=None):
    """Raises `ValueError` unless a joint optimiser (CGD / ACGD) can train these options."""
    name = lambda arg: (keys or {}).get(arg, arg)
    if precision != "float32":
        raise ValueError(f"CGD / ACGD solve their linear systems by conjugate gradients on "
                         f"mixed Hessian-vector products, which this library keeps in "
                         f"float32 (low-precision products would change the tolerance CG "
                         f"reaches): they need {name('precision')}='float32'. Received: "
                         f"{name('precision')}={precision!r}")
    if n_disc != 1 or consensus_gamma is not None or penalty_every != 1:
        raise ValueError(f"A joint optimiser makes one simultaneous update of both players: it "
                         f"needs {name('n_disc')}=1, no consensus term and "
                         f"{name('penalty_every')}=1. Received: {name('n_disc')}={n_disc}, "
                         f"{name('consensus_gamma')}={consensus_gamma}, "
                         f"{name('penalty_every')}={penalty_every}")


class _Unsaved:
    """Holds an object out of Keras's sight: saving walks a model's attributes, and the EMA
    sampler's weights are copies of `ema_weights`, which are saved already."""

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
        penalties enter only every k-th discriminator step, with k times their weight, so
        their expected gradient is unchanged at about 1/k of their cost (no saving under XLA
        on a CPU, where it computes them every step with weight k or 0); 1: every step.
        Penalty metrics average the steps that applied them (as added, k times the weight).
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
    docstring); `evaluate(real)` runs `test_step` on held-out real batches `[B, ...]`: D's
    loss, G's loss and each penalty (at its scheduled weight of the current step, without
    the lazy factor k; no consensus term), every network in inference mode, nothing updated,
    with draws keyed by `seed` and the batch's position in the evaluation (two evaluations of
    the same data give the same numbers); `predict(latents)` samples the moving-average
    generator when `ema_decay` is set, else the generator (calling the model, `gan(z)`, uses
    the trained generator). `save` / `load_model` and `save_weights` / `load_weights`
    continue exactly (module docstring).
    """

    def __init__(self, generator, discriminator, *, latent_dim, loss="non_saturating",
                 generator_loss="default", penalties=None, scheme="alternating", n_disc=1,
                 seed=0, noise_sigma=0.0, noise_nsr=1, clip_value=None, consensus_gamma=None,
                 ema_decay=None, penalty_every=1, precision="float32", **kwargs):
        super().__init__(**kwargs)
        check_options(loss=loss, generator_loss=generator_loss, scheme=scheme, n_disc=n_disc,
                      noise_nsr=noise_nsr, clip_value=clip_value,
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
        self._generator_loss = (self.loss_fn.generator_alternative
                                if generator_loss == "alternative" else self.loss_fn.generator)
        self._penalties = [
            p if isinstance(p, penalties_lib.Penalty)
            else penalties_lib.configure(p, loss=self.loss_fn, **(kw or {}))
            for p, kw in (penalties.items() if isinstance(penalties, dict)
                          else [(p, None) for p in penalties or ()])]
        penalties_lib.check_discriminator(discriminator, [p.name for p in self._penalties])
        self.scheme = scheme
        self.n_disc = n_disc
        self.seed = int(seed)
        self._noise_sigma = noise_sigma
        self._noise = schedules.as_schedule(noise_sigma)
        self._noise_on = callable(noise_sigma) or noise_sigma > 0
        self.noise_nsr = noise_nsr
        self.clip_value = clip_value
        self.consensus_gamma = consensus_gamma
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

    def get_config(self):
        """Every constructor argument: the players as nested Keras objects, the loss and
        penalties by name, weights and noise as numbers or serialised Keras schedules."""
        if self.loss_fn.name not in losses_lib.names():
            raise ValueError(f"Only a registered loss can be saved, one of "
                             f"{losses_lib.names()}. Received: loss={self.loss_fn.name!r}")
        return {
            "name": self.name, "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim, "loss": self.loss_fn.name,
            "generator_loss": self.generator_loss,
            "penalties": {p.name: p.get_config() for p in self._penalties},
            "scheme": self.scheme, "n_disc": self.n_disc, "seed": self.seed,
            "noise_sigma": (_serialize_schedule(self._noise_sigma, "noise_sigma")
                            if self._noise_on else 0.0),
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
        names = ["d_loss", "g_loss"] + [p.name for p in self._penalties]
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
                if joint_optimizer not in optimizers_lib.JOINT:
                    raise ValueError(f"`joint_optimizer` must be one of "
                                     f"{sorted(optimizers_lib.JOINT)}. "
                                     f"Received: joint_optimizer={joint_optimizer!r}")
                joint_optimizer = optimizers_lib.JOINT[joint_optimizer]()
            check_joint(n_disc=self.n_disc, consensus_gamma=self.consensus_gamma,
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
        if self.joint_optimizer is not None:
            raise keras_file_error(self.joint_optimizer)
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
        if getattr(self, "joint_optimizer", None) is not None:
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
        if getattr(self, "d_optimizer", None) is not None:
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

    def _update_ema(self):
        if self.ema_weights is None:
            return
        d = self.ema_decay
        for e, w in zip(self.ema_weights, self.generator.weights):
            e.assign(d * e + (1.0 - d) * w)

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
        return self._generate(z, training=training)

    def _generate(self, z, training, generator=None):
        """Samples as float32 (the generator computes in its own policy's dtype)."""
        return tf.cast((generator or self.generator)(z, training=training), tf.float32)

    def _inner_scale(self):
        """The penalties' inner loss scale: the discriminator optimiser's dynamic scale when it
        is a LossScaleOptimizer (always under float16), else None."""
        return precision_lib.loss_scale(getattr(self, "d_optimizer", None))

    # ---- the step ----------------------------------------------------------------------------

    def _latents(self, seed, batch):
        return rng.normal(seed, batch, (self.latent_dim,))

    def _noisy(self, x, seed, step):
        if not self._noise_on:
            return x
        return stabilizers.explicit_noise(x, sigma=self._noise(step), nsr=self.noise_nsr,
                                          seed=seed)

    def _discriminator_terms(self, real, fake, step, seed, penalty_scale=1.0, training=True):
        """D's loss plus penalties (times `penalty_scale`; 0: left out) on noisy inputs, D in
        training mode unless `training=False`; returns (total, {term: value}, fake logits)."""
        real_in = self._noisy(real, rng.fold(seed, rng.NOISE_REAL), step)
        fake_in = self._noisy(fake, rng.fold(seed, rng.NOISE_FAKE), step)
        off = isinstance(penalty_scale, float) and penalty_scale == 0
        # One pass per batch: the input gradients the penalties need at the loss's points
        # come from the pass the loss makes (penalties.SHARED_POINTS).
        points = set() if off else {pt for p in self._penalties for pt in p.shared_points}
        loss_scale = None if off else self._inner_scale()
        passes = {}
        for point, x in (("real", real_in), ("fake", fake_in)):
            passes[point] = penalties_lib.discriminator_pass(
                self.discriminator, x, training=training, input_gradient=point in points,
                loss_scale=loss_scale)
        real_logits, fake_logits = passes["real"][0], passes["fake"][0]
        terms = {"d_loss": self.loss_fn.discriminator(real_logits, fake_logits)}
        for k, penalty in enumerate(self._penalties):
            terms[penalty.name] = (
                tf.zeros([]) if off else
                penalty_scale * penalty(self.discriminator, real_in, fake_in, step,
                                        rng.fold(seed, rng.PENALTY, k), training=training,
                                        passes=passes, loss_scale=loss_scale))
        return tf.add_n(list(terms.values())), terms, fake_logits

    def _generator_term(self, fake, step, seed):
        fake_in = self._noisy(fake, rng.fold(seed, rng.NOISE_FAKE), step)
        return self._generator_loss(
            tf.cast(self.discriminator(fake_in, training=True), tf.float32))

    def _objective(self, optimizer, value):
        """What a player's tape differentiates: `value / replicas`, times the loss scale under
        float16 (each sample's float16 backward values are then those of one replica)."""
        return precision_lib.scale_loss(optimizer, scale_for_replicas(value))

    def _apply(self, optimizer, grads, variables):
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            grads = precision_lib.agree_on_finite(grads)
        optimizer.apply(grads, variables)

    def _apply_discriminator(self, grads):
        d_vars = self.discriminator.trainable_variables
        self._apply(self.d_optimizer, grads, d_vars)
        if self.clip_value is not None:
            stabilizers.clip_weights(d_vars, c=self.clip_value)

    def _discriminator_step(self, real, step, seed, index):
        """One D update (the `index`-th of generator step `step`); returns (terms, weights):
        a term's weight is 0 on a lazy step that left the penalties out."""
        fake = self._generate(self._latents(rng.fold(seed, rng.LATENT_D), tf.shape(real)[0]),
                              training=True)

        def gradients(penalty_scale):
            with tf.GradientTape() as tape:
                total, terms, _ = self._discriminator_terms(real, fake, step, seed,
                                                            penalty_scale)
                scaled = self._objective(self.d_optimizer, total)
            return tape.gradient(scaled, self.discriminator.trainable_variables), terms

        k = self.penalty_every
        if k == 1 or not self._penalties:
            grads, terms = gradients(1.0)
            weights = {}
        else:
            on = tf.equal((step * self.n_disc + index) % k, 0)
            if optimizers_lib.hvp.in_xla() and not (tf.config.list_logical_devices("GPU")
                                                    or tf.config.list_logical_devices("TPU")):
                # XLA on CPU runs convolutions inside a conditional very slowly (~25x here):
                # there the penalty is computed every step and weighted k or 0 (no saving).
                grads, terms = gradients(tf.where(on, float(k), 0.0))
            else:
                grads, terms = tf.cond(on, lambda: gradients(float(k)), lambda: gradients(0.0))
            weights = {p.name: tf.cast(on, tf.float32) for p in self._penalties}
        self._apply_discriminator(grads)
        return terms, weights

    def _generator_step(self, batch, step, seed):
        with tf.GradientTape() as tape:
            fake = self._generate(self._latents(rng.fold(seed, rng.LATENT_G), batch),
                                  training=True)
            g_loss = self._generator_term(fake, step, seed)
            scaled = self._objective(self.g_optimizer, g_loss)
        g_vars = self.generator.trainable_variables
        self._apply(self.g_optimizer, tape.gradient(scaled, g_vars), g_vars)
        return {"g_loss": g_loss}

    def _simultaneous_step(self, real, step, seed):
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables
        z = self._latents(rng.fold(seed, rng.LATENT_G), tf.shape(real)[0])
        with tf.GradientTape(persistent=True) as outer:
            with tf.GradientTape(persistent=True) as inner:
                fake = self._generate(z, training=True)
                d_total, terms, fake_logits = self._discriminator_terms(real, fake, step, seed)
                # Both players see the same noisy fake batch at the same point.
                g_loss = self._generator_loss(fake_logits)
                d_scaled = self._objective(self.d_optimizer, d_total)
                g_scaled = self._objective(self.g_optimizer, g_loss)
            terms["g_loss"] = g_loss
            if self.consensus_gamma is not None:
                grads = (inner.gradient(d_scaled, d_vars) + inner.gradient(g_scaled, g_vars))
                ctx = tf.distribute.get_replica_context()
                if ctx is not None and ctx.num_replicas_in_sync > 1:
                    # ConOpt penalises the global gradient; all_reduce passes gradients through.
                    grads = ctx.all_reduce(tf.distribute.ReduceOp.SUM, grads)
                reg = penalties_lib.consensus(grads, gamma=self.consensus_gamma)
                terms["consensus"] = reg
                d_scaled += scale_for_replicas(reg)
                g_scaled += scale_for_replicas(reg)
        if self.consensus_gamma is None:
            d_grads, g_grads = inner.gradient(d_scaled, d_vars), inner.gradient(g_scaled, g_vars)
        else:
            d_grads, g_grads = outer.gradient(d_scaled, d_vars), outer.gradient(g_scaled, g_vars)
        del inner, outer
        self._apply_discriminator(d_grads)
        self._apply(self.g_optimizer, g_grads, g_vars)
        return terms

    def _joint_step(self, real, step, seed):
        """One CGD/ACGD update on `f = -(D loss + penalties)` at one point (Schaefer &
        Anandkumar 2019; the ICR paper for ACGD)."""
        z = self._latents(rng.fold(seed, rng.LATENT_G), tf.shape(real)[0])

        def local_terms():
            fake = self._generate(z, training=True)
            return self._discriminator_terms(real, fake, step, seed)[:2]

        # The values before the update, for trackers. This pass also moves batch-norm
        # statistics once per step (a linearized step's own passes do not).
        d_total, terms = local_terms()
        info = self.joint_optimizer.step(lambda: scale_for_replicas(-local_terms()[0]),
                                         self.generator.trainable_variables,
                                         self.discriminator.trainable_variables)
        if self.clip_value is not None:
            stabilizers.clip_weights(self.discriminator.trainable_variables, c=self.clip_value)
        terms = dict(terms)
        terms["g_loss"] = -d_total
        terms["cg_iterations"] = tf.cast(info["cg_iterations"], tf.float32)
        terms["cg_residual"] = tf.cast(info["cg_residual"], tf.float32)
        return terms

    # ---- joint optimisers under a strategy with several replicas ----------------------------

    def _joint_across_replicas(self):
        return (getattr(self, "joint_optimizer", None) is not None
                and self.distribute_strategy.num_replicas_in_sync > 1)

    def make_train_function(self, force=False):
        """Keras's train function, except for a joint optimiser on several replicas: its CG
        loop runs in the cross-replica context (MirroredStrategy cannot all-reduce inside a
        while loop of a replica function), with every product reduced over replicas. Creates
        the EMA weights first (from the generator's weights as `fit` starts) if not yet made."""
        self.build_ema()
        if not self._joint_across_replicas():
            return super().make_train_function(force)
        if self.train_function is not None and not force:
            return self.train_function
        step = tf.function(self._joint_step_cross_replica, reduce_retracing=True)

        def function(iterator):
            return step(next(iterator))

        self.train_function = function
        return function

    def _joint_step_cross_replica(self, data):
        with self.distribute_strategy.scope():
            return self._joint_step_in_scope(data)

    def _joint_step_in_scope(self, data):
        strategy = self.distribute_strategy
        step = tf.convert_to_tensor(self.step_counter)
        seed = rng.fold(rng.fold(rng.as_seed(self.seed), step), self.n_disc)

        def local_terms(data):
            real = tf.convert_to_tensor(data[0] if isinstance(data, (tuple, list)) else data)
            z = self._latents(rng.fold(seed, rng.LATENT_G), tf.shape(real)[0])
            fake = self._generate(z, training=True)
            d_total, terms, _ = self._discriminator_terms(real, fake, step, seed)
            return d_total, terms

        def loss_fn(data):
            return scale_for_replicas(-local_terms(data)[0])

        def record(data):
            d_total, terms = local_terms(data)
            terms = dict(terms, g_loss=-d_total)
            self._record(terms)

        strategy.run(record, args=(data,))  # the values before the update, for trackers
        info = self.joint_optimizer.step(loss_fn, self.generator.trainable_variables,
                                         self.discriminator.trainable_variables, args=(data,))
        if self.clip_value is not None:
            stabilizers.clip_weights(self.discriminator.trainable_variables, c=self.clip_value)
        strategy.run(lambda it, res: self._record({"cg_iterations": tf.cast(it, tf.float32),
                                                   "cg_residual": tf.cast(res, tf.float32)}),
                     args=(info["cg_iterations"], info["cg_residual"]))
        self._update_ema()
        self.step_counter.assign_add(1)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    def train_step(self, data):
        real = tf.convert_to_tensor(data[0] if isinstance(data, (tuple, list)) else data)
        batch = tf.shape(real)[0]
        if self.n_disc > 1 and (real.shape.rank is None or real.shape.rank < 3
                                or real.shape[1] != self.n_disc):
            raise ValueError(f"With n_disc={self.n_disc} a data element must be shaped "
                             f"[batch, n_disc, ...]. Received: shape={real.shape}")
        disc_batch = (lambda i: real) if self.n_disc == 1 else (lambda i: real[:, i])
        step = tf.convert_to_tensor(self.step_counter)
        seed = rng.fold(rng.as_seed(self.seed), step)
        if self.freeze_generator:
            for i in range(self.n_disc):
                self._record(*self._discriminator_step(disc_batch(i), step,
                                                       rng.fold(seed, i), i))
            self.step_counter.assign_add(1)
            return self._results()
        if getattr(self, "joint_optimizer", None) is not None:
            self._record(self._joint_step(disc_batch(0), step, rng.fold(seed, self.n_disc)))
            self._update_ema()
            self.step_counter.assign_add(1)
            return self._results()
        n_alone = self.n_disc - (1 if self.scheme == "simultaneous" else 0)
        for i in range(n_alone):
            self._record(*self._discriminator_step(disc_batch(i), step, rng.fold(seed, i), i))
        last = rng.fold(seed, self.n_disc)
        if self.scheme == "simultaneous":
            self._record(self._simultaneous_step(disc_batch(n_alone), step, last))
        else:
            self._record(self._generator_step(batch, step, last))
        self._update_ema()
        self.step_counter.assign_add(1)
        return self._results()

    # ---- evaluate and predict ----------------------------------------------------------------

    def evaluate(self, *args, **kwargs):
        """Keras's `evaluate` (see the class docstring); its draws restart at batch 0."""
        self._eval_batch.assign(0)
        return super().evaluate(*args, **kwargs)

    def test_on_batch(self, *args, **kwargs):
        self._eval_batch.assign(0)
        return super().test_on_batch(*args, **kwargs)

    def test_step(self, data):
        """D's and G's losses and each penalty on a held-out real batch [B, ...] (a training
        element [B, n_disc, ...] counts as B * n_disc samples), at the current step's
        weights, networks in inference mode, nothing updated. One fake batch `G(z)` serves
        both players' losses; the draws are keyed by (seed, `rng.EVAL`, batch index of this
        evaluation)."""
        real = tf.convert_to_tensor(data[0] if isinstance(data, (tuple, list)) else data)
        sample_shape = tuple(self.discriminator.input_shape[1:])
        if real.shape.rank is None:
            # A retrace for a second input shape relaxes the rank (reduce_retracing).
            if None not in sample_shape:
                real = tf.reshape(real, (-1,) + sample_shape)
        elif (self.n_disc > 1 and real.shape.rank == len(sample_shape) + 2
              and real.shape[1] == self.n_disc):
            # A training element [B, n_disc, ...]: its n_disc batches together.
            real = tf.reshape(real, [-1] + [d if d is not None else tf.shape(real)[i + 2]
                                            for i, d in enumerate(real.shape[2:].as_list())])
        elif real.shape.rank != len(sample_shape) + 1:
            raise ValueError(f"`evaluate` takes real samples shaped [batch, *{sample_shape}] "
                             f"(or a training element [batch, n_disc, ...]). Received: "
                             f"shape={real.shape}")
        index = self._eval_batch.read_value()
        with tf.control_dependencies([index]):
            self._eval_batch.assign_add(1)
        seed = rng.fold(rng.as_seed(self.seed), rng.EVAL, index)
        step = tf.convert_to_tensor(self.step_counter)
        fake = self._generate(self._latents(rng.fold(seed, rng.LATENT_D), tf.shape(real)[0]),
                              training=False)
        _, terms, fake_logits = self._discriminator_terms(real, fake, step, seed,
                                                          training=False)
        terms["g_loss"] = self._generator_loss(fake_logits)
        self._record(terms)
        return {name: self._trackers[name].result() for name in terms}

    def _sampler(self):
        return self.generator if self.ema_weights is None else self._ema_model.value

    def predict(self, *args, **kwargs):
        """Keras's `predict` on latents [N, latent_dim]: samples of the moving-average
        generator when `ema_decay` is set (its weights copied from `ema_weights` first),
        else of the generator."""
        self.ema_generator()
        return super().predict(*args, **kwargs)

    def predict_step(self, data):
        z = data[0] if isinstance(data, (tuple, list)) else data
        return self._generate(z, training=False, generator=self._sampler())

    def _results(self):
        joint = getattr(self, "joint_optimizer", None) is not None
        out = {name: tracker.result() for name, tracker in self._trackers.items()
               if joint or not name.startswith("cg_")}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            # Keras `fit` reduces per-replica logs along axis 0 under this strategy.
            out = {name: tf.reshape(value, [1]) for name, value in out.items()}
        return out

    def _record(self, terms, weights=None):
        for name, value in terms.items():
            self._trackers[name].update_state(value, sample_weight=(weights or {}).get(name))


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
