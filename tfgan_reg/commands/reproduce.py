"""`python -m tfgan_reg.reproduce --out DIR [--claims id,...] [--quick] [--seeds 0,1,2,3,4]`:
runs the papers' claims (`tfgan_reg.reproduce`), each judged by a verdict rule fixed in code
before the run, and writes DIR/REPORT.md, DIR/report.json and the pictures (DIR/pictures).

A finished claim is not rerun: run the same command again after an interruption and it
continues with the next one. `--quick` runs every claim at reduced size (a smoke test whose
verdicts do not count); `--list` prints the claims and exits.
"""
from absl import flags

from tfgan_reg import reproduce

flags.DEFINE_string("out", None, "Output directory: runs/, pictures/, claims/ (finished "
                    "claims), report.json, REPORT.md.")
flags.DEFINE_list("claims", [], "Claim ids to run (default: all); see --list.")
flags.DEFINE_list("seeds", ["0", "1", "2", "3", "4"], "Seeds every multi-seed claim runs.")
flags.DEFINE_bool("quick", False, "Every claim at reduced size (smoke test).")
flags.DEFINE_string("report", None, "Where to write the Markdown report (default "
                    "OUT/REPORT.md); its picture links are relative to it.")
flags.DEFINE_bool("list", False, "Print the registered claims and exit.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    if FLAGS.list:
        for claim in reproduce.get(()):
            kind = "needs a GPU" if claim.gpu else "runs here"
            print(f"{claim.id:<28} {claim.citation}, {claim.where} ({kind})")
        return
    if not FLAGS.out:
        raise ValueError("--out is required (the directory for the runs and the report).")
    seeds = []
    for s in FLAGS.seeds:
        if not s.lstrip("-").isdigit():
            raise ValueError(f"`--seeds` must be integers. Received: --seeds={s!r}")
        seeds.append(int(s))
    records = reproduce.run(FLAGS.claims, out=FLAGS.out, seeds=tuple(seeds), quick=FLAGS.quick,
                            report=FLAGS.report)
    ran = [r for r in records if not r["gpu"]]
    print(f"{len(ran)} claims: " + ", ".join(
        f"{sum(r['verdict'] == v for r in ran)} {v}" for v in reproduce.registry.VERDICTS)
        + f"; report written to {FLAGS.report or FLAGS.out + '/REPORT.md'}")
