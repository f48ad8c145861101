"""`python -m tfgan_reg.dynamics table`: Table 1 of Mescheder et al. 2018 for the Dirac-GAN, every
cell derived from eigenvalues computed by autodiff and from a simulated trajectory.
`python -m tfgan_reg.dynamics quadratic`: the ICR paper's game x^2 + 10xy + y^2 under simultaneous
gradient descent with its three step-size settings.
`python -m tfgan_reg.dynamics figure --out DIR`: Mescheder et al.'s figures 2-3, the vector field of
every method with simulated trajectories of simultaneous and alternating GD (CGD's own update
for CGD), one PNG per method.

Flags: --step_size (GD step h; CGD's pictures use 10 h), --num_steps (simulated iterations),
--out (figure's output directory).
"""
from absl import app
from absl import flags
import tensorflow as tf

from tfgan_reg.dynamics import dirac

flags.DEFINE_float("step_size", 0.1, "Step size h of simultaneous gradient descent.")
flags.DEFINE_integer("num_steps", 2000, "Simulated iterations from (theta, psi) = (1, 1).")
flags.DEFINE_string("out", "dirac_figures", "Output directory of `figure`.")
FLAGS = flags.FLAGS

COMMANDS = ("table", "quadratic", "figure")


def _fmt(name, eig):
    if eig is None:
        return "n/a (discrete update)" if name == "cgd" else "n/a (not smooth at 0)"
    return ", ".join(f"{z.real:+.3f}{z.imag:+.3f}i" for z in sorted(eig, key=lambda z: z.imag))


def main(argv):
    if len(argv) != 2 or argv[1] not in COMMANDS:
        raise app.UsageError(f"Usage: python -m tfgan_reg.dynamics <command>, command one of "
                             f"{list(COMMANDS)}. Received: {argv[1:]}")
    tf.get_logger().setLevel("ERROR")  # retracing notes from the Jacobian's pfor
    if argv[1] == "figure":
        paths = dirac.figures(FLAGS.out, FLAGS.step_size, min(FLAGS.num_steps, 500))
        print("\n".join(paths))
        return
    if argv[1] == "quadratic":
        print(f"min_x max_y x^2 + 10xy + y^2, simultaneous GD, {FLAGS.num_steps} steps from "
              f"(1, 1)")
        print(f"{'eta_x':>6}{'eta_y':>7}{'|update| max':>14}{'final |z|':>12}  converges")
        for ex, ey, radius, final in dirac.quadratic_table(FLAGS.num_steps):
            print(f"{ex:>6}{ey:>7}{radius:>14.4f}{final:>12.2e}  "
                  f"{'yes' if radius < 1 and final < 1e-2 else 'no'}")
        return
    print(f"Dirac-GAN (Mescheder et al. 2018), simultaneous GD with h = {FLAGS.step_size}, "
          f"{FLAGS.num_steps} steps from (1, 1)")
    print(f"{'method':<16}{'Jacobian eigenvalues at 0':<34}{'|update| max':>13}"
          f"{'final |z|':>12}  converges  note")
    for name, eig, radius, final, ok, note in dirac.table(FLAGS.step_size, FLAGS.num_steps):
        r = "n/a" if radius is None else f"{radius:.4f}"
        print(f"{name:<16}{_fmt(name, eig):<34}{r:>13}{final:>12.2e}  {'yes' if ok else 'no ':<9}  "
              f"{note}")
