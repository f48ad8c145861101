"""The building blocks every network shares: normalisation by name (`normalization`,
`maybe_spectral`), seeded initialisers (`Seeds`), and batch and layer normalisation with the
Keras layers' weights, configs and numbers, computed with fewer TensorFlow ops.

Keras 3 normalises through `tf.nn.moments` and `tf.nn.batch_normalization`, whose forward and
backward graphs are dozens of small ops: on a 2-core CPU, a quarter of the DCGAN-CIFAR
generator's forward and backward time and a sixth of the discriminator's (measured by removing
them; benchmarks/throughput.py times the step). Here batch normalisation in training runs
as TensorFlow's fused kernel and layer normalisation as one centring and one scaling.

Second derivatives: `tf.nn.moments` computes the variance around `stop_gradient(mean)`. Its
first derivative is right (the variance is stationary in the mean) but the derivative of that
derivative misses the mean's dependence on the input, so a gradient penalty's weight gradient
through Keras's normalisation layers is wrong (1-2 % relative error on a small layer-norm
critic against finite differences). Both layers here compute their moments without it
(`moments`), so double backprop and forward-over-backward products through them are exact.
Every other case (inference, masks, renorm, rms scaling, non-trailing axes) is the Keras
layer's own code. Both are Keras layers registered for `.keras` files.
"""
import keras
import tensorflow as tf

from tfgan_reg import autodiff

NORMALIZATIONS = ("none", "batch", "layer", "spectral")
_EMPTY = ()


def check_normalization(name, valid=NORMALIZATIONS):
    """Raises `ValueError` unless `name` is one of `valid` (a network's choices)."""
    if name not in valid:
        raise ValueError(f"`normalization` must be one of {list(valid)}. "
                         f"Received: normalization={name!r}")


def normalization(name, valid=NORMALIZATIONS, *, conv=True):
    """The layer that follows a dense or convolution layer under normalisation `name`, checked
    against `valid`: batch or layer normalisation, else the identity ("none", and "spectral",
    which wraps the layer itself: `maybe_spectral`). Layer normalisation of a convolution's
    output is over (H, W, C), as in WGAN-GP's critic; with `conv=False` over the last axis."""
    check_normalization(name, valid)
    if name == "batch":
        return BatchNormalization()
    if name == "layer":
        return LayerNormalization(axis=(1, 2, 3) if conv else -1)
    return keras.layers.Identity()


def maybe_spectral(layer, name):
    """`layer` wrapped in `keras.layers.SpectralNormalization` if `name` is "spectral"."""
    return keras.layers.SpectralNormalization(layer) if name == "spectral" else layer


def seeded_glorot(seed, k):
    """The `k`-th layer's Glorot-uniform initializer for a network seeded with `seed`
    (`seed=None`: unseeded)."""
    if seed is None:
        return "glorot_uniform"
    return keras.initializers.GlorotUniform(seed=int(seed) * 7919 + k)


class Seeds:
    """Distinct, reproducible initializers for a network's successive layers: `kernel()` is
    `seeded_glorot(seed, k)` for k = 1, 2, ... (None: unseeded)."""

    def __init__(self, seed):
        self.seed, self.count = seed, 0

    def kernel(self):
        self.count += 1
        return seeded_glorot(self.seed, self.count)


def moments(x, axes, *, keepdims):
    """Mean and (biased) variance of `x` over `axes`, differentiable twice: unlike
    `tf.nn.moments`, the variance is taken around the mean itself, not `stop_gradient(mean)`
    (see the module docstring)."""
    mean = tf.reduce_mean(x, axes, keepdims=True)
    variance = tf.reduce_mean(tf.square(x - mean), axes, keepdims=True)
    if not keepdims:
        mean, variance = tf.squeeze(mean, axes), tf.squeeze(variance, axes)
    return mean, variance


def _replicated():
    """Whether this runs in one of several replicas (a `tf.distribute` replica context)."""
    ctx = tf.distribute.get_replica_context()
    return ctx is not None and ctx.num_replicas_in_sync > 1


@keras.saving.register_keras_serializable(package="tfgan_reg")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization`; training steps use `FusedBatchNormV3` (on float32 or
    bfloat16 inputs), except where forward-mode derivatives will be taken
    (`autodiff.in_forward_mode()`, as in CGD's mixed Hessian-vector products): there Keras's
    formula, because forward-mode derivatives of the fused kernel's gradient are the slower
    ones (92 against 84 ms per linearized product on seed 003's pair). Under several
    replicas the statistics are the global batch's (Keras's synchronised moments), so 1 and N
    replicas normalise alike."""

    def _moments(self, inputs, mask):
        if mask is None and _replicated():
            return keras.ops.moments(inputs, axes=self._reduction_axes, synchronized=True)
        if mask is None:
            return moments(inputs, self._reduction_axes, keepdims=False)
        return super()._moments(inputs, mask)

    def _fused(self, inputs, training, mask):
        return (training and self.trainable and mask is None and not self.renorm
                and not autodiff.in_forward_mode() and not _replicated()
                and not self.synchronized and inputs.dtype in (tf.float32, tf.bfloat16)
                and self.moving_mean.dtype == "float32" and inputs.shape.rank in (2, 4)
                and self.axis in (-1, inputs.shape.rank - 1))

    def call(self, inputs, training=None, mask=None):
        if not self._fused(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        channels = inputs.shape[-1]
        x = inputs if inputs.shape.rank == 4 else tf.reshape(inputs, [-1, 1, 1, channels])
        # The kernel normalises a bfloat16 `x` in float32 (as Keras's formula does under
        # mixed_bfloat16), from float32 scale and offset; its Keras-formula fallback is 2.7x
        # slower there.
        gamma = tf.cast(self.gamma.value, tf.float32) if self.scale else tf.ones([channels])
        beta = tf.cast(self.beta.value, tf.float32) if self.center else tf.zeros([channels])
        y, mean, variance, *_ = tf.raw_ops.FusedBatchNormV3(
            x=x, scale=gamma, offset=beta, mean=tf.constant(_EMPTY, tf.float32),
            variance=tf.constant(_EMPTY, tf.float32), epsilon=self.epsilon,
            exponential_avg_factor=1.0, data_format="NHWC", is_training=True)
        # The kernel returns the unbiased variance; Keras tracks the biased one.
        n = tf.cast(tf.size(inputs) // channels, tf.float32)
        variance = variance * (n - 1.0) / tf.maximum(n, 1.0)
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(
            self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        return y if inputs.shape.rank == 4 else tf.reshape(y, tf.shape(inputs))


@keras.saving.register_keras_serializable(package="tfgan_reg")
class LayerNormalization(keras.layers.LayerNormalization):
    """`keras.layers.LayerNormalization`; over trailing axes `(x - mean) / std` then the
    affine map, in float32 for float16 / bfloat16 inputs (as Keras computes it), without the
    full-size intermediate Keras's formula makes and with exact second derivatives
    (`moments`)."""

    def call(self, inputs):
        rank = inputs.shape.rank
        axes = sorted(a % rank for a in self.axis)
        if self.rms_scaling or axes != list(range(rank - len(axes), rank)):
            return super().call(inputs)
        x = inputs if inputs.dtype in (tf.float32, tf.float64) else tf.cast(inputs, tf.float32)
        mean, variance = moments(x, axes, keepdims=True)
        y = (x - mean) * tf.math.rsqrt(variance + tf.cast(self.epsilon, x.dtype))
        # Under a mixed policy the weights arrive in the compute dtype, as in Keras's layer.
        if self.scale:
            y = y * tf.cast(self.gamma.value, x.dtype)
        if self.center:
            y = y + tf.cast(self.beta.value, x.dtype)
        return tf.cast(y, self.compute_dtype)


def as_keras(model):
    """A copy of `model` (same weights) with these layers replaced by the Keras layers they
    extend, for `.keras` files that load with Keras alone."""
    def clone(layer):
        for ours in (BatchNormalization, LayerNormalization):
            if type(layer) is ours:
                return ours.__bases__[0].from_config(layer.get_config())
        return layer.__class__.from_config(layer.get_config())

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy
