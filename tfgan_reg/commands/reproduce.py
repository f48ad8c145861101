"""`python -m tfgan_reg.reproduce --out DIR [--claims id,...] [--quick] [--seeds 0,1,2,3,4]
[--jobs N] [--hours H] [--readme README.md]`: runs the papers' claims (`tfgan_reg.reproduce`),
each judged by a gate and a verdict rule fixed in code before the run, and writes DIR/REPORT.md,
DIR/report.json, DIR/summary.md and the pictures (DIR/pictures).

A finished claim is not rerun when its setup and verdict code are unchanged: run the same
command again after an interruption and it continues with the next one; a record whose setup or
verdict code changed stops the run with what to do. `--quick` runs every claim at reduced size
(a smoke test whose verdicts do not count); `--list` prints the claims and exits.
"""
from absl import flags

from tfgan_reg import commands
from tfgan_reg import reproduce
from tfgan_reg.reproduce import report

flags.DEFINE_string("out", None, "Output directory: runs/, pictures/, claims/ (finished "
                    "claims), report.json, REPORT.md, summary.md.")
flags.DEFINE_list("claims", [], "Claim ids to run (default: all); see --list.")
flags.DEFINE_list("seeds", None, "Seeds every multi-seed claim runs (default: each claim's "
                  "own, else 0,1,2,3,4).")
flags.DEFINE_bool("quick", False, "Every claim at reduced size (smoke test).")
flags.DEFINE_integer("jobs", 1, "Worker processes running claims side by side (1: in this "
                     "process).")
flags.DEFINE_float("hours", None, "Start only the claims whose cost estimate (--list) ends "
                   "within this many hours of the start, longest first; the others stay "
                   "pending for the next run (a session with a time limit; estimates can be "
                   "low: leave a margin).")
flags.DEFINE_string("report", None, "Where to write the Markdown report (default "
                    "OUT/REPORT.md); its picture links are relative to it.")
flags.DEFINE_string("readme", None, "A README whose text between <!-- reproduction-summary "
                    "--> and <!-- /reproduction-summary --> is replaced by the run's summary.")
flags.DEFINE_bool("list", False, "Print the registered claims and exit.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    if FLAGS.list:
        print("\n".join(report.listing(reproduce.get(()))))
        return
    if not FLAGS.out:
        raise ValueError("--out is required (the directory for the runs and the report).")
    if FLAGS.jobs < 1:
        raise ValueError(f"`--jobs` must be a positive integer. Received: --jobs={FLAGS.jobs}")
    seeds = None
    if FLAGS.seeds is not None:
        seeds = []
        for s in FLAGS.seeds:
            if not s.lstrip("-").isdigit():
                raise ValueError(f"`--seeds` must be integers. Received: --seeds={s!r}")
            seeds.append(int(s))
    records = reproduce.run(FLAGS.claims, out=FLAGS.out, seeds=seeds, quick=FLAGS.quick,
                            report=FLAGS.report, readme=FLAGS.readme, jobs=FLAGS.jobs,
                            hours=FLAGS.hours, worker_setup=commands.quiet_tensorflow)
    print(report.headline(records)
          + f" Report written to {FLAGS.report or FLAGS.out + '/REPORT.md'}.")
