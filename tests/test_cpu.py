"""`cpu`: reading the CPU's model and features, which precisions it emulates, and the one warning
a GAN in an emulated precision gives (the CPU faked through a cpuinfo file of the test's)."""
import warnings

import pytest

from tfgan_reg import GAN
from tfgan_reg import commands
from tfgan_reg import cpu
from tfgan_reg import precision
from tfgan_reg.nets import mlp

EPYC = ("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13 64-Core Processor\n"
        "flags\t\t: fpu sse2 avx avx2 fma f16c\n\n"
        "processor\t: 1\nmodel name\t: AMD EPYC 7B13 64-Core Processor\nflags\t\t: fpu\n")
SAPPHIRE = ("model name\t: Intel(R) Xeon(R) Platinum 8480+\n"
            "flags\t\t: avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 avx512_fp16\n")
GRAVITON = ("processor\t: 0\nBogoMIPS\t: 243.75\n"
            "Features\t: fp asimd evtstrm aes crc32 atomics fphp asimdhp cpuid asimddp\n"
            "CPU implementer\t: 0x41\nCPU part\t: 0xd0c\n")


def _cpuinfo(tmp_path, text):
    path = tmp_path / "cpuinfo"
    path.write_text(text)
    return str(path)


def test_read_takes_the_first_cpus_model_and_features(tmp_path):
    epyc = cpu.read(_cpuinfo(tmp_path, EPYC), "x86_64")
    assert epyc == cpu.CPU("AMD EPYC 7B13 64-Core Processor", "x86_64",
                           frozenset({"fpu", "sse2", "avx", "avx2", "fma", "f16c"}))
    graviton = cpu.read(_cpuinfo(tmp_path, GRAVITON), "arm64")
    assert graviton.machine == "aarch64" and {"fphp", "asimdhp"} <= graviton.features
    assert "0xd0c" in graviton.model  # no model name on aarch64: the part number says it
    assert cpu.read(str(tmp_path / "missing"), "x86_64") is None  # not Linux: unknown
    assert cpu.read(_cpuinfo(tmp_path, "processor\t: 0\n"), "x86_64") is None


@pytest.mark.parametrize("text,arch,bf16,fp16", [
    (EPYC, "x86_64", "avx512_bf16 or amx_bf16", "avx512_fp16 or amx_fp16"),
    (SAPPHIRE, "AMD64", None, None),
    (GRAVITON, "aarch64", "bf16", None),
    (GRAVITON, "ppc64le", None, None),  # an architecture with no table: nothing is claimed
])
def test_missing_feature_per_precision(tmp_path, text, arch, bf16, fp16):
    info = cpu.read(_cpuinfo(tmp_path, text), arch)
    assert cpu.missing_feature("mixed_bfloat16", info) == bf16
    assert cpu.missing_feature("mixed_float16", info) == fp16
    assert cpu.missing_feature("float32", info) is None
    assert cpu.missing_feature("mixed_bfloat16", None) is None


def test_every_emulated_precision_has_a_measured_cost():
    assert set(cpu.MEASURED_COST) == set(cpu.NATIVE)
    for rows in cpu.MEASURED_COST.values():
        assert rows and all(len(date) == 10 and where and cost for date, where, cost in rows)


def _build_gans(prec, count=2):
    """The warnings of building `count` GANs computing in `prec`."""
    with precision.policy_scope(prec):
        pairs = [(mlp.mlp_generator(latent_dim=2, output_shape=(2,), depth=1, width=4, seed=1),
                  mlp.mlp_discriminator(input_shape=(2,), depth=1, width=4, seed=2))
                 for _ in range(count)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for g, d in pairs:
            GAN(g, d, latent_dim=2, precision=prec)
    return [str(w.message) for w in caught if "emulated" in str(w.message)]


@pytest.fixture
def fake_cpu(tmp_path, monkeypatch):
    """Makes this an x86-64 machine with the cpuinfo text given to the returned function."""
    monkeypatch.setattr(precision, "_WARNED", set())
    monkeypatch.setattr(precision, "accelerator_visible", lambda: False)
    monkeypatch.setattr(cpu.platform, "machine", lambda: "x86_64")

    def use(text):
        monkeypatch.setattr(cpu, "CPUINFO", _cpuinfo(tmp_path, text))
        precision._WARNED.clear()
    return use


@pytest.mark.parametrize("prec,feature", [("mixed_bfloat16", "avx512_bf16 or amx_bf16"),
                                          ("mixed_float16", "avx512_fp16 or amx_fp16")])
def test_an_emulated_precision_warns_once_naming_the_cpu_feature_and_cost(fake_cpu, prec,
                                                                          feature):
    fake_cpu(EPYC)
    (message,) = _build_gans(prec)
    assert f"{prec} is emulated" in message and "AMD EPYC 7B13" in message
    assert f"no {feature}" in message and cpu.MEASURED_COST[prec][0][2] in message
    assert "\n" not in message


def test_native_precisions_float32_and_a_gpu_do_not_warn(fake_cpu, monkeypatch):
    fake_cpu(SAPPHIRE)
    assert _build_gans("mixed_bfloat16") == [] and _build_gans("mixed_float16") == []
    fake_cpu(EPYC)
    assert _build_gans("float32") == []
    monkeypatch.setattr(precision, "accelerator_visible", lambda: True)
    assert _build_gans("mixed_bfloat16") == []


def test_a_command_prints_a_warning_as_one_line(capsys):
    commands._show_warning(UserWarning("mixed_bfloat16 is emulated\n  on this CPU"), UserWarning,
                           "gan.py", 1)
    commands._show_warning(FutureWarning("old name"), FutureWarning, "nets.py", 1)
    assert capsys.readouterr().err.splitlines() == [
        "warning: mixed_bfloat16 is emulated on this CPU", "warning: FutureWarning: old name"]


def test_bfloat16_tests_are_skipped_only_where_onednn_is_held_below_avx512(tmp_path):
    """tests/conftest.py's condition: oneDNN on (unset or 1) and capped below AVX-512 on a CPU
    that has AVX512F; an AVX2-only CPU, oneDNN off or no cap runs them."""
    from conftest import bfloat16_cannot_run
    xeon = _cpuinfo(tmp_path, SAPPHIRE)
    capped = {"ONEDNN_MAX_CPU_ISA": "avx2"}
    assert "ONEDNN_MAX_CPU_ISA=AVX2" in bfloat16_cannot_run(capped, xeon)
    assert bfloat16_cannot_run(dict(capped, TF_ENABLE_ONEDNN_OPTS="1"), xeon)
    assert bfloat16_cannot_run(dict(capped, TF_ENABLE_ONEDNN_OPTS="0"), xeon) == ""
    assert bfloat16_cannot_run({}, xeon) == ""
    assert bfloat16_cannot_run({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}, xeon) == ""
    assert bfloat16_cannot_run(capped, _cpuinfo(tmp_path, EPYC)) == ""


def test_every_low_precision_has_its_native_features_listed():
    # The benchmark's report and `missing_feature` walk `NATIVE`: it must name each
    # low precision of `precision.PRECISIONS`, and nothing else.
    assert set(cpu.NATIVE) == set(precision.PRECISIONS) - {"float32"}
