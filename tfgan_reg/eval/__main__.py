"""`python -m tfgan_reg.eval <tool> [--flags]`: the evaluation tools; `<tool> --help` for each.

Tools:
  scores      Inception score, FID and KID of a trained generator (TF-GAN Inception from
              TF-Hub when online, or a local SavedModel / TF-Hub directory).
"""
import importlib
import sys

from absl import app

TOOLS = {
    "scores": "tfgan_reg.eval.scores_cli",
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
