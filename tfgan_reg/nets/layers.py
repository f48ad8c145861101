"""The building blocks every network shares: normalisation by name (`normalization`,
`maybe_spectral`), seeded initialisers (`Seeds`), batch and layer normalisation with the
Keras layers' weights, configs and numbers, computed with fewer TensorFlow ops, and the DCGAN
convolutions (`Conv2D`, `Conv2DTranspose`: see `conv_k4s2`).

Keras 3 normalises through `tf.nn.moments` and `tf.nn.batch_normalization`, whose forward and
backward graphs are dozens of small ops, a large share of a DCGAN step on a CPU
(benchmarks/throughput.py times the step). Here batch normalisation in training runs as
TensorFlow's fused kernel and layer normalisation as one centring and one scaling.

Second derivatives: `tf.nn.moments` computes the variance around `stop_gradient(mean)`. Its
first derivative is right (the variance is stationary in the mean) but the derivative of that
derivative misses the mean's dependence on the input, so a gradient penalty's weight gradient
through Keras's normalisation layers is wrong (in float64 against finite differences on a
small critic, tests/test_layers.py: 5.5 % relative error through layer norm, 3.6 % through
batch norm). Both layers here compute their moments without it
(`moments`), so double backprop and forward-over-backward products through them are exact.
Every other case (inference, masks, renorm, rms scaling, non-trailing axes) is the Keras
layer's own code. Both are Keras layers registered for `.keras` files.
"""
import keras
import tensorflow as tf

from tfgan_reg import autodiff
from tfgan_reg import checks
from tfgan_reg import precision

NORMALIZATIONS = ("none", "batch", "layer", "spectral")
_EMPTY = ()


def check_normalization(name, valid=NORMALIZATIONS):
    """Raises `ValueError` unless `name` is one of `valid` (a network's choices)."""
    checks.choice("normalization", name, valid)


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


def _centred_moments(x, axes):
    """(x - mean, mean, biased variance) over `axes`, the statistics kept as dimensions."""
    mean = tf.reduce_mean(x, axes, keepdims=True)
    centred = x - mean
    return centred, mean, tf.reduce_mean(tf.square(centred), axes, keepdims=True)


def moments(x, axes, *, keepdims):
    """Mean and (biased) variance of `x` over `axes`, differentiable twice: unlike
    `tf.nn.moments`, the variance is taken around the mean itself, not `stop_gradient(mean)`
    (see the module docstring)."""
    _, mean, variance = _centred_moments(x, axes)
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
    (`autodiff.in_forward_mode()`, as in CGD's mixed Hessian-vector products, whose
    forward-mode derivatives of the fused kernel's gradient are the slower ones) and in the
    other unmasked training cases: there Keras's formula with `moments`. Under several
    replicas the statistics are the global batch's (Keras's synchronised moments), so 1 and N
    replicas normalise alike. Masks, renorm and inference are the Keras layer's own code."""

    def _formula(self, inputs):
        """A training step by Keras's formula (its `call`, step for step) with `moments`."""
        x = keras.ops.cast(inputs, keras.backend.result_type(inputs.dtype, "float32"))
        moving_mean = keras.ops.cast(self.moving_mean, x.dtype)
        moving_variance = keras.ops.cast(self.moving_variance, x.dtype)
        gamma = keras.ops.cast(self.gamma, x.dtype) if self.scale else None
        beta = keras.ops.cast(self.beta, x.dtype) if self.center else None
        rank = len(x.shape)
        axes = [i for i in range(rank) if i != self.axis % rank]
        if _replicated():
            mean, variance = keras.ops.moments(x, axes=axes, synchronized=True)
        else:
            mean, variance = moments(x, axes, keepdims=False)
        self.moving_mean.assign(moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(
            moving_variance * self.momentum + variance * (1.0 - self.momentum))
        y = keras.ops.batch_normalization(x, mean=mean, variance=variance, axis=self.axis,
                                          offset=beta, scale=gamma, epsilon=self.epsilon)
        return keras.ops.cast(y, self.compute_dtype)

    def _fused(self, inputs, training, mask):
        return (training and self.trainable and mask is None and not self.renorm
                and not autodiff.in_forward_mode() and not _replicated()
                and not self.synchronized and inputs.dtype in (tf.float32, tf.bfloat16)
                and self.moving_mean.dtype == "float32" and inputs.shape.rank in (2, 4)
                and self.axis in (-1, inputs.shape.rank - 1))

    def call(self, inputs, training=None, mask=None):
        if not (training and self.trainable) or mask is not None or self.renorm:
            return super().call(inputs, training=training, mask=mask)
        if not self._fused(inputs, training, mask):
            return self._formula(inputs)
        channels = inputs.shape[-1]
        x = inputs if inputs.shape.rank == 4 else tf.reshape(inputs, [-1, 1, 1, channels])
        # The kernel normalises a bfloat16 `x` in float32 (as Keras's formula does under
        # mixed_bfloat16), from float32 scale and offset, faster than Keras's formula there.
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
        centred, _, variance = _centred_moments(x, axes)
        y = centred * tf.math.rsqrt(variance + tf.cast(self.epsilon, x.dtype))
        # Under a mixed policy the weights arrive in the compute dtype, as in Keras's layer.
        if self.scale:
            y = y * tf.cast(self.gamma.value, x.dtype)
        if self.center:
            y = y + tf.cast(self.beta.value, x.dtype)
        return tf.cast(y, self.compute_dtype)


# --- DCGAN's 4x4 stride-2 convolutions --------------------------------------------------------

def _k4s2_filter_gradient(inputs, out_backprop):
    """d/dkernel of `conv2d(inputs, kernel [4, 4, C, O], stride 2, "SAME")` against
    `out_backprop` [N, H/2, W/2, O], as one matmul of `inputs`' patches: padding 1, then
    space-to-depth turns the 4x4 window into 2x2 blocks of 2x2 pixels."""
    _, h, w, c = inputs.shape
    blocks = tf.nn.space_to_depth(tf.pad(inputs, [[0, 0], [1, 1], [1, 1], [0, 0]]), 2)
    patches = tf.concat([blocks[:, i:i + h // 2, j:j + w // 2, :] for i in (0, 1)
                         for j in (0, 1)], axis=-1)  # channels (bi, bj, di, dj, c)
    out = out_backprop.shape[-1]
    grad = tf.matmul(tf.reshape(patches, [-1, 16 * c]), tf.reshape(out_backprop, [-1, out]),
                     transpose_a=True)
    # Kernel row a = 2 bi + di, column b = 2 bj + dj.
    grad = tf.transpose(tf.reshape(grad, [2, 2, 2, 2, c, out]), [0, 2, 1, 3, 4, 5])
    return tf.reshape(grad, [4, 4, c, out])


def conv_k4s2(inputs, kernel):
    """`tf.nn.conv2d(inputs, kernel, 2, "SAME")` for a 4x4 kernel whose kernel gradient is
    `_k4s2_filter_gradient`, differentiable to any order.

    Why: on a CPU with oneDNN and AMX, the bfloat16 kernel gradient of a convolution with a
    4x4 output map is slower than this matmul of patches (benchmarks/throughput.py's DCGAN
    rows); forward and input gradient stay oneDNN's.
    """
    @tf.custom_gradient
    def conv(x, k):
        def grad(dy):
            dx = tf.nn.conv2d_transpose(dy, k, tf.shape(x), 2, "SAME")
            return dx, _k4s2_filter_gradient(x, dy)
        return tf.nn.conv2d(x, k, 2, "SAME"), grad
    return conv(inputs, kernel)


def conv_transpose_k4s2(inputs, kernel):
    """`tf.nn.conv2d_transpose(inputs, kernel, 2, "SAME")` to twice the side, for a 4x4
    kernel [4, 4, out, in], with its kernel gradient as one matmul (see `conv_k4s2`)."""
    @tf.custom_gradient
    def conv_transpose(x, k):
        shape = tf.stack([tf.shape(x)[0], 2 * x.shape[1], 2 * x.shape[2], k.shape[2]])

        def grad(dy):
            return tf.nn.conv2d(dy, k, 2, "SAME"), _k4s2_filter_gradient(dy, x)
        return tf.nn.conv2d_transpose(x, k, shape, 2, "SAME"), grad
    return conv_transpose(inputs, kernel)


# The largest side of the 4x4 map at which the matmul kernel gradient is used: faster there
# under bfloat16, no faster from 8x8 on.
MATMUL_GRADIENT_SIDE = 4


def _uses_matmul_gradient(layer, small_side):
    """Whether `layer` (a 4x4 stride-2 "same" convolution or its transpose) takes
    `conv_k4s2`: under bfloat16, on a machine without accelerators, not traced for
    forward-mode derivatives, when the map at its stride-2 side is at most
    `MATMUL_GRADIENT_SIDE` on each side."""
    return (layer.compute_dtype == "bfloat16" and tuple(layer.kernel_size) == (4, 4)
            and tuple(layer.strides) == (2, 2) and layer.padding == "same"
            and tuple(layer.dilation_rate) == (1, 1) and getattr(layer, "groups", 1) == 1
            and layer.data_format == "channels_last"
            and all(side is not None and side <= MATMUL_GRADIENT_SIDE for side in small_side)
            and not autodiff.in_forward_mode()
            and not precision.accelerator_visible())


@keras.saving.register_keras_serializable(package="tfgan_reg")
class Conv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D`; a 4x4 stride-2 "same" convolution to a small map under
    bfloat16 takes `conv_k4s2` (same numbers, faster kernel gradient on a CPU)."""

    def convolution_op(self, inputs, kernel):
        h, w = inputs.shape[1], inputs.shape[2]
        even = h is not None and w is not None and h % 2 == 0 and w % 2 == 0
        if not (even and _uses_matmul_gradient(self, (h // 2, w // 2))):
            return super().convolution_op(inputs, kernel)
        return conv_k4s2(inputs, tf.cast(kernel, inputs.dtype))


@keras.saving.register_keras_serializable(package="tfgan_reg")
class Conv2DTranspose(keras.layers.Conv2DTranspose):
    """`keras.layers.Conv2DTranspose`; a 4x4 stride-2 "same" transpose from a small map under
    bfloat16 takes `conv_transpose_k4s2` (see `Conv2D`)."""

    def call(self, inputs):
        if self.output_padding is not None or not _uses_matmul_gradient(
                self, (inputs.shape[1], inputs.shape[2])):
            return super().call(inputs)
        # Keras's epilogue after its `ops.conv_transpose` (it has no hook for the op alone).
        outputs = conv_transpose_k4s2(inputs, tf.cast(self.kernel.value, inputs.dtype))
        if self.use_bias:
            outputs = outputs + tf.reshape(tf.cast(self.bias.value, outputs.dtype),
                                           [1, 1, 1, self.filters])
        return self.activation(outputs) if self.activation is not None else outputs


def as_keras(model):
    """A copy of `model` (same weights) with these layers replaced by the Keras layers they
    extend, for `.keras` files that load with Keras alone."""
    def clone(layer):
        for ours in (BatchNormalization, LayerNormalization, Conv2D, Conv2DTranspose):
            if type(layer) is ours:
                return ours.__bases__[0].from_config(layer.get_config())
        return layer.__class__.from_config(layer.get_config())

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy
