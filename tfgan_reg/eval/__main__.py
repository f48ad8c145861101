"""`python -m tfgan_reg.eval <tool> [--flags]`: the evaluation tools; `<tool> --help` for each.

Tools:
  scores      Inception score, FID and KID of a generator (TF-GAN Inception, a local
              SavedModel / TF-Hub directory, or this project's digits / MNIST classifier).
  cross_test  Roth et al.'s cross-testing of two trained runs (seed 001 section 5.5).
  bogonet     The BogoNet stability experiment (seed 000 section 5.2) on random architectures.
"""
import importlib
import sys

from absl import app

TOOLS = {
    "scores": "tfgan_reg.eval.scores_cli",
    "cross_test": "tfgan_reg.eval.cross_test_cli",
    "bogonet": "tfgan_reg.eval.bogonet_cli",
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
    module = importlib.import_module(TOOLS[tool])  # defines the tool's absl flags
    app.run(module.main, argv=[f"python -m tfgan_reg.eval {tool}"] + sys.argv[2:])


if __name__ == "__main__":
    main()
