"""The step kinds of `tfgan_reg.GAN`, one generator iteration each: alternating (n_disc
discriminator steps, then a generator step), simultaneous (n_disc - 1 discriminator steps, then
both players' gradients at one point, with ConOpt's consensus term if asked), joint (one CGD /
ACGD update of both players), the discriminator alone (a frozen generator); and the terms an
evaluation reports.

`Game` holds the two players and the terms of their objectives (the loss, the penalties,
instance noise). A step kind is a function of the `Game`, the optimisers, the iteration's real
samples, the generator step `step` (which keys every schedule) and the iteration's seed (which
keys every draw through `tfgan_reg.rng`: discriminator step `i` folds in `i`, the iteration's
last step `n_disc`, then a purpose and the global sample index). It hands its terms, unscaled
and in float32, to `record(terms, weights=None)` (the model's trackers). Every term is divided
by the number of replicas before differentiation (`scale_for_replicas`): Keras sums gradients
over replicas, so an update is the gradient of the global-batch mean. The options the kinds
accept are checked by `check_options` and `check_joint`.
"""
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


def scale_for_replicas(value):
    """`value / num_replicas`, so that Keras's sum over replicas is the global-batch mean."""
    return value / float(tf.distribute.get_strategy().num_replicas_in_sync)


def check_options(*, loss, generator_loss, scheme, n_disc, noise_nsr, clip_value,
                  consensus_gamma, ema_decay, penalty_every, precision="float32", keys=None):
    """Raises `ValueError` on the first bad `GAN` option, naming it as `keys` maps it (the
    config validation passes the config keys; by default the argument names)."""
    name = lambda arg: (keys or {}).get(arg, arg)
    off = " (0: off)" if keys else " (None: off)"  # a config's 0 is the constructor's None
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
            checks.number(name(arg), value, low=0, low_open=True, note=off)
    if consensus_gamma is not None and scheme != "simultaneous":
        raise ValueError(f"Consensus optimisation takes both players' gradients at one point: "
                         f"it needs {name('scheme')}='simultaneous'. "
                         f"Received: {name('scheme')}={scheme!r}")
    if ema_decay is not None:
        checks.number(name("ema_decay"), ema_decay, low=0, high=1, low_open=True,
                      high_open=True, note=off)
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


def real_samples(data):
    """The real samples of a Keras data element (`x` or `(x, ...)`) as a tensor."""
    return tf.convert_to_tensor(data[0] if isinstance(data, (tuple, list)) else data)


def training_element(data, n_disc):
    """The real samples of one generator iteration: [B, ...], or [B, n_disc, ...] when
    `n_disc > 1`; `ValueError` for another shape."""
    real = real_samples(data)
    if n_disc > 1 and (real.shape.rank is None or real.shape.rank < 3
                       or real.shape[1] != n_disc):
        raise ValueError(f"With n_disc={n_disc} a data element must be shaped "
                         f"[batch, n_disc, ...]. Received: shape={real.shape}")
    return real


class Game:
    """The players and the terms of their objectives.

    Args:
      generator, discriminator: Keras models (latents -> samples; samples -> logits [B, 1]).
      latent_dim: size of the N(0, I) latent vector.
      loss: a `tfgan_reg.losses.Loss`.
      generator_loss: the generator's loss, a function of the fake logits.
      penalties: configured `penalties.Penalty`s added to the discriminator's loss.
      noise_sigma: instance-noise standard deviation, a float or a schedule; 0: none.
      noise_nsr: Roth et al.'s noise-to-signal ratio (`stabilizers.explicit_noise`).
    """

    def __init__(self, generator, discriminator, *, latent_dim, loss, generator_loss,
                 penalties=(), noise_sigma=0.0, noise_nsr=1):
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim = latent_dim
        self.loss, self.generator_loss = loss, generator_loss
        self.penalties = list(penalties)
        self.noise = schedules.as_schedule(noise_sigma)
        self.noise_on = callable(noise_sigma) or noise_sigma > 0
        self.noise_nsr = noise_nsr

    def latents(self, seed, batch):
        return rng.normal(seed, batch, (self.latent_dim,))

    def generate(self, z, training, generator=None):
        """Samples in float32 (the generator computes in its own policy's dtype)."""
        return precision_lib.float32((generator or self.generator)(z, training=training))

    def noisy(self, x, seed, step):
        if not self.noise_on:
            return x
        return stabilizers.explicit_noise(x, sigma=self.noise(step), nsr=self.noise_nsr,
                                          seed=seed)

    def discriminator_terms(self, real, fake, step, seed, penalty_scale=1.0, training=True,
                            loss_scale=None):
        """D's loss plus penalties (times `penalty_scale`; 0: left out) on noisy inputs, D in
        training mode unless `training=False`, the penalties' input gradients scaled by
        `loss_scale` (float16); returns (total, {term: value}, fake logits)."""
        real_in = self.noisy(real, rng.fold(seed, rng.NOISE_REAL), step)
        fake_in = self.noisy(fake, rng.fold(seed, rng.NOISE_FAKE), step)
        off = isinstance(penalty_scale, float) and penalty_scale == 0
        # One pass per batch: the input gradients the penalties need at the loss's points
        # come from the pass the loss makes (penalties.SHARED_POINTS).
        points = set() if off else {pt for p in self.penalties for pt in p.shared_points}
        loss_scale = None if off else loss_scale
        passes = {}
        for point, x in (("real", real_in), ("fake", fake_in)):
            passes[point] = penalties_lib.discriminator_pass(
                self.discriminator, x, training=training, input_gradient=point in points,
                loss_scale=loss_scale)
        real_logits, fake_logits = passes["real"][0], passes["fake"][0]
        terms = {"d_loss": self.loss.discriminator(real_logits, fake_logits)}
        for k, penalty in enumerate(self.penalties):
            terms[penalty.name] = (
                tf.zeros([]) if off else
                penalty_scale * penalty(self.discriminator, real_in, fake_in, step,
                                        rng.fold(seed, rng.PENALTY, k), training=training,
                                        passes=passes, loss_scale=loss_scale))
        return tf.add_n(list(terms.values())), terms, fake_logits

    def generator_term(self, fake, step, seed):
        fake_in = self.noisy(fake, rng.fold(seed, rng.NOISE_FAKE), step)
        return self.generator_loss(
            precision_lib.float32(self.discriminator(fake_in, training=True)))


# ---- applying gradients -------------------------------------------------------------------------

def _objective(optimizer, value):
    """What a player's tape differentiates: `value / replicas`, times the loss scale under
    float16 (each sample's float16 backward values are then those of one replica)."""
    return precision_lib.scale_loss(optimizer, scale_for_replicas(value))


def _apply(optimizer, grads, variables):
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        grads = precision_lib.agree_on_finite(grads)
    optimizer.apply(grads, variables)


def _apply_discriminator(game, optimizer, grads, clip_value):
    d_vars = game.discriminator.trainable_variables
    _apply(optimizer, grads, d_vars)
    if clip_value is not None:
        stabilizers.clip_weights(d_vars, c=clip_value)


# ---- one update ---------------------------------------------------------------------------------

def discriminator_step(game, optimizer, real, step, seed, index, *, n_disc=1, penalty_every=1,
                       clip_value=None):
    """One D update, the `index`-th of generator step `step`; returns (terms, weights).

    Lazy regularisation (`penalty_every` k > 1, Karras et al. 2020, StyleGAN2 sec. 3.1): the
    penalties enter every k-th discriminator step with k times their weight, at about 1/k of
    their cost (under XLA on a CPU they are computed every step, weighted k or 0); a term's
    weight is 0 on a step that left them out."""
    fake = game.generate(game.latents(rng.fold(seed, rng.LATENT_D), tf.shape(real)[0]),
                         training=True)

    def gradients(penalty_scale):
        with tf.GradientTape() as tape:
            total, terms, _ = game.discriminator_terms(
                real, fake, step, seed, penalty_scale,
                loss_scale=precision_lib.loss_scale(optimizer))
            scaled = _objective(optimizer, total)
        return tape.gradient(scaled, game.discriminator.trainable_variables), terms

    k = penalty_every
    if k == 1 or not game.penalties:
        grads, terms = gradients(1.0)
        weights = {}
    else:
        on = tf.equal((step * n_disc + index) % k, 0)
        if optimizers_lib.hvp.in_xla() and not precision_lib.accelerator_visible():
            # XLA on a CPU runs convolutions inside a conditional slowly: there the penalty
            # is computed every step and weighted k or 0.
            grads, terms = gradients(tf.where(on, float(k), 0.0))
        else:
            grads, terms = tf.cond(on, lambda: gradients(float(k)), lambda: gradients(0.0))
        weights = {p.name: tf.cast(on, tf.float32) for p in game.penalties}
    _apply_discriminator(game, optimizer, grads, clip_value)
    return terms, weights


def generator_step(game, optimizer, batch, step, seed):
    """One G update on `batch` fresh latents; returns {"g_loss": value}."""
    with tf.GradientTape() as tape:
        fake = game.generate(game.latents(rng.fold(seed, rng.LATENT_G), batch), training=True)
        g_loss = game.generator_term(fake, step, seed)
        scaled = _objective(optimizer, g_loss)
    g_vars = game.generator.trainable_variables
    _apply(optimizer, tape.gradient(scaled, g_vars), g_vars)
    return {"g_loss": g_loss}


def _simultaneous_update(game, d_optimizer, g_optimizer, real, step, seed, *,
                         consensus_gamma=None, clip_value=None):
    """Both players' gradients at one point, applied together; with `consensus_gamma`, each
    player's loss gains ConOpt's `gamma/2 ||v||^2` of the joint gradient `v` (Mescheder et
    al. 2017), differentiated through the gradients (double backprop). Returns the terms."""
    d_vars = game.discriminator.trainable_variables
    g_vars = game.generator.trainable_variables
    z = game.latents(rng.fold(seed, rng.LATENT_G), tf.shape(real)[0])
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape(persistent=True) as inner:
            fake = game.generate(z, training=True)
            d_total, terms, fake_logits = game.discriminator_terms(
                real, fake, step, seed, loss_scale=precision_lib.loss_scale(d_optimizer))
            # Both players see the same noisy fake batch at the same point.
            g_loss = game.generator_loss(fake_logits)
            d_scaled = _objective(d_optimizer, d_total)
            g_scaled = _objective(g_optimizer, g_loss)
        terms["g_loss"] = g_loss
        if consensus_gamma is not None:
            grads = (inner.gradient(d_scaled, d_vars) + inner.gradient(g_scaled, g_vars))
            ctx = tf.distribute.get_replica_context()
            if ctx is not None and ctx.num_replicas_in_sync > 1:
                # ConOpt penalises the global gradient; all_reduce passes gradients through.
                grads = ctx.all_reduce(tf.distribute.ReduceOp.SUM, grads)
            reg = penalties_lib.consensus(grads, gamma=consensus_gamma)
            terms["consensus"] = reg
            d_scaled += scale_for_replicas(reg)
            g_scaled += scale_for_replicas(reg)
    tape = inner if consensus_gamma is None else outer
    d_grads, g_grads = tape.gradient(d_scaled, d_vars), tape.gradient(g_scaled, g_vars)
    del inner, outer
    _apply_discriminator(game, d_optimizer, d_grads, clip_value)
    _apply(g_optimizer, g_grads, g_vars)
    return terms


# ---- the step kinds -----------------------------------------------------------------------------

def discriminator_steps(game, optimizer, real, step, seed, *, record, n_disc=1, count=None,
                        penalty_every=1, clip_value=None):
    """The first `count` (default: all `n_disc`) discriminator steps of an iteration, step `i`
    on `real` (n_disc = 1) or `real[:, i]`."""
    for i in range(n_disc if count is None else count):
        batch = real if n_disc == 1 else real[:, i]
        record(*discriminator_step(game, optimizer, batch, step, rng.fold(seed, i), i,
                                   n_disc=n_disc, penalty_every=penalty_every,
                                   clip_value=clip_value))


def alternating(game, d_optimizer, g_optimizer, real, step, seed, *, record, n_disc=1,
                penalty_every=1, clip_value=None):
    """n_disc discriminator steps, then a generator step on fresh latents."""
    discriminator_steps(game, d_optimizer, real, step, seed, record=record, n_disc=n_disc,
                        penalty_every=penalty_every, clip_value=clip_value)
    record(generator_step(game, g_optimizer, tf.shape(real)[0], step, rng.fold(seed, n_disc)))


def simultaneous(game, d_optimizer, g_optimizer, real, step, seed, *, record, n_disc=1,
                 consensus_gamma=None, clip_value=None):
    """n_disc - 1 discriminator steps, then both players' update at one point."""
    discriminator_steps(game, d_optimizer, real, step, seed, record=record, n_disc=n_disc,
                        count=n_disc - 1, clip_value=clip_value)
    batch = real if n_disc == 1 else real[:, n_disc - 1]
    record(_simultaneous_update(game, d_optimizer, g_optimizer, batch, step,
                                rng.fold(seed, n_disc), consensus_gamma=consensus_gamma,
                                clip_value=clip_value))


def joint(game, optimizer, data, step, seed, *, record, clip_value=None, strategy=None):
    """One CGD / ACGD update (Schaefer & Anandkumar 2019; the ICR paper for ACGD) on the
    zero-sum `f = -(D loss + penalties)` at one point, G minimising, D maximising.

    Called in a replica context with `strategy=None`, or in the cross-replica context with
    the strategy and `data` its per-replica element: the optimiser then reduces every product
    over the replicas (MirroredStrategy cannot all-reduce inside the while loop of CG in a
    replica function). After the update, `record(terms)` receives on each replica the terms
    before it (`g_loss = -f`) with CG's iterations and final relative residual."""
    seed = rng.fold(seed, 1)  # the seed of an iteration's last step (n_disc = 1)

    def run(fn, *args):
        return fn(*args) if strategy is None else strategy.run(fn, args=args)

    def local_terms(data):
        real = real_samples(data)
        fake = game.generate(game.latents(rng.fold(seed, rng.LATENT_G), tf.shape(real)[0]),
                             training=True)
        d_total, terms = game.discriminator_terms(real, fake, step, seed)[:2]
        return dict(terms, g_loss=-d_total)

    # The terms before the update, for `record`. This pass also moves batch-norm statistics
    # once per step (a linearized step's own passes do not).
    before = run(local_terms, data)
    info = optimizer.step(lambda data: scale_for_replicas(local_terms(data)["g_loss"]),
                          game.generator.trainable_variables,
                          game.discriminator.trainable_variables, args=(data,))
    if clip_value is not None:
        stabilizers.clip_weights(game.discriminator.trainable_variables, c=clip_value)
    run(lambda terms, it, res: record(dict(terms, **precision_lib.float32(
        {"cg_iterations": it, "cg_residual": res}))), before, info["cg_iterations"],
        info["cg_residual"])


# ---- evaluation and the moving average ----------------------------------------------------------

def evaluation_terms(game, real, step, seed, *, loss_scale=None):
    """D's and G's losses and each penalty on real samples [B, ...], every network in
    inference mode, nothing updated: one fake batch `G(z)` serves both players' losses."""
    fake = game.generate(game.latents(rng.fold(seed, rng.LATENT_D), tf.shape(real)[0]),
                         training=False)
    _, terms, fake_logits = game.discriminator_terms(real, fake, step, seed, training=False,
                                                     loss_scale=loss_scale)
    terms["g_loss"] = game.generator_loss(fake_logits)
    return terms


def evaluation_batch(real, sample_shape, n_disc):
    """`real` as a batch [B, *sample_shape]: a training element [B, n_disc, ...] counts as its
    B * n_disc samples; `ValueError` for another shape."""
    if real.shape.rank is None:
        # A retrace for a second input shape relaxes the rank (reduce_retracing).
        if None not in sample_shape:
            real = tf.reshape(real, (-1,) + sample_shape)
    elif (n_disc > 1 and real.shape.rank == len(sample_shape) + 2
          and real.shape[1] == n_disc):
        real = tf.reshape(real, [-1] + [d if d is not None else tf.shape(real)[i + 2]
                                        for i, d in enumerate(real.shape[2:].as_list())])
    elif real.shape.rank != len(sample_shape) + 1:
        raise ValueError(f"`evaluate` takes real samples shaped [batch, *{sample_shape}] "
                         f"(or a training element [batch, n_disc, ...]). Received: "
                         f"shape={real.shape}")
    return real


def update_ema(ema_weights, weights, decay):
    """`ema <- decay * ema + (1 - decay) * w` for each pair."""
    for e, w in zip(ema_weights, weights):
        e.assign(decay * e + (1.0 - decay) * w)
