"""Training-step throughput of the DCGAN-CIFAR pair (`model.arch=dcgan`, 32x32, base width 64,
BN in G, layer norm in D, latent 100), batch 64, non-saturating loss, Adam 2e-4, one D step
and one G step, in each precision: unregularised and with each penalty, measured side by side
(interleaved repetitions, median) against the same pair, batch, loss and optimiser in plain
PyTorch (float32 and CPU autocast bfloat16 / float16, plain and with R1 and WGAN-GP when
--penalties names them). The row
`r1 lazy/k` is float32 R1 with lazy regularisation (`penalty_every=k`, StyleGAN2; k from
--lazy).

    python benchmarks/throughput.py [--steps 10] [--reps 3] [--precisions float32,mixed_bfloat16]
        [--penalties none,r1,wgan_gp] [--xla off] [--lazy 16] [--peer-python PATH]

Every row runs in its own long-lived process (ours: throughput_worker.py, under this
Python; PyTorch's: benchmarks/peers/torch_dcgan.py under --peer-python, default this Python),
set up and warmed up once, then told "run N steps" in turn, so the repetitions interleave. So
torch is never imported next to TensorFlow (its CUDA wheels segfault there), and a peer that
is missing or crashes costs one printed line, not our rows. The peer starts from our initial
weights and takes our real batches and latents (npz files in a temporary folder).

Memory: "peak MB" is the row's own process's resident high-water mark (VmHWM), so it
includes the framework's own footprint; "base MB" is that process's resident size (VmRSS) when
it was ready, after importing the framework, building the networks and two warm-up steps, so
peak - base is what the timed steps added on top. float16 on a CPU may be emulated and far
slower: drop it with --precisions float32,mixed_bfloat16.

"GFLOP" is the convolution and matmul arithmetic of one step of ours, counted from its traced
graph (flops.py): where the convolutions run near the CPU's peak, a penalty's time over the
plain step cannot fall much below its FLOPs over the plain step's, and the report says so
where a target lies below that floor.

Each target ratio is the median over repetitions of the ratio of the two rows' times in the
same repetition (seconds apart, in one round over the rows), with its lowest and highest: a
slow spell of the machine that spans a round cancels out of it.

The report starts with what its figures depend on: the CPU model and features, whether our
workers ran TensorFlow's oneDNN kernels (they inherit train.py's setting,
`tfgan_reg.commands.set_environment`: on for x86-64 unless TF_ENABLE_ONEDNN_OPTS is set), and
the precisions this CPU emulates (`tfgan_reg.cpu`).

Random data and random-weight networks: nothing is downloaded. Targets (printed with PASS /
MISS; they live here, never in tests): mixed_bfloat16 plain step <= 0.7x our float32 step and
<= 0.9x PyTorch's bfloat16 autocast step; R1 and WGAN-GP steps <= 1.3x our plain float32
step; our float32 plain step <= 0.85x PyTorch's.
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np

from tfgan_reg import checks
from tfgan_reg import commands
from tfgan_reg import cpu

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # for the workers, which inherit it
_HERE = os.path.dirname(os.path.abspath(__file__))
_PEERS = os.path.join(_HERE, "peers")
sys.path[:0] = [_HERE, _PEERS]
from throughput_worker import GAMMA, LATENT, SHAPE  # noqa: E402
from workers import Worker, WorkerFailed, failure_line  # noqa: E402

# Our policy (`tfgan_reg.precision.PRECISIONS`) -> the dtype PyTorch's CPU autocast runs in.
TORCH_DTYPE = {"float32": "float32", "mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}
BATCHES = 4  # distinct real batches, cycled
TARGETS = {"bf16_vs_f32": 0.7, "bf16_vs_torch_bf16": 0.9, "r1_vs_plain": 1.3,
           "wgan_gp_vs_plain": 1.3, "f32_vs_torch_f32": 0.85}


# --- the driver (no TensorFlow, no torch in this process) ----------------------------------

class Row:
    def __init__(self, label, framework, precision, penalty, jit, worker, steps):
        self.label, self.framework, self.precision = label, framework, precision
        self.penalty, self.jit, self.worker, self.steps = penalty, jit, worker, steps
        self.times, self.peak_mb, self.base_mb, self.failure = [], None, None, None
        self.gflop = None  # convolution and matmul FLOPs of one step (ours only)
        self.onednn = None  # whether its TensorFlow ran oneDNN's kernels (ours only)

    @property
    def step(self):
        return float(np.median(self.times)) if self.times and not self.failure else None


def _write_data(tmp, batch):
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, size=(BATCHES, batch) + SHAPE).astype(np.float32)
    latents = rng.standard_normal((2 * BATCHES, batch, LATENT)).astype(np.float32)
    path = os.path.join(tmp, "data.npz")
    np.savez(path, real_nhwc=real, real_nchw=real.transpose(0, 1, 4, 2, 3), latents=latents)
    return path


def _spec(tmp, name, spec):
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(spec, f)
    return path


def _start(row, log):
    print(f"setting up {row.label} ...", file=log, flush=True)
    try:
        info = row.worker.start()
        row.base_mb = info["base_rss_mb"]
        row.gflop = info.get("gflop")
        row.onednn = info.get("onednn")
        return info
    except WorkerFailed as e:
        row.failure = str(e)
        return None


def build_rows(args, tmp, log=sys.stderr):
    """Starts every row's worker; returns (ours rows, peer rows, notes)."""
    data = _write_data(tmp, args.batch)
    jits = {"both": (False, True), "off": (False,), "on": (True,)}[args.xla]
    weights = os.path.join(tmp, "weights.npz")
    lazy_steps = -(-args.steps // max(args.lazy, 1)) * max(args.lazy, 1)
    ours, notes, dumped = [], [], None
    for prec in args.precisions:
        combos = [(n, 1) for n in args.penalties]
        if args.lazy > 1 and prec == "float32":
            combos.append(("r1", args.lazy))
        for jit in jits:
            for penalty, every in combos:
                label = (f"{prec} {penalty if every == 1 else f'r1 lazy/{every}'}"
                         f"{' +XLA' if jit else ''}")
                spec = {"precision": prec, "penalty": penalty, "jit": jit, "every": every,
                        "width": args.width, "batch": args.batch, "data": data,
                        "dump_weights": None if dumped else weights}
                key = f"ours{len(ours)}"
                worker = Worker(label, [sys.executable,
                                        os.path.join(_HERE, "throughput_worker.py"),
                                        _spec(tmp, key, spec)],
                                stderr_path=os.path.join(tmp, key + ".err"))
                row = Row(label, "ours", prec, penalty if every == 1 else "lazy", jit, worker,
                          lazy_steps if every > 1 else args.steps)
                info = _start(row, log)
                if info and not dumped:
                    dumped = (prec, info.get("d_real_logit_mean"))
                ours.append(row)
    peers = []
    peer_dead = None  # a failure that every further peer would repeat (not installed)
    peer_penalties = [p for p in ("none", "r1", "wgan_gp") if p == "none" or p in args.penalties]
    for prec in args.precisions:
        for penalty in peer_penalties:
            dtype = TORCH_DTYPE[prec]
            label = f"PyTorch {dtype}{' autocast' if dtype != 'float32' else ''} " \
                    f"{'plain' if penalty == 'none' else penalty}"
            spec = {"precision": dtype, "penalty": penalty, "gamma": GAMMA, "width": args.width,
                    "latent": LATENT, "batch": args.batch, "threads": os.cpu_count(),
                    "data": data, "weights": weights if dumped else None}
            key = f"peer{len(peers)}"
            worker = Worker(label, [args.peer_python, os.path.join(_PEERS, "torch_dcgan.py"),
                                    _spec(tmp, key, spec)],
                            stderr_path=os.path.join(tmp, key + ".err"))
            row = Row(label, "torch", prec, penalty, False, worker, args.steps)
            peers.append(row)
            if peer_dead:
                row.failure = peer_dead
                continue
            info = _start(row, log)
            if row.failure and (row.failure.startswith(("ImportError", "cannot run"))
                                or "killed by" in row.failure):
                peer_dead = row.failure
            if info and dumped and dumped[0] == "float32" and dtype == "float32":
                gap = abs(info["d_real_logit_mean"] - dumped[1])
                if gap > 1e-3 * (1 + abs(dumped[1])):
                    notes.append(f"WARNING: D(real) differs between ours and PyTorch at the "
                                 f"start ({dumped[1]:.6f} vs {info['d_real_logit_mean']:.6f}): "
                                 f"the weights were not carried over like for like.")
    if not dumped:
        notes.append("no row of ours started, so PyTorch used its own initial weights")
    return ours, peers, notes


def time_rows(rows, reps):
    """Interleaved repetitions: each repetition runs every live row once, in turn."""
    for _ in range(reps):
        for row in rows:
            if row.failure:
                continue
            try:
                answer = row.worker.call("run", steps=row.steps)
            except WorkerFailed as e:
                row.failure = str(e)
                continue
            row.times.append(answer["seconds_per_step"])
            row.peak_mb = answer["peak_rss_mb"]
    for row in rows:
        row.worker.close()


def _fmt(value, spec):
    return format(value, spec) if value is not None else "n/a"


def machine_lines(info, onednn, environ):
    """The lines that say which figures apply: the CPU (`tfgan_reg.cpu.read`) and its features
    relevant here, whether our workers ran oneDNN's kernels (`onednn`: True, False or None) with
    the TF_ENABLE_ONEDNN_OPTS they inherited (`environ`), and the precisions the CPU emulates."""
    setting = environ.get("TF_ENABLE_ONEDNN_OPTS")
    setting = (f"TF_ENABLE_ONEDNN_OPTS={setting}" if setting is not None
               else "TF_ENABLE_ONEDNN_OPTS unset: TensorFlow's default for this CPU")
    state = {True: "on", False: "off", None: "not reported"}[onednn]
    if info is None:
        return ["CPU: unknown (no /proc/cpuinfo): its features and emulated precisions not read",
                f"oneDNN in our workers: {state} ({setting})"]
    names = cpu.REPORTED.get(info.machine, ())
    has = [n for n in names if n in info.features]
    lacks = [n for n in names if n not in info.features]
    emulated = [f"{p} (no {cpu.missing_feature(p, info)})" for p in cpu.NATIVE
                if cpu.missing_feature(p, info)]
    return [f"CPU: {info.model} ({info.machine}); has {' '.join(has) or 'none'} of the "
            f"features that matter here; lacks {' '.join(lacks) or 'none'}",
            f"oneDNN in our workers: {state} ({setting})",
            f"emulated on this CPU: {', '.join(emulated) or 'none'}"]


def report(args, ours, peers, notes, out=sys.stdout):
    onednn = next((r.onednn for r in ours if r.onednn is not None), None)
    for line in machine_lines(cpu.read(), onednn, os.environ):
        print(line, file=out)
    print(f"DCGAN-CIFAR (32x32, width {args.width}), batch {args.batch}, {args.steps} steps x "
          f"{args.reps} interleaved repetitions (median), {os.cpu_count()} CPUs; each row in "
          f"its own process", file=out)
    print(f"{'step':<32}{'ms':>9}{'images/s':>10}{'vs plain':>10}{'peak MB':>9}{'base MB':>9}"
          f"{'GFLOP':>8}", file=out)
    plain = {(r.framework, r.precision, r.jit): r.step for r in ours + peers
             if r.penalty == "none"}
    for row in ours + peers:
        s, ref = row.step, plain.get((row.framework, row.precision, row.jit))
        if row.failure:
            what = ("CPU autocast does not support it" if "does not support" in row.failure
                    else "not timed: " + row.failure)
            print(f"{row.label:<32} {what}"[:120], file=out)
            continue
        print(f"{row.label:<32}{1e3 * s:>9.1f}{args.batch / s:>10.0f}"
              f"{_fmt(s / ref if ref else None, '>10.2f'):>10}{_fmt(row.peak_mb, '>9.0f'):>9}"
              f"{_fmt(row.base_mb, '>9.0f'):>9}{_fmt(row.gflop, '>8.1f'):>8}", file=out)
    # One line per distinct peer failure (a missing torch fails every peer row alike).
    failed = {}
    for row in peers:
        if row.failure and "does not support" not in row.failure:
            failed.setdefault(row.failure, []).append(row.label)
    for what, labels in failed.items():
        print(failure_line(f"PyTorch ({len(labels)} of {len(peers)} rows)", args.peer_python,
                           what), file=out)
    for note in notes:
        print(note, file=out)
    targets(args, ours, peers, out)


def paired_ratio(num, den):
    """(median, min, max) over repetitions of `num`'s time / `den`'s in the same repetition:
    the two ran seconds apart in one round, so a slow spell spanning the round cancels out."""
    ratios = [a / b for a, b in zip(num.times, den.times)]
    return float(np.median(ratios)), min(ratios), max(ratios)


def targets(args, ours, peers, out):
    def best_row(framework, prec, penalty, rows):
        timed = [r for r in rows if r.framework == framework and r.precision == prec
                 and r.penalty == penalty and r.step is not None]
        return min(timed, key=lambda r: r.step) if timed else None

    def best(framework, prec, penalty, rows):
        row = best_row(framework, prec, penalty, rows)
        return row.step if row is not None else None

    def line(text, num, den, target, floor=None):
        if num is None or den is None:
            print(f"{text}: n/a (row not timed) (target <= {target})", file=out)
            return
        ratio, low, high = paired_ratio(num, den)
        below = (f"; its FLOPs are {floor:.2f}x the plain step's, so the target asks for less "
                 f"arithmetic" if floor is not None and floor > target else "")
        missing = cpu.missing_feature(num.precision, cpu.read())
        if missing and num.framework == "ours":
            below += (f"; {num.precision} is emulated on this CPU (no {missing}): the target "
                      f"is for a CPU that computes it")
        print(f"{text}: {ratio:.2f} [{low:.2f}-{high:.2f}] (target <= {target}) "
              f"{'PASS' if ratio <= target else 'MISS'}{below}", file=out)

    def work(prec, penalty):
        rows = [r.gflop for r in ours if r.precision == prec and r.penalty == penalty
                and r.gflop and not r.jit]
        return rows[0] if rows else None

    xla = " (ours at its faster XLA setting)" if args.xla == "both" else ""
    print(f"targets{xla}:", file=out)
    print("  (each the median over repetitions of the ratio of the two rows' times in one "
          "repetition [lowest-highest])", file=out)
    f32 = best_row("ours", "float32", "none", ours)
    if "mixed_bfloat16" in args.precisions:
        bf16 = best_row("ours", "mixed_bfloat16", "none", ours)
        line("  ours mixed_bfloat16 plain / ours float32 plain", bf16, f32,
             TARGETS["bf16_vs_f32"])
        line("  ours mixed_bfloat16 plain / PyTorch bfloat16 autocast plain", bf16,
             best_row("torch", "mixed_bfloat16", "none", peers), TARGETS["bf16_vs_torch_bf16"])
    for penalty, key, name in (("r1", "r1_vs_plain", "R1"),
                               ("wgan_gp", "wgan_gp_vs_plain", "WGAN-GP")):
        if penalty in args.penalties:
            for prec in args.precisions:
                num, den = work(prec, penalty), work("float32", "none")
                line(f"  ours {name} {prec} / ours plain float32",
                     best_row("ours", prec, penalty, ours), f32, TARGETS[key],
                     num / den if num and den and prec == "float32" else None)
    line("  ours float32 plain / PyTorch float32 plain", f32,
         best_row("torch", "float32", "none", peers), TARGETS["f32_vs_torch_f32"])
    print("not targets:", file=out)
    plain_work = work("float32", "none")
    for penalty, name in (("r1", "R1"), ("wgan_gp", "WGAN-GP")):
        num = work("float32", penalty)
        if num and plain_work:
            # Convolutions run near this CPU's peak: step time follows FLOPs.
            print(f"  ours {name} float32 / ours plain float32 in FLOPs (the floor of the time "
                  f"ratio for the same products): {num / plain_work:.2f}", file=out)
    for penalty, name in (("r1", "R1"), ("wgan_gp", "WGAN-GP")):
        if penalty in args.penalties:
            # The same ratio as the target above, in PyTorch: what the penalty costs there.
            num, den = best("torch", "float32", penalty, peers), best("torch", "float32",
                                                                       "none", peers)
            print(f"  PyTorch {name} float32 / PyTorch plain float32: "
                  f"{_fmt(num / den if num and den else None, '.2f')}", file=out)
            for prec in args.precisions:
                num, den = best("ours", prec, penalty, ours), best("torch", prec, penalty, peers)
                print(f"  ours {name} {prec} / PyTorch {TORCH_DTYPE[prec]} {name}: "
                      f"{_fmt(num / den if num and den else None, '.2f')}", file=out)
    f32 = f32.step if f32 is not None else None
    if "mixed_float16" in args.precisions:
        f16 = best("ours", "mixed_float16", "none", ours)
        print(f"  ours mixed_float16 plain / ours float32 plain: "
              f"{_fmt(f16 / f32 if f16 and f32 else None, '.2f')}", file=out)
    lazy = best("ours", "float32", "lazy", ours)
    if lazy is not None:
        print(f"  ours float32 r1 lazy/{args.lazy} (R1 every {args.lazy}th D step with "
              f"{args.lazy}x the weight) / ours plain float32: "
              f"{_fmt(lazy / f32 if f32 else None, '.2f')}", file=out)


def _names(text, valid, flag):
    try:
        return checks.choices(flag, [n for n in text.split(",") if n], valid)
    except ValueError as e:
        raise SystemExit(str(e)) from None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=10, help="timed steps per repetition")
    p.add_argument("--reps", type=int, default=3, help="interleaved repetitions (median)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--width", type=int, default=64, help="base width of both networks")
    p.add_argument("--precisions", default="",
                   help="comma-separated names of tfgan_reg.precision.PRECISIONS (default: all)")
    p.add_argument("--penalties", default="none,r1,wgan_gp",
                   help="comma-separated penalty names ('none': unregularised, always timed)")
    p.add_argument("--xla", choices=("both", "off", "on"), default="off")
    p.add_argument("--lazy", type=int, default=16,
                   help="also time float32 R1 applied every k-th D step (0: skip)")
    p.add_argument("--peer-python", default=sys.executable,
                   help="the Python that runs the PyTorch peer (one with torch installed: "
                        "pip install -r benchmarks/requirements-peers.txt)")
    args = p.parse_args(argv)
    # TensorFlow's start-up as train.py has it (quiet, oneDNN on x86-64): the workers inherit
    # its environment, and this process imports TensorFlow for the penalties' names.
    commands.quiet_tensorflow()
    from tfgan_reg import penalties, precision  # fail fast on a bad name, before any row
    args.precisions = _names(args.precisions or ",".join(precision.PRECISIONS),
                             precision.PRECISIONS, "--precisions")
    args.penalties = _names(args.penalties, ["none"] + penalties.names(), "--penalties")
    if "none" not in args.penalties:
        args.penalties.insert(0, "none")
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        ours, peers, notes = build_rows(args, tmp)
        time_rows(ours + peers, args.reps)
    report(args, ours, peers, notes)


if __name__ == "__main__":
    main()
