"""Competitive gradient descent (Schaefer & Anandkumar 2019) and its adaptive variant ACGD
(Schaefer et al. 2020, appendix A.5, Algorithm 1); docs/METHODS.md section 3.

Both take the Nash equilibrium of the local bilinear game with diagonal step sizes `A_x`, `A_y`
(CGD: `eta I`; ACGD: RMSProp-type per-parameter sizes):

    dx = -A_x^1/2 (I + A_x^1/2 Dxy A_y Dyx A_x^1/2)^-1 A_x^1/2 (grad_x f + Dxy A_y grad_y f)
    dy = A_y (grad_y f + Dyx dx)

The second line is the max player's first-order condition of the local game, equal to the
METHODS formula for `dy` and cheaper (no second solve: `Dyx dx` is a linear image of the CG
iterate, kept up to date from the products CG computes anyway). The
symmetric positive definite system is solved by conjugate gradient with products from
`hvp.mixed_product`, warm-started from the previous step's solution. With `linearize=True` (the
default) and one replica inside a `tf.function`, the products come from
`hvp.linearized_product`: the tangent-free passes run once per step, not once per product.
"""
import abc

import tensorflow as tf

from tfgan_reg import checks
from tfgan_reg.optimizers import hvp


def _dot(a, b):
    return tf.add_n([tf.reduce_sum(x * y) for x, y in zip(a, b)])


def _axpy(alpha, x, y):
    """alpha * x + y over lists."""
    return [alpha * a + b for a, b in zip(x, y)]


def _check_positive(name, value):
    checks.number(name, value, low=0, low_open=True)


def _check_variables(min_vars, max_vars):
    min_vars, max_vars = list(min_vars), list(max_vars)
    if not min_vars or not max_vars:
        raise ValueError(f"Both players need variables. Received: {len(min_vars)} min_vars and "
                         f"{len(max_vars)} max_vars")
    max_ids = {id(v) for v in max_vars}
    shared = [v for v in min_vars if id(v) in max_ids]
    if shared:
        names = sorted(getattr(v, "path", v.name) for v in shared)
        raise ValueError(f"A variable cannot belong to both players. Received shared: {names}")
    return min_vars, max_vars


def _state(initial, name):
    # Every replica computes the same (all-reduced) state, so the first replica's write is kept.
    return tf.Variable(initial, trainable=False, name=name,
                       aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)


def _assign_add(pairs):
    """`var += delta` for (var, delta) pairs, also for mirrored variables in a replica context
    (the deltas are identical on every replica)."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None or not tf.distribute.has_strategy():
        for var, delta in pairs:
            var.assign_add(delta)
        return

    def merge(strategy, *deltas):
        for (var, _), delta in zip(pairs, deltas):
            strategy.extended.update(var, lambda v, d: v.assign_add(d), args=(delta,),
                                     group=False)

    ctx.merge_call(merge, args=tuple(delta for _, delta in pairs))


class CompetitiveOptimizer(tf.Module, metaclass=abc.ABCMeta):
    """Shared machinery: state, validation, the CG solve and the joint update."""

    def __init__(self, *, tol, atol, max_iter, linearize, name):
        super().__init__(name=name)
        if not isinstance(linearize, bool):
            raise ValueError(f"`linearize` must be True or False. Received: "
                             f"linearize={linearize!r}")
        self.linearize = linearize
        _check_positive("tol", tol)
        checks.number("atol", atol, low=0)
        checks.number("max_iter", max_iter, low=1, integer=True)
        self.tol, self.atol, self.max_iter = float(tol), float(atol), max_iter
        self._built = False

    # ---- state -------------------------------------------------------------------------------

    def build(self, min_vars, max_vars):
        """Creates the state (call inside the strategy scope, before the first step)."""
        if self._built:
            return
        min_vars, max_vars = _check_variables(min_vars, max_vars)
        with tf.init_scope():
            self.iterations = _state(tf.constant(0, tf.int64), "iterations")
            # Warm start: the previous solution w of the CG system (one per min variable).
            self.warm_start = [_state(tf.zeros(v.shape, v.dtype), f"warm_start_{i}")
                               for i, v in enumerate(min_vars)]
            self._build_state(min_vars, max_vars)
        self._built = True

    def _build_state(self, min_vars, max_vars):
        """Creates a subclass's own state (CGD has none)."""

    @abc.abstractmethod
    def _step_sizes(self, gx, gy, min_vars, max_vars):
        """Diagonal step sizes (A_x, A_y), each a list broadcastable to the variables."""

    # ---- the step ----------------------------------------------------------------------------

    def step(self, loss_fn, min_vars, max_vars, *, args=()):
        """One joint update: `min_vars` minimise and `max_vars` maximise `loss_fn(*args)`.

        Under a strategy with several replicas, call it either in a replica context (then the
        CG loop is unrolled to `max_iter` masked iterations, because MirroredStrategy cannot
        all-reduce inside a while loop) or, better, in the cross-replica context with `args`
        holding the per-replica data (see `hvp`); `tfgan_reg.GAN` does the latter.

        Returns diagnostics: `cg_iterations`, `cg_residual` (final relative residual),
        `hvps` (mixed Hessian-vector products used) and `loss` (f before the update).
        """
        min_vars, max_vars = _check_variables(min_vars, max_vars)
        min_vars, max_vars = hvp.as_tf_variables(min_vars), hvp.as_tf_variables(max_vars)
        if not self._built:
            self.build(min_vars, max_vars)
        if len(self.warm_start) != len(min_vars) or any(
                w.shape != v.shape for w, v in zip(self.warm_start, min_vars)):
            raise ValueError("The optimiser was built for other min_vars (shapes "
                             f"{[w.shape.as_list() for w in self.warm_start]}). Received: "
                             f"{[v.shape.as_list() for v in min_vars]}")
        self.iterations.assign_add(1)
        if self.linearize and hvp.can_linearize():
            dxy, f, gx = hvp.linearized_product(loss_fn, min_vars, max_vars, args)
            dyx, _, gy = hvp.linearized_product(loss_fn, max_vars, min_vars, args)
        else:
            f, gx, gy = hvp.value_and_gradients(loss_fn, min_vars, max_vars, args)
            dxy = lambda v: hvp.mixed_product(loss_fn, min_vars, max_vars, v, args)
            dyx = lambda u: hvp.mixed_product(loss_fn, max_vars, min_vars, u, args)
        ax, ay = self._step_sizes(gx, gy, min_vars, max_vars)
        sx = [tf.sqrt(a) for a in ax]

        def operator(p):
            """(I + A_x^1/2 Dxy A_y Dyx A_x^1/2) p, and its inner part Dyx A_x^1/2 p."""
            inner = dyx([s * q for s, q in zip(sx, p)])
            outer = dxy([a * q for a, q in zip(ay, inner)])
            return [q + s * o for q, s, o in zip(p, sx, outer)], inner

        cross = dxy([a * g for a, g in zip(ay, gy)])
        rhs = [s * (g + c) for s, g, c in zip(sx, gx, cross)]
        w, inner_w, iterations, residual = self._conjugate_gradient(operator, rhs)
        dx = [-s * q for s, q in zip(sx, w)]
        # Dyx dx = -Dyx A_x^1/2 w, which CG kept up to date alongside w (no extra product).
        dy = [a * (g - b) for a, g, b in zip(ay, gy, inner_w)]
        _assign_add(list(zip(min_vars, dx)) + list(zip(max_vars, dy)))
        for ws, q in zip(self.warm_start, w):
            ws.assign(q)
        # rhs, the warm start's residual and 2 per CG iteration.
        hvps = 1 + 2 + 2 * iterations
        return {"loss": f, "cg_iterations": iterations, "cg_residual": residual, "hvps": hvps}

    def _conjugate_gradient(self, operator, b):
        """Solves `A w = b` from the warm start, `operator(p) = (A p, B p)` for a linear B;
        returns (w, B w, iterations, relative residual)."""
        w0 = [tf.convert_to_tensor(v) for v in self.warm_start]
        aw0, bw0 = operator(w0)
        r0 = [bi - ai for bi, ai in zip(b, aw0)]
        b_norm = tf.sqrt(_dot(b, b))
        threshold = tf.maximum(tf.cast(self.tol, b_norm.dtype) * b_norm,
                               tf.cast(self.atol, b_norm.dtype))
        rr0 = _dot(r0, r0)

        def cond(k, w, bw, r, p, rr):
            return tf.logical_and(k < self.max_iter, tf.sqrt(rr) > threshold)

        def body(k, w, bw, r, p, rr):
            ap, bp = operator(p)
            alpha = rr / _dot(p, ap)
            w = _axpy(alpha, p, w)
            bw = _axpy(alpha, bp, bw)
            r = _axpy(-alpha, ap, r)
            rr_new = _dot(r, r)
            p = _axpy(rr_new / rr, p, r)
            return k + 1, w, bw, r, p, rr_new

        state = (tf.constant(0), w0, bw0, r0, r0, rr0)
        ctx = tf.distribute.get_replica_context()
        if ctx is not None and ctx.num_replicas_in_sync > 1:
            # MirroredStrategy cannot all-reduce inside a while loop (its merge_call is not
            # allowed in control flow), so the loop is unrolled to `max_iter` iterations; those
            # after convergence leave the solution unchanged.
            for _ in range(self.max_iter):
                active = cond(*state)
                state = tf.nest.map_structure(lambda new, old: tf.where(active, new, old),
                                              body(*state), state)
        else:
            state = tf.while_loop(cond, body, state)
        k, w, bw, _, _, rr = state
        residual = tf.math.divide_no_nan(tf.sqrt(rr), b_norm)
        return w, bw, k, residual


def _learning_rates(learning_rate):
    """(min player's, max player's) step size from one number or a pair."""
    if isinstance(learning_rate, (tuple, list)):
        if len(learning_rate) != 2:
            raise ValueError(f"`learning_rate` must be a number or a (min player, max player) "
                             f"pair. Received: learning_rate={learning_rate!r}")
        lr_min, lr_max = learning_rate
    else:
        lr_min = lr_max = learning_rate
    _check_positive("learning_rate", lr_min)
    _check_positive("learning_rate", lr_max)
    return float(lr_min), float(lr_max)


class CGD(CompetitiveOptimizer):
    """Competitive gradient descent with step size `learning_rate` (or a (min, max) pair)."""

    def __init__(self, learning_rate=1e-3, *, tol=1e-6, atol=1e-20, max_iter=100,
                 linearize=True, name="CGD"):
        super().__init__(tol=tol, atol=atol, max_iter=max_iter, linearize=linearize, name=name)
        self.learning_rate = _learning_rates(learning_rate)

    def _step_sizes(self, gx, gy, min_vars, max_vars):
        lx, ly = self.learning_rate
        return ([tf.constant(lx, g.dtype) for g in gx], [tf.constant(ly, g.dtype) for g in gy])


class ACGD(CompetitiveOptimizer):
    """Adaptive CGD (Schaefer et al. 2020, Algorithm 1): per-parameter step sizes
    `learning_rate / (sqrt(v / (1 - beta2^t)) + epsilon)`, `v` the RMSProp second moment.

    The bias correction is applied to a copy; the stored `v` stays the plain moving average
    (Algorithm 1 writes the corrected value back, a typo: it would re-correct every step).
    """

    def __init__(self, learning_rate=1e-4, *, beta2=0.99, epsilon=1e-5, tol=1e-6, atol=1e-20,
                 max_iter=100, linearize=True, name="ACGD"):
        super().__init__(tol=tol, atol=atol, max_iter=max_iter, linearize=linearize, name=name)
        self.learning_rate = _learning_rates(learning_rate)
        checks.number("beta2", beta2, low=0, high=1, high_open=True)
        _check_positive("epsilon", epsilon)
        self.beta2, self.epsilon = float(beta2), float(epsilon)

    def _build_state(self, min_vars, max_vars):
        self.v_min = [_state(tf.zeros(v.shape, v.dtype), f"v_min_{i}")
                      for i, v in enumerate(min_vars)]
        self.v_max = [_state(tf.zeros(v.shape, v.dtype), f"v_max_{i}")
                      for i, v in enumerate(max_vars)]

    def _step_sizes(self, gx, gy, min_vars, max_vars):
        t = tf.cast(self.iterations, gx[0].dtype)
        correction = 1.0 - tf.pow(tf.constant(self.beta2, gx[0].dtype), t)
        sizes = []
        for moments, grads, lr in ((self.v_min, gx, self.learning_rate[0]),
                                   (self.v_max, gy, self.learning_rate[1])):
            out = []
            for v, g in zip(moments, grads):
                v.assign(self.beta2 * v + (1.0 - self.beta2) * tf.square(g))
                out.append(lr / (tf.sqrt(v / correction) + self.epsilon))
            sizes.append(out)
        return sizes
