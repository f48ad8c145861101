"""Discriminator penalties: docs/METHODS.md section 2.

Each penalty is a plain function `name(discriminator, real, fake, *, <weight>, seed=None,
training=True, ...)` returning the scalar the discriminator minimises (added to its loss),
computed over the local batch. Gradients with respect to inputs come from a nested
`tf.GradientTape`, so the result stays differentiable in the discriminator's weights (and in
the generator's, through `fake`). "Gradient" is per sample, flattened over all input
dimensions; the discriminator must treat samples independently (no batch norm, Kodali et al. 2017).

Random points (interpolation weights, DRAGAN perturbations) are drawn statelessly from `seed`
through `tfgan_reg.rng`, so they are reproducible and identical under any replica split;
`seed=None` draws a fresh seed.

Mixed precision (`tfgan_reg.precision`): logits and input gradients are cast to float32
before any square, norm or mean. For a float16 discriminator the input gradient is taken of
`loss_scale * logits` and divided by `loss_scale` in float32 (default `precision.INITIAL_SCALE`;
`GAN` passes its discriminator optimiser's dynamic scale), so a small `grad_x D` does not
underflow in float16's backward pass.

One discriminator pass: the penalties evaluated at the samples the loss sees (R1 on `real`,
R2 and `roth_f` on `fake`, `roth_js` and `zero_gp_sample` on both; `SHARED_POINTS`) also take
`real_pass=` / `fake_pass=`, the `(logits, grad_sq)` of `discriminator_pass` at exactly those
points, so a training step that already ran D there for its loss does not run it again. Called
without them, they make the pass themselves: the same numbers.
"""
import inspect
import warnings

import keras
import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg import losses as losses_lib
from tfgan_reg import precision
from tfgan_reg import rng
from tfgan_reg import schedules
from tfgan_reg import sublayers


def _per_sample(x):
    """Flattens a per-sample quantity ([B] or [B, 1]) to [B]."""
    return tf.reshape(x, [tf.shape(x)[0]])


def _inner_scale(discriminator, loss_scale):
    """The factor an input gradient is taken at: `loss_scale`, or the initial loss scale for a
    float16 discriminator, or None (no scaling)."""
    if loss_scale is not None:
        return tf.cast(loss_scale, tf.float32)
    if (isinstance(discriminator, keras.layers.Layer)
            and precision.compute_dtype(discriminator) == tf.float16):
        return tf.constant(precision.INITIAL_SCALE, tf.float32)
    return None


def discriminator_pass(discriminator, x, *, training=True, input_gradient=True,
                       loss_scale=None):
    """D's raw logits at `x` in float32 and, if `input_gradient`, `||grad_x D(x)||^2` per
    sample ([B], float32; else None): one forward pass serving a loss and the penalties
    evaluated at `x`.

    Summing the outputs before differentiating gives every sample's own gradient because each
    output depends on its own input only.
    """
    if not input_gradient:
        return precision.float32(discriminator(x, training=training)), None
    scale = _inner_scale(discriminator, loss_scale)
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = precision.float32(discriminator(x, training=training))
        target = tf.reduce_sum(logits) if scale is None else tf.reduce_sum(logits) * scale
    grads = precision.float32(tape.gradient(target, x))
    if scale is not None:
        grads = grads / scale
    grad_sq = tf.reduce_sum(tf.square(grads), axis=list(range(1, grads.shape.rank)))
    return logits, grad_sq


def logits_and_grad_sq(discriminator, x, *, training=True, loss_scale=None):
    """D's per-sample logits at `x` and `||grad_x D(x)||^2` per sample, both shape [B],
    float32 (see `discriminator_pass`)."""
    logits, grad_sq = discriminator_pass(discriminator, x, training=training,
                                         loss_scale=loss_scale)
    return _per_sample(logits), grad_sq


def _at(discriminator, x, given, training, loss_scale):
    """`given` (a shared pass at `x`: (logits [B], grad_sq [B])), or a pass of its own."""
    if given is not None:
        logits, grad_sq = given
        return _per_sample(logits), grad_sq
    return logits_and_grad_sq(discriminator, x, training=training, loss_scale=loss_scale)


def safe_norm(squared):
    """`sqrt(squared)` with a zero (not NaN) derivative where `squared` is exactly 0.

    The inner `tf.where` keeps `sqrt` away from 0, so its infinite derivative there is never
    multiplied by the zero the outer `tf.where` routes back; no epsilon shifts the value.
    """
    positive = squared > 0
    return tf.where(positive, tf.sqrt(tf.where(positive, squared, tf.ones_like(squared))),
                    tf.zeros_like(squared))


def _seed(seed):
    return rng.random_seed() if seed is None else rng.as_seed(seed)


def _per_sample_uniform(seed, x):
    """U[0, 1] weights of shape [B, 1, ..., 1] that broadcast against the batch `x`."""
    u = rng.uniform(seed, tf.shape(x)[0], (), x.dtype)
    return tf.reshape(u, [-1] + [1] * (x.shape.rank - 1))


def _interpolate(real, fake, seed):
    """`e x + (1 - e) x~` with `e ~ U[0, 1]` per sample."""
    e = _per_sample_uniform(rng.fold(seed, 0), real)
    return e * real + (1.0 - e) * fake


def _global_std(x):
    """Standard deviation over every element of the global batch (all replicas)."""
    x = tf.cast(tf.stop_gradient(x), tf.float32)
    moments = tf.stack([tf.cast(tf.size(x), tf.float32), tf.reduce_sum(x),
                        tf.reduce_sum(tf.square(x))])
    ctx = tf.distribute.get_replica_context()
    if ctx is not None:
        moments = ctx.all_reduce(tf.distribute.ReduceOp.SUM, moments)
    n, s, ss = moments[0], moments[1], moments[2]
    mean = s / n
    return tf.sqrt(tf.maximum(ss / n - tf.square(mean), 0.0))


def _check_weight(name, value):
    if tf.is_tensor(value) and not tf.executing_eagerly():
        return  # a traced schedule value is checked where the schedule is made
    checks.number(name, float(value) if tf.is_tensor(value) else value, low=0)


def wgan_gp(discriminator, real, fake, *, lam=10.0, target=1.0, seed=None, training=True,
            loss_scale=None):
    """1-centred gradient penalty at real-fake interpolates (Gulrajani et al. 2017).

    `lam * E (||grad D(x^)|| - target)^2`, `x^ = e x + (1 - e) x~`, `e ~ U[0, 1]` per sample.
    `target` other than 1: Mescheder et al. 2018's WGAN-GP with target (its weight divided by
    target^2 is theirs), or a 1-centred penalty of another input or output scale.
    """
    _check_weight("lam", lam)
    checks.number("target", target, low=0)
    x_hat = _interpolate(real, fake, _seed(seed))
    _, grad_sq = logits_and_grad_sq(discriminator, x_hat, training=training,
                                    loss_scale=loss_scale)
    return lam * tf.reduce_mean(tf.square(safe_norm(grad_sq) - target))


def dragan_points(real, seed, *, c=0.5):
    """DRAGAN's perturbed points `x + a * C * std(x) * U[0, 1)` (Kodali et al. 2017, section 4).

    `std` is over every element of the (global) batch, the uniform noise is elementwise and
    `a ~ U[0, 1]` per sample. The points carry no gradient to `real`.
    """
    delta = c * _global_std(real) * rng.like("uniform", rng.fold(seed, 1), real)
    a = _per_sample_uniform(rng.fold(seed, 2), real)
    return tf.stop_gradient(real + a * delta)


def dragan(discriminator, real, fake, *, lam=10.0, c=0.5, target=1.0, seed=None,
           training=True, loss_scale=None):
    """DRAGAN: `lam * E (||grad D(x^)|| - target)^2` around the data (Kodali et al. 2017,
    eq. 8, target 1; METHODS 2). `target` other than 1 keeps a penalty written for another
    input scale (inputs scaled by s: `lam / s^2`, `target / s`)."""
    _check_weight("lam", lam)
    checks.number("target", target, low=0)
    x_hat = dragan_points(real, _seed(seed), c=c)
    _, grad_sq = logits_and_grad_sq(discriminator, x_hat, training=training,
                                    loss_scale=loss_scale)
    return lam * tf.reduce_mean(tf.square(safe_norm(grad_sq) - target))


def zero_gp(discriminator, real, fake, *, lam=10.0, seed=None, training=True,
           loss_scale=None):
    """0-GP: `lam * E ||grad D(x^)||^2` at real-fake interpolates (Thanh-Tung et al.
    2019; Li et al. 2019, section III-B)."""
    _check_weight("lam", lam)
    x_hat = _interpolate(real, fake, _seed(seed))
    _, grad_sq = logits_and_grad_sq(discriminator, x_hat, training=training,
                                    loss_scale=loss_scale)
    return lam * tf.reduce_mean(grad_sq)


def zero_gp_sample(discriminator, real, fake, *, lam=10.0, seed=None, training=True,
                   loss_scale=None, real_pass=None, fake_pass=None):
    """0-GP-sample: `lam * E_{v in x U x~} ||grad D(v)||^2` over both batches (Li et al. 2019,
    section III-B, after Mescheder et al. 2018).

    D sees the two batches in two passes, as the loss does.
    """
    _check_weight("lam", lam)
    _, real_sq = _at(discriminator, real, real_pass, training, loss_scale)
    _, fake_sq = _at(discriminator, fake, fake_pass, training, loss_scale)
    return lam * tf.reduce_mean(tf.concat([real_sq, fake_sq], 0))


def r1(discriminator, real, fake, *, gamma=10.0, seed=None, training=True, loss_scale=None,
       real_pass=None):
    """R1: `(gamma / 2) * E ||grad D(x)||^2` on real data (Mescheder et al. 2018, eq. 9)."""
    _check_weight("gamma", gamma)
    _, grad_sq = _at(discriminator, real, real_pass, training, loss_scale)
    return 0.5 * gamma * tf.reduce_mean(grad_sq)


def r2(discriminator, real, fake, *, gamma=10.0, seed=None, training=True, loss_scale=None,
       fake_pass=None):
    """R2: `(gamma / 2) * E ||grad D(x~)||^2` on generated data (Mescheder et al. 2018, eq. 10)."""
    _check_weight("gamma", gamma)
    _, grad_sq = _at(discriminator, fake, fake_pass, training, loss_scale)
    return 0.5 * gamma * tf.reduce_mean(grad_sq)


def roth_js(discriminator, real, fake, *, gamma=2.0, seed=None, training=True,
            loss_scale=None, real_pass=None, fake_pass=None):
    """Roth et al.'s JS-GAN regulariser in logit form (Roth et al. 2017, eq. 20).

    `(gamma/2) (E (1 - sigma(D(x)))^2 ||grad D(x)||^2 + E sigma(D(x~))^2 ||grad D(x~)||^2)`;
    pair it with the `non_saturating` or `minimax` loss.
    """
    _check_weight("gamma", gamma)
    real_logits, real_sq = _at(discriminator, real, real_pass, training, loss_scale)
    fake_logits, fake_sq = _at(discriminator, fake, fake_pass, training, loss_scale)
    # 1 - sigma(v) = sigma(-v) keeps the weight accurate for large positive logits.
    return 0.5 * gamma * (tf.reduce_mean(tf.square(tf.sigmoid(-real_logits)) * real_sq)
                          + tf.reduce_mean(tf.square(tf.sigmoid(fake_logits)) * fake_sq))


def roth_f(discriminator, real, fake, *, gamma=2.0, divergence=None, seed=None,
           training=True, loss_scale=None, fake_pass=None):
    """Roth et al.'s f-GAN regulariser (Roth et al. 2017, eq. 19).

    `(gamma/2) E f*''(T(x~)) ||grad_x T(x~)||^2` with `T = g_f(D)`, evaluated as
    `roth_weight(v) ||grad v||^2` (see `losses.FDivergence`). `divergence` names the f-GAN
    loss being trained, one of `losses.F_DIVERGENCES`.
    """
    _check_weight("gamma", gamma)
    if not isinstance(divergence, losses_lib.FDivergence):
        checks.choice("divergence", divergence, sorted(losses_lib.F_DIVERGENCES))
    f = losses_lib.get(divergence)
    fake_logits, fake_sq = _at(discriminator, fake, fake_pass, training, loss_scale)
    return 0.5 * gamma * tf.reduce_mean(f.roth_weight(fake_logits) * fake_sq)


def l2(discriminator, real, fake, *, lam=1e-3, seed=None, training=True, loss_scale=None):
    """`lam * sum ||w||^2` over the discriminator's trainable weights (the ICR paper's baseline)."""
    _check_weight("lam", lam)
    return lam * tf.add_n([tf.reduce_sum(tf.square(w))
                           for w in discriminator.trainable_variables])


def consensus(gradients, *, gamma=10.0):
    """ConOpt's `gamma * 1/2 * ||v||^2`, `v` the joint vector of both players' gradients.

    Each player adds this to its own loss (Mescheder et al. 2017; 2018, Table 1); the
    gradients must have been taken under a tape that records them (double backprop).
    """
    _check_weight("gamma", gamma)
    return 0.5 * gamma * tf.add_n([tf.reduce_sum(tf.square(g)) for g in gradients
                                   if g is not None])


_REGISTRY = {fn.__name__: fn for fn in (
    wgan_gp, dragan, zero_gp, zero_gp_sample, r1, r2, roth_js, roth_f, l2)}

# The keyword that carries each penalty's weight, as in its paper.
WEIGHT_KEYWORD = {"wgan_gp": "lam", "dragan": "lam", "zero_gp": "lam", "zero_gp_sample": "lam",
                  "l2": "lam", "r1": "gamma", "r2": "gamma", "roth_js": "gamma",
                  "roth_f": "gamma"}

# Penalties that need the trained loss to be an f-divergence (passed as `divergence=`).
NEEDS_F_DIVERGENCE = frozenset({"roth_f"})

# The points (of the loss's own pass) each penalty evaluates D at: see the module docstring.
SHARED_POINTS = {"r1": ("real",), "r2": ("fake",), "roth_f": ("fake",),
                 "roth_js": ("real", "fake"), "zero_gp_sample": ("real", "fake")}

# Keywords a training run supplies itself rather than the user.
_SUPPLIED = ("seed", "training", "divergence", "loss_scale", "real_pass", "fake_pass")
# Keywords of `configure` that shape the weight's schedule.
SCHEDULE_KEYWORDS = ("schedule", "alpha")


# Penalties computed from per-sample input gradients: they assume D treats every sample
# independently (Kodali et al. 2017, section 4: "BN introduces correlations between samples").
PER_SAMPLE = frozenset(_REGISTRY) - {"l2"}


def names():
    return sorted(_REGISTRY)


def batch_norm_layers(model):
    """Names of the batch-normalisation layers inside `model` (nested models included)."""
    return sorted({layer.name for layer in sublayers.flatten(model, include_self=True)
                   if isinstance(layer, keras.layers.BatchNormalization)})


def keras_normalization_layers(model):
    """Names of Keras's own layer, batch and group normalisation layers inside `model` (not
    the `tfgan_reg.nets.layers` subclasses): their `tf.nn.moments` has inexact second
    derivatives (see `nets.layers`)."""
    kinds = (keras.layers.LayerNormalization, keras.layers.BatchNormalization,
             keras.layers.GroupNormalization)
    return sorted({layer.name for layer in sublayers.flatten(model, include_self=True)
                   if type(layer) in kinds})


def check_discriminator(discriminator, penalty_names):
    """Warns (`UserWarning`) when a per-sample gradient penalty meets batch norm in D, or
    Keras's own normalisation layers; returns the warning texts (a list).

    Batch norm: the penalty's gradient of sample i's output w.r.t. sample i's input is taken
    in training mode, where batch statistics make every output depend on the whole batch:
    summing the outputs before differentiating then adds every other sample's cross terms, so
    the penalty no longer measures what its paper states (Kodali et al. 2017, section 4,
    replace BN by layer norm). A warning, not an error: papers did train such pairs (Roth et
    al. 2017, section 5.3, used BN in D with their regulariser); prefer layer normalisation.

    Keras's layers: the penalty's weight gradient differentiates D's backward pass, and their
    variance around `stop_gradient(mean)` gets that second derivative wrong (a few per cent
    here); `tfgan_reg.nets.layers` has the same layers with exact second derivatives.
    """
    per_sample = sorted(set(penalty_names) & PER_SAMPLE)
    messages = []
    bn = batch_norm_layers(discriminator) if per_sample else []
    if bn:
        messages.append(
            f"The discriminator has batch normalisation ({', '.join(bn)}) and is trained "
            f"with per-sample gradient penalties {per_sample}: in training mode batch "
            f"statistics couple the samples, so each sample's input gradient also carries "
            f"the other samples' terms and the penalty is not the one its paper defines. "
            f"Use layer normalisation (nets: normalization='layer') or no normalisation "
            f"in D.")
    inexact = keras_normalization_layers(discriminator) if per_sample else []
    if inexact:
        messages.append(
            f"The discriminator has Keras's own normalisation layers ({', '.join(inexact)}) "
            f"and is trained with gradient penalties {per_sample}: their moments "
            f"(tf.nn.moments) have inexact second derivatives, so the penalties' weight "
            f"gradients are off by a few per cent. Use the same layers from "
            f"tfgan_reg.nets.layers (LayerNormalization, BatchNormalization), whose second "
            f"derivatives are exact.")
    for message in messages:
        warnings.warn(message, UserWarning, stacklevel=3)
    return messages


def get(name):
    """The penalty function registered under `name`."""
    if callable(name):
        return name
    return _REGISTRY[checks.choice("penalty", name, names())]


def default_weight(name):
    """(weight keyword, its default) of the penalty `name`, e.g. ("gamma", 10.0) for r1."""
    keyword = WEIGHT_KEYWORD[checks.choice("penalty", name, names())]
    return keyword, inspect.signature(_REGISTRY[name]).parameters[keyword].default


def keywords(name):
    """The keywords `configure(name, ...)` accepts: the penalty's own and the schedule's."""
    params = inspect.signature(get(name)).parameters
    return sorted([k for k, p in params.items()
                   if p.kind is p.KEYWORD_ONLY and k not in _SUPPLIED]
                  + list(SCHEDULE_KEYWORDS))


class Penalty:
    """A penalty configured for training (see `configure`): called with the step and a seed,
    it evaluates its function with the weight the schedule gives at that step."""

    def __init__(self, name, weight_keyword, schedule, kwargs):
        self.name, self.fn = name, get(name)
        self.weight_keyword, self.schedule, self.kwargs = weight_keyword, schedule, kwargs
        # The loss's points this penalty can reuse a pass at (`SHARED_POINTS`).
        self.shared_points = SHARED_POINTS.get(name, ())

    def __call__(self, discriminator, real, fake, step, seed, training=True, *,
                 passes=None, loss_scale=None):
        """`passes`: {"real" / "fake": (logits, grad_sq)} of the loss's pass (see
        `discriminator_pass`), used for the points in `shared_points`."""
        kwargs = dict(self.kwargs, **{self.weight_keyword: self.schedule(step)})
        for point in self.shared_points if passes else ():
            kwargs[f"{point}_pass"] = passes[point]
        return self.fn(discriminator, real, fake, seed=seed, training=training,
                       loss_scale=loss_scale, **kwargs)

    def get_config(self):
        """{keyword: value} that `configure(self.name, loss=..., **config)` turns back into
        this penalty: the weight as a serialised Keras schedule (JSON-ready). Raises
        `ValueError` when the weight is a callable Keras cannot serialise."""
        if not isinstance(self.schedule, keras.optimizers.schedules.LearningRateSchedule):
            raise ValueError(
                f"Penalty {self.name!r}: its weight `{self.weight_keyword}` must be a number or "
                f"a registered Keras LearningRateSchedule (e.g. tfgan_reg.schedules.make) to be "
                f"saved. Received: {self.weight_keyword}={self.schedule!r}")
        config = {k: v for k, v in self.kwargs.items() if k not in _SUPPLIED}
        config[self.weight_keyword] = keras.saving.serialize_keras_object(self.schedule)
        return config

    @classmethod
    def from_config(cls, name, config, *, loss=None):
        """The penalty of `get_config`'s output (the trained `loss` for `roth_f`)."""
        config = dict(config)
        weight = config[WEIGHT_KEYWORD[name]]
        if isinstance(weight, dict):
            config[WEIGHT_KEYWORD[name]] = keras.saving.deserialize_keras_object(weight)
        return configure(name, loss=loss, **config)


def configure(name, *, loss=None, total_steps=1, prefix="", schedule="constant", alpha=0.01,
              **kwargs):
    """The `Penalty` that training adds to the discriminator's loss: the one place that knows
    a penalty's weight keyword, its allowed keywords, its schedule and what loss it needs.

    `kwargs` are the penalty's keywords (DRAGAN's `c`); its weight (`lam` or `gamma`, the
    function's default when absent) is a number, scheduled by `schedule` / `alpha` over
    `total_steps` (Roth et al. 2017, Algorithm 1), or already a schedule (a callable of the step).
    `loss` is the trained objective (a name or `losses.Loss`), needed by `roth_f`. `prefix`
    is put before every name in error messages (the config validation passes "penalty.").
    """
    keyword, default = default_weight(name)
    valid = keywords(name)
    for key, value in kwargs.items():
        if key not in valid:
            raise ValueError(f"Penalty {name!r} takes keywords {valid} (its weight is "
                             f"`{keyword}`). Received: {prefix}{key}={value!r}")
    weight = kwargs.pop(keyword, default)
    if not callable(weight):
        weight = schedules.configured(weight, schedule, alpha=alpha, total_steps=total_steps,
                                      key=f"{prefix}{keyword}", prefix=prefix)
    if name in NEEDS_F_DIVERGENCE:
        f = None if loss is None else losses_lib.get(loss)
        if f is None or not f.is_f_divergence:
            checks.choice("loss", getattr(f, "name", loss), sorted(losses_lib.F_DIVERGENCES),
                          note=f" (penalty {name!r} needs an f-divergence loss)")
        kwargs["divergence"] = f.name
    return Penalty(name, keyword, weight, kwargs)
