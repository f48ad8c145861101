"""The fast normalisation layers against Keras's own: outputs, moving statistics, first and
second derivatives (R1 differentiates through D twice), fallbacks, `.keras` round trips
(linearized mixed products through the fused kernel: tests/test_cgd.py; the formula in
forward mode: tests/test_autodiff.py); the normalisation factory and seeded initialisers."""
import contextlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import autodiff
from tfgan_reg.nets import layers

from helpers import relative_error


def _pair(ours, theirs, shape, seed, **kw):
    a, b = theirs(**kw), ours(**kw)
    a.build(shape)
    b.build(shape)
    g = np.random.default_rng(seed)
    for u, v in zip(a.weights, b.weights):
        value = g.uniform(0.5, 1.5, size=u.shape).astype(np.float32)
        u.assign(value)
        v.assign(value)
    return a, b


def _derivatives(layer, x, training):
    """Output, d/dx of a nonlinear read-out, and the gradient of its squared norm (as R1)."""
    @tf.function
    def run(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = layer(x, training=training) if training is not None else layer(x)
                readout = tf.reduce_sum(tf.sin(y))
            gx = inner.gradient(readout, x)
            penalty = tf.reduce_sum(gx ** 2)
        return [y, gx] + outer.gradient(penalty, [x] + list(layer.trainable_weights))
    return run(x)


def _close(ours, theirs, rtol):
    for p, q in zip(ours, theirs):
        scale = float(tf.reduce_max(tf.abs(q)))
        assert float(tf.reduce_max(tf.abs(p - q))) <= rtol * scale, (p.shape, scale)


# Norm-wise relative error a bfloat16 result may have against the exact (float64) value, by
# derivative order: 8 significant bits, a few roundings deep for a value; a derivative also
# flips where rounding moves a pre-activation across ReLU's kink, and a second derivative
# compounds both. Worst seen (oneDNN on and off, 2026-12-07): 0.006, 0.07, 0.41.
BF16_BOUND = {0: 2.0 ** -5, 1: 0.25, 2: 1.0}


def _no_worse_than_keras(ours, theirs, exact, orders, margin=1.25):
    """Each bfloat16 result of ours lies within `BF16_BOUND` of the exact value, and no
    further from it than Keras's own bfloat16 layer's result, up to `margin` and one
    rounding (2^-8): the two are never compared with each other."""
    for i, (o, t, e, order) in enumerate(zip(ours, theirs, exact, orders)):
        ours_err, keras_err = relative_error(o, e), relative_error(t, e)
        assert ours_err <= BF16_BOUND[order], (i, order, ours_err)
        assert ours_err <= margin * keras_err + 2.0 ** -8, (i, ours_err, keras_err)


@pytest.mark.parametrize("shape", [(16, 12), (8, 4, 4, 6)], ids=["dense", "conv"])
def test_batch_normalization_matches_keras(shape):
    x = tf.constant(np.random.default_rng(1).normal(2.0, 3.0, size=shape), tf.float32)
    theirs, ours = _pair(layers.BatchNormalization, keras.layers.BatchNormalization, shape, 0,
                         momentum=0.9)
    m0, v0 = ours.moving_mean.numpy(), ours.moving_variance.numpy()
    for training in (True, False):
        _close(_derivatives(ours, x, training), _derivatives(theirs, x, training), 2e-5)
        # Training calls moved both layers' statistics the same way (biased variance).
        np.testing.assert_allclose(ours.moving_mean.numpy(), theirs.moving_mean.numpy(),
                                   rtol=1e-6)
        np.testing.assert_allclose(ours.moving_variance.numpy(),
                                   theirs.moving_variance.numpy(), rtol=1e-6)
    # And as the formula says, after the one training call.
    flat = x.numpy().reshape(-1, shape[-1])
    np.testing.assert_allclose(ours.moving_mean.numpy(), 0.9 * m0 + 0.1 * flat.mean(0),
                               rtol=1e-5)
    np.testing.assert_allclose(ours.moving_variance.numpy(), 0.9 * v0 + 0.1 * flat.var(0),
                               rtol=1e-5)


@pytest.mark.parametrize("shape", [(16, 12), (8, 4, 4, 6)], ids=["dense", "conv"])
def test_batch_normalization_under_mixed_bfloat16_is_fused_and_as_close_as_keras(shape):
    """Both layers against the exact float64 formula on the same bfloat16-rounded input: two
    bfloat16 computations are never compared with each other (their rounding differs by CPU)."""
    x = tf.constant(np.random.default_rng(3).normal(2.0, 3.0, size=shape), tf.float32)
    policy = keras.dtype_policies.DTypePolicy("mixed_bfloat16")
    theirs, ours = _pair(layers.BatchNormalization, keras.layers.BatchNormalization, shape, 5,
                         momentum=0.9, dtype=policy)
    exact = layers.BatchNormalization(momentum=0.9, dtype="float64")
    exact.build(shape)
    for u, v in zip(exact.weights, ours.weights):
        u.assign(tf.cast(v, tf.float64))
    xb = tf.cast(x, tf.bfloat16)
    got = _derivatives(ours, xb, True)
    assert got[0].dtype == tf.bfloat16
    _no_worse_than_keras(got, _derivatives(theirs, xb, True),
                         _derivatives(exact, tf.cast(xb, tf.float64), True), (0, 1, 2, 2, 2))
    # The moving statistics: float32 reductions of the rounded input, as the exact layer's.
    np.testing.assert_allclose(ours.moving_mean.numpy(), exact.moving_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours.moving_variance.numpy(), exact.moving_variance.numpy(),
                               rtol=1e-4)
    ops = {op.type for op in tf.function(lambda v: ours(v, training=True))
           .get_concrete_function(xb).graph.get_operations()}
    assert "FusedBatchNormV3" in ops


@pytest.mark.parametrize("shape,axis", [((16, 12), -1), ((8, 4, 4, 6), (1, 2, 3))],
                         ids=["dense", "conv"])
def test_layer_normalization_matches_keras(shape, axis):
    x = tf.constant(np.random.default_rng(2).normal(-1.0, 2.0, size=shape), tf.float32)
    theirs, ours = _pair(layers.LayerNormalization, keras.layers.LayerNormalization, shape, 1,
                         axis=axis)
    _close(_derivatives(ours, x, None), _derivatives(theirs, x, None), 2e-5)
    # Against the formula itself.
    axes = tuple(range(1, len(shape)))
    xn = x.numpy()
    ref = ((xn - xn.mean(axes, keepdims=True)) / np.sqrt(xn.var(axes, keepdims=True) + 1e-3)
           * ours.gamma.numpy() + ours.beta.numpy())
    np.testing.assert_allclose(ours(x).numpy(), ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape,forward", [((8, 4, 4, 6), True), ((4, 3, 5), False)],
                         ids=["forward_mode", "rank3"])
def test_batch_norm_formula_path_matches_keras_to_first_order(shape, forward):
    """The unfused training path (its own `call`, no private Keras method): Keras's numbers
    and statistics to first order; second order: the finite-difference tests below."""
    x = tf.constant(np.random.default_rng(6).normal(1.0, 2.0, size=shape), tf.float32)
    theirs, ours = _pair(layers.BatchNormalization, keras.layers.BatchNormalization, shape, 6,
                         momentum=0.8)
    with autodiff.forward_mode() if forward else contextlib.nullcontext():
        got = _derivatives(ours, x, True)
        ops = {op.type for op in tf.function(lambda v: ours(v, training=True))
               .get_concrete_function(x).graph.get_operations()}
    assert "FusedBatchNormV3" not in ops
    _close(got[:2], _derivatives(theirs, x, True)[:2], 2e-5)
    np.testing.assert_allclose(ours.moving_mean.numpy(), theirs.moving_mean.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.moving_variance.numpy(), theirs.moving_variance.numpy(),
                               rtol=1e-5)


def test_other_cases_are_the_keras_layers_code():
    x = tf.random.normal([4, 3, 5])
    # Layer norm over a middle axis, or with RMS scaling: Keras's path, same numbers.
    for kw in ({"axis": 1}, {"rms_scaling": True}):
        theirs, ours = _pair(layers.LayerNormalization, keras.layers.LayerNormalization,
                             x.shape, 3, **kw)
        np.testing.assert_allclose(ours(x).numpy(), theirs(x).numpy(), rtol=1e-6)
    x3 = tf.random.normal([4, 3, 5])  # rank 3: not fused
    theirs, ours = _pair(layers.BatchNormalization, keras.layers.BatchNormalization,
                         x3.shape, 4)
    np.testing.assert_allclose(ours(x3, training=True).numpy(),
                               theirs(x3, training=True).numpy(), rtol=1e-6)


def test_models_with_them_round_trip_through_keras_files(tmp_path):
    inputs = keras.Input((4, 4, 3))
    h = layers.BatchNormalization()(keras.layers.Conv2D(6, 3, padding="same")(inputs))
    out = layers.LayerNormalization(axis=(1, 2, 3))(h)
    model = keras.Model(inputs, out)
    x = tf.random.normal([5, 4, 4, 3])
    model(x, training=True)  # move the statistics
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[2], layers.BatchNormalization)
    assert isinstance(loaded.layers[3], layers.LayerNormalization)
    np.testing.assert_allclose(loaded(x, training=False).numpy(),
                               model(x, training=False).numpy(), rtol=1e-6)


@pytest.mark.parametrize("conv", [True, False], ids=["conv", "dense"])
def test_normalization_factory_returns_the_named_layer(conv):
    assert type(layers.normalization("batch", conv=conv)) is layers.BatchNormalization
    norm = layers.normalization("layer", conv=conv)
    assert type(norm) is layers.LayerNormalization
    # Over (H, W, C) after a convolution (WGAN-GP's critic), over the features after a dense.
    assert tuple(np.atleast_1d(norm.axis)) == ((1, 2, 3) if conv else (-1,))
    for name in ("none", "spectral"):  # spectral wraps the layer itself instead
        assert type(layers.normalization(name, conv=conv)) is keras.layers.Identity


def test_normalization_factory_names_a_bad_choice():
    with pytest.raises(ValueError, match=r"`normalization` must be one of \['none', 'batch', "
                                         r"'layer', 'spectral'\]. Received: normalization='bn'"):
        layers.normalization("bn")
    with pytest.raises(ValueError, match=r"\['none', 'batch'\]. Received: normalization='layer'"):
        layers.normalization("layer", ("none", "batch"))
    with pytest.raises(ValueError, match=r"\['none', 'spectral'\]. Received: "
                                         r"normalization='batch'"):
        layers.check_normalization("batch", ("none", "spectral"))
    layers.check_normalization("spectral", ("none", "spectral"))


def test_maybe_spectral_wraps_only_under_spectral():
    dense = keras.layers.Dense(3)
    wrapped = layers.maybe_spectral(dense, "spectral")
    assert isinstance(wrapped, keras.layers.SpectralNormalization) and wrapped.layer is dense
    for name in ("none", "batch", "layer"):
        assert layers.maybe_spectral(dense, name) is dense


def _glorot_draw(initializer, shape=(40, 30)):
    return np.asarray(keras.initializers.get(initializer)(shape))


def test_seeds_give_reproducible_distinct_glorot_initializers():
    first, again, other = layers.Seeds(5), layers.Seeds(5), layers.Seeds(6)
    draws = [[_glorot_draw(s.kernel()) for _ in range(3)] for s in (first, again, other)]
    limit = np.sqrt(6.0 / (40 + 30))  # Glorot uniform: U(-limit, limit), fan_in + fan_out = 70
    for a, b, c in zip(*draws):
        np.testing.assert_array_equal(a, b)  # same seed, same layer: the same weights
        assert not np.allclose(a, c)  # another network seed
        assert np.abs(a).max() <= limit and np.abs(a).max() > 0.9 * limit
    assert not np.allclose(draws[0][0], draws[0][1])  # successive layers differ
    assert layers.Seeds(None).kernel() == "glorot_uniform"


# --- second derivatives against finite differences (float64) --------------------------------

_X = np.random.default_rng(5).normal(size=(4, 3, 3, 2))
_C = np.random.default_rng(6).normal(size=(4, 3, 3, 2))


def _through(norm, w, x, training):
    """A readout of `norm` between two nonlinearities, with `w` mixing channels before it."""
    h = tf.tanh(tf.einsum("bhwc,cd->bhwd", x, w))
    y = norm(h, training=training) if training is not None else norm(h)
    return tf.reduce_sum(tf.tanh(y) * tf.constant(_C, x.dtype))


def _input_gradient_penalty(norm, w, training):
    """`sum ||grad_x readout||^2`, as a gradient penalty: differentiating it in `w` goes
    through the normalisation's backward pass."""
    x = tf.constant(_X, w.dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = _through(norm, w, x, training)
    return tf.reduce_sum(tf.square(tape.gradient(out, x)))


def _central_differences(f, w, eps=1e-5):
    """d f / d w of a scalar `f()` by central differences."""
    base, grads = w.numpy().copy(), np.zeros(w.shape)
    for i in np.ndindex(*w.shape):
        step = np.zeros_like(base)
        step[i] = eps
        w.assign(base + step)
        hi = float(f())
        w.assign(base - step)
        grads[i] = (hi - float(f())) / (2 * eps)
    w.assign(base)
    return grads


def _norms64():
    return {"ours layer": layers.LayerNormalization(axis=(1, 2, 3), dtype="float64"),
            "ours batch": layers.BatchNormalization(dtype="float64"),
            "keras layer": keras.layers.LayerNormalization(axis=(1, 2, 3), dtype="float64"),
            "keras batch": keras.layers.BatchNormalization(dtype="float64")}


def _gradient_penalty_error(norm):
    norm.build((4, 3, 3, 2))
    for v in norm.trainable_weights:
        v.assign(np.random.default_rng(8).uniform(0.5, 1.5, size=v.shape))
    w = tf.Variable(np.random.default_rng(9).normal(size=(2, 2)), dtype=tf.float64)
    training = True if isinstance(norm, keras.layers.BatchNormalization) else None
    with tf.GradientTape() as tape:
        p = _input_gradient_penalty(norm, w, training)
    exact = tape.gradient(p, w).numpy()
    fd = _central_differences(lambda: _input_gradient_penalty(norm, w, training), w)
    return np.abs(exact - fd).max() / np.abs(fd).max()


@pytest.mark.parametrize("name", ["ours layer", "ours batch"])
def test_gradient_penalty_through_normalisation_matches_finite_differences(name):
    # Double backprop through the layer, as every gradient penalty takes it.
    assert _gradient_penalty_error(_norms64()[name]) < 1e-7


def test_the_finite_difference_check_catches_tf_nn_moments():
    # Keras's layers normalise with `tf.nn.moments` (variance around stop_gradient(mean)): the
    # same check sees their second derivative off. Should TensorFlow fix that, this fails and
    # `layers.moments` can go.
    norms = _norms64()
    assert _gradient_penalty_error(norms["keras layer"]) > 1e-4
    assert _gradient_penalty_error(norms["keras batch"]) > 1e-4


def test_forward_over_backward_through_batch_norm_matches_finite_differences():
    # CGD's mixed products push a tangent through the backward pass (forward mode: the
    # formula, not the fused kernel).
    from tfgan_reg import autodiff
    norm = layers.BatchNormalization(dtype="float64")
    norm.build((4, 3, 3, 2))
    w = tf.Variable(np.random.default_rng(9).normal(size=(2, 2)), dtype=tf.float64)
    x = tf.constant(_X)
    tangent = tf.constant(np.random.default_rng(10).normal(size=(2, 2)))

    def gradient():
        with tf.GradientTape() as tape:
            out = _through(norm, w, x, True)
        return tape.gradient(out, w)

    with autodiff.forward_mode(), tf.autodiff.ForwardAccumulator([w], [tangent]) as acc:
        g = gradient()
    jvp = acc.jvp(g).numpy()
    eps, base = 1e-5, w.numpy().copy()
    w.assign(base + eps * tangent.numpy())
    hi = gradient().numpy()
    w.assign(base - eps * tangent.numpy())
    fd = (hi - gradient().numpy()) / (2 * eps)
    w.assign(base)
    np.testing.assert_allclose(jvp, fd, rtol=1e-7, atol=1e-9 * np.abs(fd).max())


def test_fused_batch_norm_second_derivatives_match_the_exact_formula():
    # The fused kernel (float32) against the float64 formula checked above, same weights.
    f32, f64 = layers.BatchNormalization(), layers.BatchNormalization(dtype="float64")
    for layer in (f32, f64):
        layer.build((4, 3, 3, 2))
    w_init = np.random.default_rng(9).normal(size=(2, 2))
    out = []
    for layer, dtype in ((f32, tf.float32), (f64, tf.float64)):
        w = tf.Variable(w_init, dtype=dtype)
        with tf.GradientTape() as tape:
            p = _input_gradient_penalty(layer, w, True)
        out.append(tape.gradient(p, w).numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=2e-4)


# --- DCGAN's 4x4 stride-2 convolutions ------------------------------------------------------

def _conv_derivatives(f, x, k):
    """Output, both first derivatives of a nonlinear read-out, and the derivatives of a
    penalty on them (double backprop through the kernel gradient too)."""
    with tf.GradientTape() as outer:
        outer.watch([x, k])
        with tf.GradientTape() as inner:
            inner.watch([x, k])
            readout = tf.reduce_sum(tf.sin(f(x, k)))
        gx, gk = inner.gradient(readout, [x, k])
        penalty = tf.reduce_sum(gx ** 2) + tf.reduce_sum(tf.cos(gk))
    return [f(x, k), gx, gk] + outer.gradient(penalty, [x, k])


@pytest.mark.parametrize("transpose", [False, True], ids=["conv", "transpose"])
def test_k4s2_convolutions_match_tf_nn_to_second_order(transpose):
    g = np.random.default_rng(11)
    if transpose:
        x, k = tf.constant(g.normal(size=(3, 4, 4, 6))), tf.constant(g.normal(size=(4, 4, 5, 6)))
        ours, ref = layers.conv_transpose_k4s2, lambda x, k: tf.nn.conv2d_transpose(
            x, k, [3, 8, 8, 5], 2, "SAME")
    else:
        x, k = tf.constant(g.normal(size=(3, 8, 8, 5))), tf.constant(g.normal(size=(4, 4, 5, 6)))
        ours, ref = layers.conv_k4s2, lambda x, k: tf.nn.conv2d(x, k, 2, "SAME")
    for a, b in zip(_conv_derivatives(ours, x, k), _conv_derivatives(ref, x, k)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-10)


def _layer_derivatives(layer, x):
    """`_conv_derivatives` for a layer: in its input and its kernel, with read-outs in the
    variables' dtype (float32 under a mixed policy)."""
    dtype = layer.kernel.dtype
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            readout = tf.reduce_sum(tf.sin(tf.cast(layer(x), dtype)))
        gx, gk = inner.gradient(readout, [x, layer.kernel])
        penalty = tf.reduce_sum(tf.cast(gx, dtype) ** 2) + tf.reduce_sum(tf.cos(gk))
    return [layer(x), gx, gk] + outer.gradient(penalty, [x, layer.kernel])


def _conv_pair(ours, theirs, shape, **kw):
    a, b = theirs(**kw), ours(**kw)
    a.build(shape)
    b.build(shape)
    b.set_weights(a.get_weights())
    return a, b


def _kernel_gradient_op_types(layer, x):
    @tf.function
    def grads(x):
        with tf.GradientTape() as tape:
            out = tf.reduce_sum(tf.cast(layer(x), tf.float32) ** 2)
        return tape.gradient(out, layer.trainable_weights)
    return {op.type for op in grads.get_concrete_function(x).graph.get_operations()}


@pytest.mark.parametrize("transpose", [False, True], ids=["conv", "transpose"])
def test_dcgan_convolutions_take_the_matmul_kernel_gradient_under_bfloat16(transpose):
    """Under bfloat16 the kernel gradient is a matmul (op types), as close to the exact float64
    derivatives, to second order, as Keras's layer is; in float32 it is Keras's, to 1e-5."""
    from tfgan_reg import precision
    shape = (8, 4, 4, 16) if transpose else (8, 8, 8, 16)
    ours, theirs = ((layers.Conv2DTranspose, keras.layers.Conv2DTranspose) if transpose
                    else (layers.Conv2D, keras.layers.Conv2D))
    kwargs = dict(filters=8, kernel_size=4, strides=2, padding="same", activation="relu")
    x = tf.constant(np.random.default_rng(12).normal(size=shape), tf.float32)
    for name in ("mixed_bfloat16", "float32"):
        with precision.policy_scope(name):
            a, b = _conv_pair(ours, theirs, shape, **kwargs)
        xb = tf.cast(x, a.compute_dtype)
        ops = _kernel_gradient_op_types(b, xb)
        assert ("MatMul" in ops) == (name == "mixed_bfloat16"), (name, ops)
        assert ("Conv2DBackpropFilter" in ops) == (name == "float32"), (name, ops)
        if name == "float32":
            for u, v in zip(_layer_derivatives(a, xb), _layer_derivatives(b, xb)):
                np.testing.assert_allclose(v.numpy(), u.numpy(), rtol=1e-5,
                                           atol=1e-5 * np.abs(u.numpy()).max())
            continue
        exact = theirs(dtype="float64", **kwargs)
        exact.build(shape)
        exact.set_weights([w.astype(np.float64) for w in a.get_weights()])
        _no_worse_than_keras(_layer_derivatives(b, xb), _layer_derivatives(a, xb),
                             _layer_derivatives(exact, tf.cast(xb, tf.float64)),
                             (0, 1, 1, 2, 2))
    # A larger map keeps Keras's kernel (no gain measured there).
    with precision.policy_scope("mixed_bfloat16"):
        big = ours(filters=8, kernel_size=4, strides=2, padding="same")
        wide = (8, 8, 8, 16) if transpose else (8, 16, 16, 16)
        big.build(wide)
    assert "MatMul" not in _kernel_gradient_op_types(big, tf.zeros(wide, tf.bfloat16))


def test_the_dcgan_networks_have_them_and_as_keras_replaces_them():
    from tfgan_reg.nets import dcgan, icr
    g = dcgan.dcgan_generator(latent_dim=4, output_shape=(16, 16, 1), width=4, seed=1)
    d = dcgan.dcgan_discriminator(input_shape=(16, 16, 1), width=4, seed=2)
    for model in (g, d, icr.cifar_generator(latent_dim=4, seed=3),
                  icr.cifar_discriminator(seed=4)):
        assert any(type(layer) in (layers.Conv2D, layers.Conv2DTranspose)
                   for layer in model.layers)
        copy = layers.as_keras(model)
        assert not any(type(layer) in (layers.Conv2D, layers.Conv2DTranspose)
                       for layer in copy.layers)
        x = tf.random.normal((2,) + tuple(model.input_shape[1:]))
        np.testing.assert_allclose(copy(x).numpy(), model(x).numpy(), rtol=1e-6, atol=1e-6)
