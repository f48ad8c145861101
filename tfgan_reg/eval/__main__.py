"""`python -m tfgan_reg.eval <tool> [--flags]`: the evaluation tools; `<tool> --help` for each.

Tools:
  scores      Inception score, FID and KID of a trained generator (TF-GAN Inception from
              TF-Hub when online, a local SavedModel / TF-Hub directory, or the domain
              classifier of digits / MNIST).
  cross_test  Roth et al.'s cross-testing of two runs' discriminators and generators.
  drift       Seed 003's ICR drift: how far the discriminator moves from a checkpoint when
              trained alone and when trained with its generator.
  bogonet     Seed 000's BogoNet score: random architecture pairs trained with two methods.
"""
import importlib
import sys

from absl import app
from absl import flags

TOOLS = {
    "scores": "tfgan_reg.eval.scores_cli",
    "cross_test": "tfgan_reg.eval.cross_test",
    "drift": "tfgan_reg.eval.drift",
    "bogonet": "tfgan_reg.eval.bogonet",
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help", "help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) >= 2 else 2)
    tool = sys.argv[1]
    if tool not in TOOLS:
        print(f"error: `tool` must be one of {sorted(TOOLS)}. Received: tool={tool!r}",
              file=sys.stderr)
        sys.exit(2)
    module = importlib.import_module(TOOLS[tool])
    if hasattr(module, "define_flags"):  # else the module defines its flags on import
        module.define_flags()
    if any(a in ("-h", "-?", "--help", "--helpshort") for a in sys.argv[2:]):
        print(module.__doc__.strip() + "\n\nFlags:\n" + flags.FLAGS.module_help(TOOLS[tool]))
        sys.exit(0)
    sys.modules["__main__"].__doc__ = module.__doc__  # absl's usage messages name the tool
    # absl logs at INFO by default (TensorFlow's checkpoint chatter); --verbosity=0 restores it.
    app.run(module.main, argv=[f"python -m tfgan_reg.eval {tool}", "--verbosity=-1"]
            + sys.argv[2:])


if __name__ == "__main__":
    main()
