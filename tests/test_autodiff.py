"""`autodiff.forward_mode()`: its state (nesting, errors, threads) and the layer that reads it
(batch normalisation traces Keras's formula inside, the fused kernel outside)."""
import threading

import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import autodiff
from tfgan_reg.nets import layers


def test_forward_mode_nests_and_restores_the_state():
    assert not autodiff.in_forward_mode()
    with autodiff.forward_mode():
        assert autodiff.in_forward_mode()
        with autodiff.forward_mode():
            assert autodiff.in_forward_mode()
        assert autodiff.in_forward_mode()  # the inner exit restores the outer state
    assert not autodiff.in_forward_mode()


def test_forward_mode_is_restored_after_an_error():
    with pytest.raises(RuntimeError, match="inside"):
        with autodiff.forward_mode():
            raise RuntimeError("inside")
    assert not autodiff.in_forward_mode()


def test_forward_mode_is_per_thread():
    # A replica thread of a distribution strategy enters it for itself.
    seen = []
    with autodiff.forward_mode():
        worker = threading.Thread(target=lambda: seen.append(autodiff.in_forward_mode()))
        worker.start()
        worker.join()
    assert seen == [False]


def _op_types(fn, x):
    return {op.type for op in fn.get_concrete_function(x).graph.get_operations()}


@pytest.mark.parametrize("shape", [(6, 5), (4, 3, 3, 5)], ids=["dense", "conv"])
def test_batch_normalization_uses_keras_formula_in_forward_mode(shape):
    x = tf.constant(np.random.default_rng(0).normal(1.0, 2.0, size=shape), tf.float32)
    layer = layers.BatchNormalization()
    layer.build(shape)

    @tf.function
    def fused(x):
        return layer(x, training=True)

    @tf.function
    def forward(x):
        with autodiff.forward_mode():
            return layer(x, training=True)

    assert "FusedBatchNormV3" in _op_types(fused, x)
    assert "FusedBatchNormV3" not in _op_types(forward, x)
    # Either way, training-mode batch normalisation: per-channel (x - mean) / sqrt(var + eps)
    # with the batch's biased variance (gamma = 1, beta = 0 at initialisation).
    flat = x.numpy().reshape(-1, shape[-1]).astype(np.float64)
    want = (flat - flat.mean(0)) / np.sqrt(flat.var(0) + layer.epsilon)
    for fn in (fused, forward):
        np.testing.assert_allclose(fn(x).numpy().reshape(-1, shape[-1]), want,
                                   rtol=1e-4, atol=1e-5)
