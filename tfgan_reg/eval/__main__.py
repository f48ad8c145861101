"""`python -m tfgan_reg.eval <tool> [--flags]`: the evaluation tools; `<tool> --help` for each.

Tools:
  scores      Inception score, FID and KID of a trained generator (TF-GAN Inception from
              TF-Hub when online, a local SavedModel / TF-Hub directory, or the domain
              classifier of digits / MNIST).
  cross_test  Roth et al.'s cross-testing of two runs' discriminators and generators.
  drift       The ICR paper's drift: how far the discriminator moves from a checkpoint when
              trained alone and when trained with its generator.
  bogonet     Kodali et al.'s BogoNet score: random architecture pairs trained with two methods.
"""
import sys

from tfgan_reg import commands


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help", "help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) >= 2 else 2)
    tool = sys.argv[1]
    if tool not in commands.EVAL_TOOLS:
        print(f"error: `tool` must be one of {sorted(commands.EVAL_TOOLS)}. "
              f"Received: tool={tool!r}", file=sys.stderr)
        sys.exit(2)
    commands.run(commands.load(tool), sys.argv[2:], program=f"python -m tfgan_reg.eval {tool}")


if __name__ == "__main__":
    main()
