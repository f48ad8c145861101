"""Mixed precision: which Keras dtype policy the players compute in, and what that asks of
the training step.

Under "mixed_bfloat16" and "mixed_float16" the variables stay float32 and the layers compute
in the low dtype (Keras's policies). `GAN` then takes logits and samples as float32, so
losses, penalty norms and every reduction are float32; under float16 both optimisers are
wrapped in Keras's `LossScaleOptimizer` (dynamic loss scaling: a step whose gradients are not
finite is skipped and the scale halved) and each penalty's inner input gradient is taken of the
logits times the discriminator optimiser's current scale and divided by it in float32, so a
small `grad_x D` does not underflow in float16 and an overflow skips the step like any other.
bfloat16 has float32's exponent range and needs no scaling.
"""
import contextlib
import warnings

import keras
import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg import cpu
from tfgan_reg import sublayers

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")

# Keras's LossScaleOptimizer starts here; the inner scale of a penalty called on its own
# under float16 (no optimiser to take the scale from) is the same.
INITIAL_SCALE = 2.0 ** 15
# The precisions `warn_if_emulated` has warned of in this process.
_WARNED = set()


def float32(x):
    """`x` (a tensor or a nest of them) in float32: what every output and loss is reported in."""
    return tf.nest.map_structure(lambda t: tf.cast(t, tf.float32), x)


def check(precision, key="precision"):
    """`precision`, or `ValueError` naming it and the valid choices."""
    return checks.choice(key, precision, PRECISIONS)


@contextlib.contextmanager
def policy_scope(precision):
    """Networks built inside compute in `precision` (Keras's global dtype policy, restored on
    exit)."""
    check(precision)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def policy_name(model):
    """The dtype policy a Keras model computes in: that of its layers holding weights, the
    low-precision one when some layers (an output layer, say) were kept float32. A model's
    own `dtype_policy` is not it: a deserialised model takes the global policy while its
    layers keep theirs."""
    names = {layer.dtype_policy.name for layer in sublayers.flatten(model)
             if layer.weights and getattr(layer, "dtype_policy", None) is not None}
    low = sorted(names - {"float32"})
    if len(low) > 1:
        raise ValueError(f"The {model.name} model mixes dtype policies {low}; build it under "
                         f"one of {list(PRECISIONS)}.")
    if low:
        return low[0]
    return "float32" if names else model.dtype_policy.name


def compute_dtype(model):
    """float32, bfloat16 or float16: the dtype `model`'s layers compute in."""
    name = policy_name(model)
    return tf.as_dtype(keras.dtype_policies.get(name).compute_dtype)


def check_models(precision, **models):
    """Raises `ValueError` unless every model was built under `precision`'s policy."""
    check(precision)
    for role, model in models.items():
        name = policy_name(model)
        if name != precision:
            raise ValueError(
                f"precision={precision!r} needs the {role} built under that dtype policy; it "
                f"was built under {name!r}. Build it inside "
                f"`with tfgan_reg.precision.policy_scope({precision!r}):` (or convert a built "
                f"one with `tfgan_reg.precision.convert(model, {precision!r})`).")


def convert(model, precision):
    """A copy of the functional/sequential `model` whose layers compute in `precision`, with
    the same (float32) weights."""
    check(precision)

    def clone(layer):
        config = layer.get_config()
        config["dtype"] = precision
        return layer.__class__.from_config(config)

    with policy_scope(precision):
        copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


def accelerator_visible():
    """Whether TensorFlow sees a GPU or TPU (where the CPU's costs and emulations do not apply)."""
    return bool(tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("TPU"))


def warn_if_emulated(precision):
    """Warns once per process (a `UserWarning`; the commands print it as one `warning:` line)
    when `precision` is emulated here: no GPU or TPU is visible and this CPU lacks the
    instructions that compute it (`cpu.emulation_warning`, which names the missing feature
    and the measured cost). Returns the warning's text, or None. `GAN` calls this, so a run
    and a library user both hear of it."""
    check(precision)
    if precision == "float32" or precision in _WARNED or accelerator_visible():
        return None
    message = cpu.emulation_warning(precision, cpu.read())
    if message is not None:
        _WARNED.add(precision)
        warnings.warn(message, UserWarning, stacklevel=3)
    return message


def uses_loss_scale(precision):
    return precision == "mixed_float16"


def wrap_optimizer(optimizer, precision):
    """`optimizer` in a `LossScaleOptimizer` under float16 (unless it already is one)."""
    if uses_loss_scale(precision) and not isinstance(
            optimizer, keras.optimizers.LossScaleOptimizer):
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def loss_scale(optimizer):
    """The current dynamic scale of a `LossScaleOptimizer` (None for any other optimiser)."""
    if not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return None
    if not optimizer.built:
        return tf.constant(optimizer.initial_scale, tf.float32)
    return tf.convert_to_tensor(optimizer.dynamic_scale)


def agree_on_finite(grads):
    """`grads`, all NaN on every replica when any replica's are not finite.

    Keras's `LossScaleOptimizer` decides to skip a step from the first replica's local
    gradients (or, where a strategy needs no merge call, each replica for itself): an overflow
    on another replica would be summed into the update, or the replicas would part ways. With
    one shared verdict every replica skips the step together.
    """
    ctx = tf.distribute.get_replica_context()
    if ctx is None or ctx.num_replicas_in_sync < 2:
        return grads
    finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads
                            if g is not None])
    bad = ctx.all_reduce(tf.distribute.ReduceOp.SUM, 1.0 - tf.cast(finite, tf.float32))
    return [None if g is None else tf.where(bad > 0, tf.fill(tf.shape(g), float("nan")), g)
            for g in grads]


def scale_loss(optimizer, loss):
    """`loss` times the optimiser's dynamic scale under float16; `loss` otherwise."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer.scale_loss(loss)
    return loss
