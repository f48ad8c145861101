"""Batch and layer normalisation with the Keras layers' weights, configs and numbers, computed
with fewer TensorFlow ops.

Keras 3 normalises through `tf.nn.moments` and `tf.nn.batch_normalization`, whose forward and
backward graphs are dozens of small ops: on a 2-core CPU, a quarter of the DCGAN-CIFAR
generator's forward and backward time and a sixth of the discriminator's (measured by removing
them; benchmarks/throughput.py times the step). Here batch normalisation in training runs
as TensorFlow's fused kernel and layer normalisation as one centring and one scaling. Every
other case (inference, masks, renorm, synchronised statistics, other dtypes or axes) is the
Keras layer's own code. Both are Keras layers registered for `.keras` files.
"""
import contextlib
import threading

import keras
import tensorflow as tf

_EMPTY = ()
_state = threading.local()


@contextlib.contextmanager
def keras_batch_norm():
    """Within, `BatchNormalization` traces Keras's formula instead of the fused kernel: the
    forward-mode derivatives of the fused kernel's gradient are the slower ones (mixed
    Hessian-vector products of seed 003's pair: 92 against 84 ms)."""
    before = getattr(_state, "keras", False)
    _state.keras = True
    try:
        yield
    finally:
        _state.keras = before


@keras.saving.register_keras_serializable(package="tfgan_reg")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization`; training steps use `FusedBatchNormV3`."""

    def _fused(self, inputs, training, mask):
        return (training and self.trainable and mask is None and not self.renorm
                and not getattr(_state, "keras", False)
                and not self.synchronized and inputs.dtype == tf.float32
                and self.moving_mean.dtype == "float32" and inputs.shape.rank in (2, 4)
                and self.axis in (-1, inputs.shape.rank - 1))

    def call(self, inputs, training=None, mask=None):
        if not self._fused(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        channels = inputs.shape[-1]
        x = inputs if inputs.shape.rank == 4 else tf.reshape(inputs, [-1, 1, 1, channels])
        gamma = self.gamma.value if self.scale else tf.ones([channels])
        beta = self.beta.value if self.center else tf.zeros([channels])
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
    """`keras.layers.LayerNormalization`; over trailing axes in float32, `(x - mean) / std`
    then the affine map, without the full-size intermediate Keras's formula makes."""

    def call(self, inputs):
        rank = inputs.shape.rank
        axes = sorted(a % rank for a in self.axis)
        if (self.rms_scaling or inputs.dtype != tf.float32
                or axes != list(range(rank - len(axes), rank))):
            return super().call(inputs)
        mean, variance = tf.nn.moments(inputs, axes, keepdims=True)
        y = (inputs - mean) * tf.math.rsqrt(variance + self.epsilon)
        if self.scale:
            y = y * self.gamma.value
        if self.center:
            y = y + self.beta.value
        return y


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
