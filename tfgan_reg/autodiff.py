"""What kind of differentiation will be taken through the ops being traced.

Code that computes derivatives states it (`with forward_mode(): ...`); code that computes
values and has several equivalent formulas may read it (`in_forward_mode()`) and pick the one
that is faster to differentiate that way. `optimizers.hvp` states it while it traces mixed
Hessian-vector products; `nets.layers.BatchNormalization` reads it. The optimiser thus says a
fact about differentiation and never chooses how a layer computes.

The state is per thread: tracing happens in the thread that calls the function, and a
distribution strategy traces each replica in a thread of its own.
"""
import contextlib
import threading

_state = threading.local()


@contextlib.contextmanager
def forward_mode():
    """Forward-mode (Jacobian-vector) differentiation will be taken through what is traced
    inside, e.g. by a `tf.autodiff.ForwardAccumulator` around a `tf.GradientTape`. Nests; the
    previous state is restored on exit, also on an error."""
    before = in_forward_mode()
    _state.forward = True
    try:
        yield
    finally:
        _state.forward = before


def in_forward_mode():
    """True within `forward_mode()` in this thread."""
    return getattr(_state, "forward", False)
