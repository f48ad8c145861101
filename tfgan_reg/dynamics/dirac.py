"""The Dirac-GAN of Mescheder et al. 2018 (section 2.2; docs/METHODS.md section 6) for each
method of its Table 1 and for CGD: the gradient vector field, its Jacobian at the equilibrium,
the update operators of simultaneous and alternating gradient descent, and simulated
trajectories.

Data `delta_0`, generator `delta_theta`, discriminator `D(x) = psi x`; the generator minimises
`L(theta, psi) = f(psi theta) + f(0)`, the discriminator maximises it minus its regulariser.
Everything is differentiated by TensorFlow (float64); nothing below hard-codes an eigenvalue.
"""
import dataclasses
import os

import numpy as np
import tensorflow as tf

from tfgan_reg.eval import plots

DT = tf.float64


def f_gan(t):
    """`f(t) = -log(1 + exp(-t))` (the GAN objective; f'(0) = 1/2, f''(0) = -1/4)."""
    return -tf.nn.softplus(-t)


def f_wgan(t):
    """`f(t) = t` (WGAN; f'(0) = 1, f''(0) = 0)."""
    return t


# Gauss-Hermite nodes for E over N(0, sigma^2) (instance noise), exact for polynomials of degree
# < 2 * 40 and accurate to float64 for the smooth f here.
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(40)
_GH_W = _GH_W / _GH_W.sum()


@dataclasses.dataclass(frozen=True)
class Method:
    """A row of Mescheder et al.'s Table 1: objective, discriminator regulariser,
    hyperparameters."""
    name: str
    f: callable = f_gan
    gamma: float = 0.0   # R1 / R2 / Roth / ConOpt weight, or WGAN-GP / DRAGAN lambda
    sigma: float = 0.0   # instance noise std


def _expect_noise(fn, sigma):
    if sigma == 0:
        return fn(tf.constant(0.0, DT))
    eps = tf.constant(sigma * _GH_X, DT)
    return tf.reduce_sum(tf.constant(_GH_W, DT) * fn(eps))


def objective(method, theta, psi):
    """L(theta, psi) as seen by both players (with instance noise when sigma > 0)."""
    f = method.f
    return (_expect_noise(lambda e: f(psi * (theta + e)), method.sigma)
            + _expect_noise(lambda e: f(psi * e), method.sigma))


def discriminator_penalty(method, theta, psi):
    """The regulariser D adds to its loss; `grad_x D(x) = psi` at every point."""
    n = method.name
    if n in ("r1", "r2"):  # (gamma/2) |grad D|^2 on real (x = 0) or fake (x = theta) points
        return 0.5 * method.gamma * psi ** 2
    if n == "roth":
        # Roth et al.'s eq. 20 weighs real points by (1 - sigma(l(x)))^2 and fakes by sigma(l(x))^2,
        # with l the logit of the *real* class. Mescheder et al.'s D is positive on fakes (eq. 1:
        # f(D(fake)) + f(-D(real))), so l(x) = -psi x: the fake weight is sigma(-psi theta)^2.
        # Both weights are 1/4 at the equilibrium, so only the field away from it depends on
        # the sign.
        real_logit = lambda x: -psi * x
        return 0.5 * method.gamma * psi ** 2 * ((1.0 - tf.sigmoid(real_logit(0.0))) ** 2
                                                + tf.sigmoid(real_logit(theta)) ** 2)
    if n in ("wgan_gp", "dragan"):  # lam (|grad D| - 1)^2 at interpolates / around the data
        return method.gamma * (tf.abs(psi) - 1.0) ** 2
    return tf.constant(0.0, DT)


def _raw_field(method, theta, psi):
    """(-dL/dtheta, d(L - penalty)/dpsi): the directions both players move in."""
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([theta, psi])
        loss = objective(method, theta, psi)
        d_obj = loss - discriminator_penalty(method, theta, psi)
    return -tape.gradient(loss, theta), tape.gradient(d_obj, psi)


def vector_field(method, theta, psi):
    """The gradient vector field v(theta, psi); ConOpt adds `-gamma grad (|v|^2 / 2)`."""
    theta = tf.convert_to_tensor(theta, DT)
    psi = tf.convert_to_tensor(psi, DT)
    if method.name != "conopt":
        return _raw_field(method, theta, psi)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([theta, psi])
        vt, vp = _raw_field(method, theta, psi)
        half_sq = 0.5 * (vt ** 2 + vp ** 2)
    return (vt - method.gamma * tape.gradient(half_sq, theta),
            vp - method.gamma * tape.gradient(half_sq, psi))


def _jacobian(fn, point):
    z = tf.Variable(np.asarray(point, np.float64))
    with tf.GradientTape() as tape:
        out = tf.stack(fn(z[0], z[1]))
    return tape.jacobian(out, z).numpy()


def jacobian(method, point=(0.0, 0.0)):
    """Jacobian of the vector field at `point` (the equilibrium by default)."""
    return _jacobian(lambda t, p: vector_field(method, t, p), point)


def eigenvalues(method, point=(0.0, 0.0)):
    return np.linalg.eigvals(jacobian(method, point))


def simultaneous_step(method, h):
    def step(theta, psi):
        vt, vp = vector_field(method, theta, psi)
        return theta + h * vt, psi + h * vp
    return step


def alternating_step(method, h, n_g=1, n_d=1):
    """n_d discriminator steps, then n_g generator steps (Mescheder et al. 2018, Lemma 2.5)."""
    def step(theta, psi):
        for _ in range(n_d):
            psi = psi + h * vector_field(method, theta, psi)[1]
        for _ in range(n_g):
            theta = theta + h * vector_field(method, theta, psi)[0]
        return theta, psi
    return step


def cgd_step(method, h):
    """One CGD step (docs/METHODS.md section 3) on the zero-sum Dirac-GAN, theta min, psi max."""
    def step(theta, psi):
        with tf.GradientTape(persistent=True) as outer:
            outer.watch([theta, psi])
            with tf.GradientTape(persistent=True) as inner:
                inner.watch([theta, psi])
                loss = objective(method, theta, psi)
            gt, gp = inner.gradient(loss, theta), inner.gradient(loss, psi)
        dxy = outer.gradient(gt, psi)
        denom = 1.0 + h * h * dxy * dxy
        dt = -h * (gt + h * dxy * gp) / denom
        dp = h * (gp - h * dxy * gt) / denom
        return theta + dt, psi + dp
    return step


def update_eigenvalues(step, point=(0.0, 0.0)):
    """Eigenvalues of the Jacobian of an update operator at `point`."""
    return np.linalg.eigvals(_jacobian(step, point))


def trajectory(step, start=(1.0, 1.0), num_steps=1000):
    """Iterates of an update operator from `start`: array [num_steps + 1, 2]."""
    z = [tf.constant(start[0], DT), tf.constant(start[1], DT)]
    out = [np.array(start, np.float64)]
    fn = tf.function(step)
    for _ in range(num_steps):
        z = list(fn(*z))
        out.append(np.array([float(z[0]), float(z[1])]))
    return np.stack(out)


# ---- Mescheder et al.'s Table 1, derived ----------------------------------------------------

# Each row's hyperparameters; the notes say where the verdict depends on them.
TABLE_ROWS = [
    (Method("unregularized"), "never converges: eigenvalues on the imaginary axis"),
    (Method("wgan", f=f_wgan), "never converges (with or without clipping at the equilibrium)"),
    (Method("wgan_gp", f=f_wgan, gamma=1.0),
     "no equilibrium at (0, 0): D is pushed to |psi| = 1; theta keeps moving"),
    (Method("dragan", gamma=1.0), "as WGAN-GP here: the penalty needs |psi| = 1"),
    (Method("instance_noise", sigma=1.0),
     "converges for every sigma > 0; oscillating below sigma_c = sqrt(|f'(0)| / |f''(0)|)"),
    (Method("conopt", gamma=1.0), "converges for every gamma > 0 (small enough step size)"),
    (Method("roth", gamma=1.0), "converges for every gamma > 0; oscillating below 2 gamma_c"),
    (Method("r1", gamma=1.0), "converges for every gamma > 0; oscillating below gamma_c = "
                              "2 |f'(0)|"),
    (Method("r2", gamma=1.0), "as R1 (the gradient of D(x) = psi x is psi everywhere)"),
    (Method("cgd"), "CGD update (h = 1): converges for every step size h > 0"),
]

_NON_SMOOTH = ("wgan_gp", "dragan")  # |psi| is not differentiable at the equilibrium


def table(h=0.1, num_steps=2000, start=(1.0, 1.0)):
    """Rows of (method, Jacobian eigenvalues at (0, 0) or None, spectral radius of the
    simultaneous-GD update (CGD: of its own update), final distance to (0, 0) of a simulated
    trajectory from `start`, verdict, note)."""
    rows = []
    for method, note in TABLE_ROWS:
        if method.name == "cgd":
            step = cgd_step(Method("unregularized"), 1.0)
            eig = None
        else:
            step = simultaneous_step(method, h)
            eig = None if method.name in _NON_SMOOTH else eigenvalues(method)
        radius = None if method.name in _NON_SMOOTH else float(
            np.abs(update_eigenvalues(step)).max())
        final = float(np.linalg.norm(trajectory(step, start, num_steps)[-1]))
        stable = (eig is None or np.all(eig.real < 0)) and (radius is None or radius < 1)
        converges = stable and final < 1e-2 * np.linalg.norm(start)
        rows.append((method.name, eig, radius, final, converges, note))
    return rows


# ---- pictures (Mescheder et al. 2018, figures 2-3) --------------------------------------------

def grid_field(method, theta, psi):
    """The vector field on arrays of points (same shapes): (v_theta, v_psi) as numpy."""
    fn = tf.function(lambda t, p: tf.stack(vector_field(method, t, p)))
    theta, psi = np.asarray(theta, np.float64), np.asarray(psi, np.float64)
    out = np.array([fn(tf.constant(t, DT), tf.constant(p, DT)).numpy()
                    for t, p in zip(theta.ravel(), psi.ravel())])
    return out[:, 0].reshape(theta.shape), out[:, 1].reshape(theta.shape)


def figures(out_dir, h=0.1, num_steps=300, start=(1.0, 1.0), limits=(-2.0, 2.0), grid=15):
    """One picture per row of `TABLE_ROWS`: the method's vector field over (theta, psi) with
    trajectories of simultaneous and alternating gradient descent (CGD's own update for the
    `cgd` row) from `start`. Returns the paths."""
    paths = []
    for method, _ in TABLE_ROWS:
        field_method = Method("unregularized") if method.name == "cgd" else method
        if method.name == "cgd":
            runs = {f"CGD, h = {h * 10:g}": cgd_step(field_method, h * 10)}
        else:
            runs = {f"simultaneous GD, h = {h:g}": simultaneous_step(method, h),
                    f"alternating GD, h = {h:g}": alternating_step(method, h)}
        trajectories = {}
        for label, step in runs.items():
            points = trajectory(step, start, num_steps)
            inside = np.all(np.abs(points) <= 4 * max(abs(limits[0]), abs(limits[1])), axis=1)
            trajectories[label] = points[:np.argmin(inside) if not inside.all() else None]
        paths.append(plots.vector_field_png(
            os.path.join(out_dir, f"dirac_{method.name}.png"),
            lambda t, p, m=field_method: grid_field(m, t, p), trajectories,
            title=f"Dirac-GAN, {method.name}", limits=limits, grid=grid))
    return paths


# ---- the ICR paper's quadratic game ---------------------------------------------------------

def quadratic_game(x, y):
    """`x^2 + 10 x y + y^2` (Schaefer et al. 2020, eq. 3): x minimises, y maximises."""
    return x ** 2 + 10.0 * x * y + y ** 2


def quadratic_sim_gd_step(eta_x, eta_y):
    """Simultaneous gradient descent (x) / ascent (y) with step sizes (eta_x, eta_y)."""
    def step(x, y):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([x, y])
            f = quadratic_game(x, y)
        return x - eta_x * tape.gradient(f, x), y + eta_y * tape.gradient(f, y)
    return step


QUADRATIC_SETTINGS = ((0.09, 0.01), (0.03, 0.03), (0.01, 0.09))  # ICR paper, section 3


def quadratic_table(num_steps=500, start=(1.0, 1.0)):
    """(eta_x, eta_y, spectral radius of the update at 0, final |z| from `start`)."""
    rows = []
    for eta_x, eta_y in QUADRATIC_SETTINGS:
        step = quadratic_sim_gd_step(eta_x, eta_y)
        radius = float(np.abs(update_eigenvalues(step)).max())
        final = float(np.linalg.norm(trajectory(step, start, num_steps)[-1]))
        rows.append((eta_x, eta_y, radius, final))
    return rows
