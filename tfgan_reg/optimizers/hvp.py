"""Gradients and mixed Hessian-vector products of a two-player objective (docs/METHODS.md
section 3).

`Dxy v = d/dx (grad_y f . v)` is computed forward-over-backward: a `ForwardAccumulator` pushes
the tangent `v` of the y variables through a `GradientTape` that computes `grad_x f`. No matrix
is ever formed; one product costs about one forward and one backward pass with tangents.

Under a distribution strategy `loss_fn(*args)` returns the replica's share of the global
objective (e.g. its local mean divided by the number of replicas); every result here is summed
over replicas, so it is the gradient or product of the global objective. Called in a replica
context, the sum is an all-reduce; called in the cross-replica context of a strategy with
several replicas, `loss_fn` runs on every replica through `strategy.run(loss_fn, args)` (so
`args` may be per-replica values, e.g. the distributed batch) and the results are reduced.

A CG solve applies the same two products to many vectors at one point. `linearized_product`
traces one forward-over-backward product once, splits its graph into the part that does not
depend on the tangent (the primal forward and backward passes, run once per step) and the
tangent part (run per product): the same numbers for about two thirds of the cost. Its
tangent-free part also yields f and the gradient, so a step needs no separate gradient pass.

The products are traced within `autodiff.forward_mode()`: layers with several formulas (batch
normalisation) may then pick the one that is faster to differentiate forward.
"""
import functools
import warnings

import tensorflow as tf

from tfgan_reg import autodiff


def as_tf_variables(variables):
    """The `tf.Variable`s behind Keras 3 variables (tapes and accumulators need those)."""
    return [v if isinstance(v, tf.Variable) else v.value for v in variables]


def sum_over_replicas(tensors):
    """All-reduces a list of tensors (SUM) in a replica context with several replicas."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None or ctx.num_replicas_in_sync == 1:
        return list(tensors)
    return list(ctx.all_reduce(tf.distribute.ReduceOp.SUM, list(tensors)))


def _summed(fn, args):
    """`fn(*args)` (a list of tensors) summed over replicas, in either context."""
    strategy = tf.distribute.get_strategy()
    if tf.distribute.in_cross_replica_context() and strategy.num_replicas_in_sync > 1:
        per_replica = strategy.run(fn, args=tuple(args))
        return [strategy.reduce(tf.distribute.ReduceOp.SUM, t, axis=None) for t in per_replica]
    return sum_over_replicas(fn(*args))


def _zeros_for_none(values, variables):
    return [tf.zeros_like(v) if g is None else tf.convert_to_tensor(g)
            for g, v in zip(values, variables)]


def _scalar(loss_fn, args=()):
    f = loss_fn(*args)
    if f.shape.rank != 0:
        raise ValueError(f"`loss_fn` must return a scalar. Received: shape={f.shape}")
    return f


def value_and_gradients(loss_fn, x_vars, y_vars, args=()):
    """(f, grad_x f, grad_y f), all summed over replicas."""
    def local(*a):
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(list(x_vars) + list(y_vars))
            f = _scalar(loss_fn, a)
        grads = tape.gradient(f, list(x_vars) + list(y_vars),
                              unconnected_gradients=tf.UnconnectedGradients.ZERO)
        return [f] + grads

    reduced = _summed(local, args)
    n = len(x_vars)
    return reduced[0], reduced[1:1 + n], reduced[1 + n:]


def _local_product(loss_fn, out_vars, in_vars, tangents, args):
    """(products, f, grad_out f) on this replica."""
    with tf.autodiff.ForwardAccumulator(list(in_vars), list(tangents)) as acc:
        with tf.GradientTape(watch_accessed_variables=False) as tape, \
                autodiff.forward_mode():
            tape.watch(list(out_vars))
            f = _scalar(loss_fn, args)
        grads = tape.gradient(f, list(out_vars),
                              unconnected_gradients=tf.UnconnectedGradients.ZERO)
    products = acc.jvp(grads, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return _zeros_for_none(products, out_vars), f, grads


def mixed_product(loss_fn, out_vars, in_vars, tangents, args=()):
    """`(d^2 f / d out d in) tangents`: the mixed Hessian of f times a vector over `in_vars`,
    shaped like `out_vars`. `mixed_product(f, x, y, v)` is `Dxy v`; with (y, x, u), `Dyx u`."""
    return _summed(lambda *a: _local_product(loss_fn, out_vars, in_vars, tangents, a)[0], args)


@functools.cache
def _xla_context_check():
    """TensorFlow's check for an XLA context, or None (with a warning) when it is gone.

    No public TensorFlow API says whether the function being traced is XLA-compiled; this is
    the one use of the private one (`tensorflow.python.ops.control_flow_util`), and
    tests/test_hvp.py fails naming the TensorFlow version when an upgrade moves or changes it.
    """
    try:
        from tensorflow.python.ops import control_flow_util
        return control_flow_util.GraphOrParentsInXlaContext
    except (ImportError, AttributeError):
        warnings.warn(f"TensorFlow {tf.__version__} has no control_flow_util."
                      f"GraphOrParentsInXlaContext: tfgan_reg assumes no XLA while tracing "
                      f"(CGD's linearized products then compile slowly under jit_compile).")
        return None


def in_xla():
    """True while tracing a function that XLA compiles (`jit_compile=True`)."""
    check = _xla_context_check()
    return bool(check is not None and check(tf.compat.v1.get_default_graph()))


def can_linearize():
    """True where `linearized_product` applies: inside a `tf.function` without XLA (which
    constant-folds the saved values at great cost), one replica."""
    return (not tf.executing_eagerly() and not in_xla()
            and tf.distribute.get_strategy().num_replicas_in_sync == 1)


def linearized_product(loss_fn, out_vars, in_vars, args=()):
    """(`tangents -> mixed_product(loss_fn, out_vars, in_vars, tangents, args)` at the current
    point, f, grad_out f): the tangent-free part, f and the gradient included, runs once, here.

    The variables must not change while the returned function is in use. Needs
    `can_linearize()`; `loss_fn` should be deterministic (stateless random draws).
    """
    if not can_linearize():
        raise ValueError("linearized_product needs graph mode (inside a tf.function, without "
                         "XLA) and a single replica; use mixed_product elsewhere.")
    in_vars, out_vars = list(in_vars), list(out_vars)
    wrapped = tf.compat.v1.wrap_function(
        lambda *t: _local_product(loss_fn, out_vars, in_vars, t, args),
        [tf.TensorSpec(v.shape, v.dtype) for v in in_vars])
    outputs = list(wrapped.outputs)
    products, values = outputs[:len(out_vars)], outputs[len(out_vars):]  # f, grad_out f
    tangent_inputs = list(wrapped.inputs[:len(in_vars)])
    # Ops that depend on a tangent, in creation (= topological) order.
    dependent = {t.op for t in tangent_inputs}
    for op in wrapped.graph.get_operations():
        if any(t.op in dependent for t in op.inputs):
            dependent.add(op)
    # Of those, the ones the products need (not, e.g., the tangents of batch statistics).
    needed, stack = set(), [t.op for t in products]
    while stack:
        op = stack.pop()
        if op in dependent and op not in needed:
            needed.add(op)
            stack.extend(t.op for t in op.inputs)
            stack.extend(op.control_inputs)
    captured = {t.ref() for t in wrapped.graph.internal_captures}
    boundary, seen = [], set()
    for op in wrapped.graph.get_operations():
        if op not in needed:
            continue
        for t in op.inputs:
            # Tangent-free values the tangent part reads; variable handles and outer-graph
            # captures are passed by the pruned functions themselves. `prune` copies the
            # dead consumers of a fed op's other outputs too, so those are fed as well.
            if t.op in dependent or t.dtype == tf.resource or t.ref() in captured:
                continue
            for s in t.op.outputs:
                if s.dtype != tf.resource and s.ref() not in seen:
                    seen.add(s.ref())
                    boundary.append(s)
    primal = list(wrapped.prune(feeds=[], fetches=boundary + values)())
    tangent = wrapped.prune(feeds=boundary + tangent_inputs, fetches=products)
    saved, f, grads = primal[:len(boundary)], primal[len(boundary)], primal[len(boundary) + 1:]
    return lambda tangents: list(tangent(*saved, *tangents)), f, grads
