"""`optimizers.hvp`: mixed Hessian-vector products, full and linearized, against the dense mixed
Hessian from nested Jacobians (also through batch normalisation, fused and Keras's formula)."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import autodiff
from tfgan_reg.nets import layers
from tfgan_reg.optimizers import hvp


def _flat(ts):
    return np.concatenate([np.ravel(np.asarray(t)) for t in ts])


def _dense_mixed_hessian(loss, x_vars, y_vars):
    """H[i, j] = d^2 f / dx_i dy_j by nested Jacobians."""
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape() as inner:
            f = loss()
        gx = tf.concat([tf.reshape(t, [-1]) for t in inner.gradient(f, x_vars)], 0)
    return np.concatenate([np.reshape(outer.jacobian(gx, y), (gx.shape[0], -1))
                           for y in y_vars], 1)


def test_mixed_products_equal_dense_mixed_hessian():
    g = np.random.default_rng(0)
    x_vars = [tf.Variable(g.normal(size=(3, 2))), tf.Variable(g.normal(size=(2,)))]
    y_vars = [tf.Variable(g.normal(size=(2, 4))), tf.Variable(g.normal(size=(4,))),
              tf.Variable(g.normal(size=()))]
    data = tf.constant(g.normal(size=(5, 3)))

    def loss():
        h = tf.tanh(data @ x_vars[0] + x_vars[1])
        out = tf.nn.softplus(h @ y_vars[0] + y_vars[1]) * y_vars[2]
        return tf.reduce_mean(out) + tf.reduce_sum(x_vars[1] ** 2) * tf.reduce_sum(y_vars[1])

    dense = _dense_mixed_hessian(loss, x_vars, y_vars)
    v = [tf.constant(g.normal(size=y.shape)) for y in y_vars]
    u = [tf.constant(g.normal(size=x.shape)) for x in x_vars]
    dxy_v = hvp.mixed_product(loss, x_vars, y_vars, v)
    dyx_u = hvp.mixed_product(loss, y_vars, x_vars, u)
    assert [t.shape for t in dxy_v] == [x.shape for x in x_vars]
    assert [t.shape for t in dyx_u] == [y.shape for y in y_vars]
    np.testing.assert_allclose(_flat(dxy_v), dense @ _flat(v), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_flat(dyx_u), dense.T @ _flat(u), rtol=1e-10, atol=1e-12)

    # Linearized: the tangent-free part once, then several tangents in a CG-like loop.
    v2 = [tf.constant(g.normal(size=y.shape)) for y in y_vars]

    @tf.function
    def linearized():
        dxy, f, gx = hvp.linearized_product(loss, x_vars, y_vars)
        dyx, _, gy = hvp.linearized_product(loss, y_vars, x_vars)

        def body(k, acc):
            return k + 1, [a + b for a, b in zip(acc, dxy(v2))]
        _, looped = tf.while_loop(lambda k, acc: k < 3, body,
                                  (0, [tf.zeros_like(x) for x in x_vars]))
        return dxy(v), dyx(u), looped, f, gx, gy

    lin_v, lin_u, looped, f, gx, gy = linearized()
    with tf.GradientTape() as tape:
        f_ref = loss()
    np.testing.assert_allclose(f, f_ref, rtol=1e-12)
    np.testing.assert_allclose(_flat(gx + gy), _flat(tape.gradient(f_ref, x_vars + y_vars)),
                               rtol=1e-12)
    np.testing.assert_allclose(_flat(lin_v), dense @ _flat(v), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_flat(lin_u), dense.T @ _flat(u), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_flat(looped), 3 * dense @ _flat(v2), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="needs graph mode"):
        hvp.linearized_product(loss, x_vars, y_vars)  # eagerly


def _op_types(concrete):
    """The op types of a concrete function's graph and of every function it calls."""
    graph_def = concrete.graph.as_graph_def()
    types = {node.op for node in graph_def.node}
    for function in graph_def.library.function:
        types.update(node.op for node in function.node_def)
    return types


@pytest.mark.parametrize("fused", [True, False], ids=["fused_kernel", "keras_formula"])
def test_linearized_products_through_batch_norm_equal_the_dense_mixed_hessian(
        fused, monkeypatch):
    # The fused kernel is a multi-output op whose reserve outputs the tangent part reads.
    # In forward mode our layer traces Keras's formula (faster there); a user's own layers may
    # not, so the fused case makes the layer ignore `autodiff.forward_mode()`.
    if fused:
        monkeypatch.setattr(autodiff, "in_forward_mode", lambda: False)
    keras.utils.set_random_seed(0)
    z_in = keras.Input((3,))
    h = layers.BatchNormalization()(keras.layers.Dense(2 * 2 * 3)(z_in))
    h = keras.layers.Reshape((2, 2, 3))(keras.layers.ReLU()(h))
    h = layers.BatchNormalization()(keras.layers.Conv2DTranspose(2, 3, 2, padding="same")(h))
    g = keras.Model(z_in, keras.layers.Activation("tanh")(h))
    x_in = keras.Input((4, 4, 2))
    d = keras.Model(x_in, keras.layers.Dense(1)(keras.layers.Flatten()(
        keras.layers.Conv2D(3, 3, 2, activation="tanh")(x_in))))
    z = tf.random.normal([6, 3])
    x_vars = hvp.as_tf_variables(g.trainable_variables)
    y_vars = hvp.as_tf_variables(d.trainable_variables)

    def loss():
        return tf.reduce_mean(tf.nn.softplus(d(g(z, training=True))))

    dense = _dense_mixed_hessian(loss, x_vars, y_vars)
    v = [tf.random.normal(y.shape) for y in y_vars]
    u = [tf.random.normal(x.shape) for x in x_vars]

    @tf.function
    def linearized():
        dxy, _, _ = hvp.linearized_product(loss, x_vars, y_vars)
        dyx, _, _ = hvp.linearized_product(loss, y_vars, x_vars)
        return dxy(v), dyx(u)

    dxy_v, dyx_u = linearized()
    assert ("FusedBatchNormV3" in _op_types(linearized.get_concrete_function())) == fused
    for got, want in ((_flat(dxy_v), dense @ _flat(v)), (_flat(dyx_u), dense.T @ _flat(u))):
        assert np.linalg.norm(got - want) <= 1e-5 * np.linalg.norm(want), (got, want)




def test_in_xla_tells_xla_tracing_from_graph_and_eager():
    """`in_xla` is the one use of a private TensorFlow API (no public one says whether a
    traced function is XLA-compiled): an upgrade that moves or changes it fails here."""
    where = f"TensorFlow {tf.__version__}, tensorflow.python.ops.control_flow_util"
    assert hvp._xla_context_check() is not None, \
        f"{where}.GraphOrParentsInXlaContext is gone: hvp._xla_context_check needs its new home."
    seen = {}
    tf.function(lambda: seen.setdefault("graph", hvp.in_xla()) or 0)()
    tf.function(lambda: seen.setdefault("xla", hvp.in_xla()) or 0, jit_compile=True)()
    tf.function(lambda: tf.function(lambda: seen.setdefault("inner", hvp.in_xla()) or 0)(),
                jit_compile=True)()
    assert seen == {"graph": False, "xla": True, "inner": True} and not hvp.in_xla(), \
        f"{where}.GraphOrParentsInXlaContext no longer tells XLA tracing apart: {seen}."
