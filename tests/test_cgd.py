"""CGD / ACGD against dense numpy solves of docs/METHODS.md section 3, on games with known
answers."""
import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import optimizers
from tfgan_reg.optimizers import hvp


# ---- dense numpy references of docs/METHODS.md section 3 --------------------------------------

class Game:
    """f = x^T P x / 2 + x^T A y - y^T Q y / 2 + b^T x + c^T y (P = Q = 0: bilinear)."""

    def __init__(self, n, m, seed, quadratic):
        g = np.random.default_rng(seed)
        self.a = g.normal(size=(n, m))
        self.b, self.c = g.normal(size=n), g.normal(size=m)
        sym = lambda k: (lambda s: s @ s.T / k)(g.normal(size=(k, k)))
        self.p = sym(n) if quadratic else np.zeros((n, n))
        self.q = sym(m) if quadratic else np.zeros((m, m))
        self.x0, self.y0 = g.normal(size=n), g.normal(size=m)

    def grads(self, x, y):
        return (self.p @ x + self.a @ y + self.b, self.a.T @ x - self.q @ y + self.c)

    def tf_loss(self, x, y):
        a, b, c, p, q = (tf.constant(t) for t in (self.a, self.b, self.c, self.p, self.q))
        return lambda: (0.5 * tf.tensordot(x, tf.linalg.matvec(p, x), 1)
                        + tf.tensordot(x, tf.linalg.matvec(a, y), 1)
                        - 0.5 * tf.tensordot(y, tf.linalg.matvec(q, y), 1)
                        + tf.tensordot(b, x, 1) + tf.tensordot(c, y, 1))


def _reference_step(game, x, y, ax, ay):
    """docs/METHODS.md's ACGD formulas with dense inverses (CGD: ax, ay constant vectors)."""
    gx, gy = game.grads(x, y)
    dxy, dyx = game.a, game.a.T
    sx, sy = np.diag(np.sqrt(ax)), np.diag(np.sqrt(ay))
    ax_, ay_ = np.diag(ax), np.diag(ay)
    n, m = len(x), len(y)
    dx = -sx @ np.linalg.solve(np.eye(n) + sx @ dxy @ ay_ @ dyx @ sx, sx @ (gx + dxy @ ay_ @ gy))
    dy = sy @ np.linalg.solve(np.eye(m) + sy @ dyx @ ax_ @ dxy @ sy, sy @ (gy - dyx @ ax_ @ gx))
    return x + dx, y + dy


@pytest.mark.parametrize("quadratic,linearize", [(False, True), (True, True), (True, False)])
@pytest.mark.parametrize("kind", ["cgd", "cgd_pair", "acgd"])
def test_matches_dense_numpy_over_20_steps(kind, quadratic, linearize):
    game = Game(4, 3, seed=1, quadratic=quadratic)
    x, y = tf.Variable(game.x0), tf.Variable(game.y0)
    if kind == "acgd":
        opt = optimizers.ACGD(0.05, beta2=0.9, epsilon=1e-3, tol=1e-14, atol=0.0, max_iter=50,
                              linearize=linearize)
    else:
        opt = optimizers.CGD(0.2 if kind == "cgd" else (0.3, 0.1), tol=1e-14, atol=0.0,
                             max_iter=50, linearize=linearize)
    step = tf.function(lambda: opt.step(game.tf_loss(x, y), [x], [y]))
    rx, ry = game.x0.copy(), game.y0.copy()
    vx, vy = np.zeros(4), np.zeros(3)
    for t in range(1, 21):
        if kind == "acgd":
            gx, gy = game.grads(rx, ry)
            vx, vy = 0.9 * vx + 0.1 * gx**2, 0.9 * vy + 0.1 * gy**2
            corr = 1 - 0.9**t
            ax, ay = 0.05 / (np.sqrt(vx / corr) + 1e-3), 0.05 / (np.sqrt(vy / corr) + 1e-3)
        else:
            lx, ly = (0.2, 0.2) if kind == "cgd" else (0.3, 0.1)
            ax, ay = np.full(4, lx), np.full(3, ly)
        rx, ry = _reference_step(game, rx, ry, ax, ay)
        info = step()
        np.testing.assert_allclose(x.numpy(), rx, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(y.numpy(), ry, rtol=1e-6, atol=1e-9)
        assert 1 <= int(info["cg_iterations"]) <= 4  # CG is exact in <= n steps
        assert float(info["cg_residual"]) <= 1e-13
        assert int(info["hvps"]) == 3 + 2 * int(info["cg_iterations"])
    if kind == "acgd":
        np.testing.assert_allclose(opt.v_min[0].numpy(), vx, rtol=1e-10)
        np.testing.assert_allclose(opt.v_max[0].numpy(), vy, rtol=1e-10)
    assert int(opt.iterations) == 20


def _run(opt, loss, x, y, steps):
    step = tf.function(lambda: opt.step(loss, [x], [y]))
    for _ in range(steps):
        step()
    return np.hypot(float(tf.norm(x)), float(tf.norm(y)))


def _sim_gd(grad_fn, z, lrs, steps):
    for _ in range(steps):
        gx, gy = grad_fn(*z)
        z = (z[0] - lrs[0] * gx, z[1] + lrs[1] * gy)
    return np.hypot(*z)


def test_quadratic_game_of_the_icr_paper():
    """min_x max_y x^2 + 10xy + y^2: simultaneous GD with (0.03, 0.03) diverges; CGD converges."""
    x, y = tf.Variable(1.0, dtype=tf.float64), tf.Variable(1.0, dtype=tf.float64)
    loss = lambda: x**2 + 10 * x * y + y**2
    grads = lambda a, b: (2 * a + 10 * b, 10 * a + 2 * b)
    assert _sim_gd(grads, (1.0, 1.0), (0.03, 0.03), 300) > 10
    assert _run(optimizers.CGD(0.03, tol=1e-12), loss, x, y, 300) < 1e-4
    x.assign(1.0), y.assign(1.0)
    assert _run(optimizers.CGD(0.1, tol=1e-12), loss, x, y, 100) < 1e-12


def test_dirac_gan_of_mescheder_et_al():
    """L = f(psi theta) + f(0), f(t) = -log(1 + e^-t): simultaneous GD spirals out, CGD converges
    to (theta, psi) = (0, 0)."""
    theta, psi = tf.Variable(1.0, dtype=tf.float64), tf.Variable(1.0, dtype=tf.float64)
    f = lambda t: -tf.nn.softplus(-t)
    loss = lambda: f(psi * theta) + f(tf.constant(0.0, tf.float64))
    sig = lambda t: 1 / (1 + np.exp(t))  # f'(t)
    grads = lambda th, ps: (sig(ps * th) * ps, sig(ps * th) * th)
    assert _sim_gd(grads, (1.0, 1.0), (0.1, 0.1), 2000) > 1.4  # started at sqrt(2)
    assert _run(optimizers.CGD(1.0, tol=1e-12), loss, theta, psi, 600) < 1e-3


def test_state_is_checkpointable(tmp_path):
    game = Game(3, 2, seed=2, quadratic=True)
    x, y = tf.Variable(game.x0), tf.Variable(game.y0)
    opt = optimizers.ACGD(0.05, tol=1e-12)
    for _ in range(3):
        opt.step(game.tf_loss(x, y), [x], [y])
    path = tf.train.Checkpoint(opt=opt, x=x, y=y).save(str(tmp_path / "ckpt"))
    x2, y2 = tf.Variable(game.x0), tf.Variable(game.y0)
    opt2 = optimizers.ACGD(0.05, tol=1e-12)
    opt2.build([x2], [y2])
    tf.train.Checkpoint(opt=opt2, x=x2, y=y2).restore(path).assert_consumed()
    assert int(opt2.iterations) == 3
    for a, b in [(opt.v_min[0], opt2.v_min[0]), (opt.v_max[0], opt2.v_max[0]),
                 (opt.warm_start[0], opt2.warm_start[0])]:
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    opt.step(game.tf_loss(x, y), [x], [y])
    opt2.step(game.tf_loss(x2, y2), [x2], [y2])
    np.testing.assert_array_equal(x.numpy(), x2.numpy())


def test_compiles_with_xla():
    game = Game(4, 3, seed=3, quadratic=True)
    x, y = tf.Variable(game.x0), tf.Variable(game.y0)
    x2, y2 = tf.Variable(game.x0), tf.Variable(game.y0)
    opt, opt2 = optimizers.ACGD(0.05, tol=1e-12), optimizers.ACGD(0.05, tol=1e-12)
    plain = tf.function(lambda: opt.step(game.tf_loss(x, y), [x], [y]))
    xla = tf.function(lambda: opt2.step(game.tf_loss(x2, y2), [x2], [y2]), jit_compile=True)
    for _ in range(3):
        plain(), xla()
    np.testing.assert_allclose(x2.numpy(), x.numpy(), rtol=1e-10)
    # Linearized products (the plain tf.function) but not under XLA, which compiles them badly.
    seen = {}
    tf.function(lambda: seen.setdefault("graph", hvp.can_linearize()) or 0)()
    tf.function(lambda: seen.setdefault("xla", hvp.can_linearize()) or 0, jit_compile=True)()
    assert seen == {"graph": True, "xla": False} and not hvp.can_linearize()  # eager: False


def test_bad_input():
    x, y = tf.Variable(1.0), tf.Variable(2.0)
    with pytest.raises(TypeError, match="abstract"):  # the base class has no step sizes
        optimizers.CompetitiveOptimizer(tol=1e-6, atol=0.0, max_iter=5, name="base")
    with pytest.raises(ValueError, match=r"`learning_rate` must be a positive finite number. "
                                         r"Received: learning_rate=0"):
        optimizers.CGD(0)
    with pytest.raises(ValueError, match=r"Received: learning_rate=-1.0"):
        optimizers.ACGD(-1.0)
    with pytest.raises(ValueError, match=r"`tol` must be a positive finite number. "
                                         r"Received: tol=0.0"):
        optimizers.CGD(0.1, tol=0.0)
    with pytest.raises(ValueError, match=r"`max_iter` must be an integer >= 1"):
        optimizers.CGD(0.1, max_iter=0)
    with pytest.raises(ValueError, match=r"`beta2` must be in \[0, 1\). Received: beta2=1.0"):
        optimizers.ACGD(0.1, beta2=1.0)
    with pytest.raises(ValueError, match=r"`linearize` must be True or False. "
                                         r"Received: linearize='yes'"):
        optimizers.CGD(0.1, linearize="yes")
    opt = optimizers.CGD(0.1)
    with pytest.raises(ValueError, match=r"Both players need variables. Received: 0 min_vars"):
        opt.step(lambda: x * y, [], [y])
    with pytest.raises(ValueError, match=r"cannot belong to both players"):
        opt.step(lambda: x * y, [x], [y, x])
    with pytest.raises(ValueError, match=r"`loss_fn` must return a scalar. Received: shape=\(2,\)"):
        opt.step(lambda: tf.stack([x * y, x]), [x], [y])
