"""The CPU a run computes on: its model and instruction-set features (Linux's /proc/cpuinfo),
and whether a mixed precision runs natively on it or is emulated (and how much slower).

Without the instructions below, TensorFlow's CPU kernels compute bfloat16 and float16 by
converting to float32 and back, which is slower than float32 itself. Elsewhere than Linux the
CPU is unknown, and nothing is called emulated.
"""
import dataclasses
import platform

CPUINFO = "/proc/cpuinfo"

# The /proc/cpuinfo features that compute each precision natively, per architecture.
NATIVE = {
    "mixed_bfloat16": {"x86_64": ("avx512_bf16", "amx_bf16"), "aarch64": ("bf16",)},
    "mixed_float16": {"x86_64": ("avx512_fp16", "amx_fp16"), "aarch64": ("fphp", "asimdhp")},
}
# The features a reader of a benchmark needs to know which figures apply (`benchmarks/`).
REPORTED = {"x86_64": ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16",
                       "avx512_fp16", "amx_fp16"),
            "aarch64": ("asimd", "sve", "bf16", "fphp", "asimdhp")}

# What an emulated precision cost where it was measured: benchmarks/throughput.py's
# DCGAN-CIFAR training step (batch 64) against float32's on the same CPU. Each row is
# (date, the CPU, the cost), read as "a DCGAN-CIFAR step took <cost> on <the CPU> (<date>)".
MEASURED_COST = {
    "mixed_bfloat16": (
        ("2026-12-06", "an AMD EPYC with AVX2 only",
         "6.6x float32's time (3,254 vs 515 ms; with R1 8.4x)"),
        ("2026-12-07", "an Intel Xeon with AVX-512 VNNI but no AVX512_BF16 or AMX",
         "3.0x float32's time (471 vs 153 ms)"),
    ),
    "mixed_float16": (
        ("2026-12-03", "an Intel Xeon with AVX-512 but no AVX512_FP16",
         "over 30x float32's time (unfinished after 11 minutes; float32 about 20 s with "
         "set-up)"),
    ),
}


@dataclasses.dataclass(frozen=True)
class CPU:
    """`model` as the system names it, `machine` "x86_64", "aarch64" or another
    `platform.machine()`, `features` the lower-case feature names of /proc/cpuinfo."""
    model: str
    machine: str
    features: frozenset


def machine(name=None):
    """`name` (default: `platform.machine()`) with the aliases of one architecture merged:
    "x86_64" for AMD64 / amd64, "aarch64" for arm64."""
    name = name if name is not None else platform.machine()
    return {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64",
            "aarch64": "aarch64"}.get(name.lower(), name)


def read(path=None, arch=None):
    """The `CPU` described by `path` (default `CPUINFO`, read at each call) on the
    architecture `arch` (default: this machine's); None when the file does not exist or names
    no features (not Linux, or an unknown format)."""
    try:
        with open(path or CPUINFO, errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), value.strip())  # the first CPU's
    features = fields.get("flags", fields.get("features", ""))
    if not features:
        return None
    arch = machine(arch)
    model = (fields.get("model name") or fields.get("hardware")
             or f"an {arch} CPU (implementer {fields.get('cpu implementer', '?')}, "
                f"part {fields.get('cpu part', '?')})")
    return CPU(" ".join(model.split()), arch, frozenset(features.lower().split()))


def missing_feature(precision, cpu):
    """The features whose absence makes `precision` emulated on `cpu` ("avx512_bf16 or
    amx_bf16"), or None: natively computed, float32, or an unknown CPU or architecture."""
    native = NATIVE.get(precision, {}).get(cpu.machine) if cpu is not None else None
    if not native or cpu.features & set(native):
        return None
    return " or ".join(native)


def emulation_warning(precision, cpu):
    """The one-line warning that `precision` is emulated on `cpu`, naming the CPU, the missing
    feature and the measured cost (`MEASURED_COST`); None when it is not emulated."""
    missing = missing_feature(precision, cpu)
    if missing is None:
        return None
    costs = "; ".join(f"{cost} on {where} ({date})"
                      for date, where, cost in MEASURED_COST[precision])
    return (f"{precision} is emulated on this CPU ({cpu.model}: no {missing}) and slower than "
            f"float32: a DCGAN-CIFAR step took {costs}. Train in float32 on this CPU.")
