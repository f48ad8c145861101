"""The benchmarks survive their peers: a PyTorch peer that crashes (here: a "python" that dies
of SIGSEGV, as the CUDA torch wheel does when imported after TensorFlow) or is missing costs one
printed line, and our rows are still timed and printed."""
import importlib.util
import os
import subprocess
import sys

import pytest

from tfgan_reg import cpu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _workers():
    """benchmarks/peers/workers.py (standard library only; not a package)."""
    spec = importlib.util.spec_from_file_location(
        "workers", os.path.join(ROOT, "benchmarks", "peers", "workers.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _script(path, text):
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


def test_a_worker_answers_and_a_failing_one_is_one_line(tmp_path):
    """Fast tier (no TensorFlow, no torch): a worker built on `serve` answers its commands; a
    "python" that dies of SIGSEGV, a setup whose import fails, and a python that does not exist
    each end in one WorkerFailed line saying what happened."""
    workers = _workers()
    peers = os.path.join(ROOT, "benchmarks", "peers")
    good = _script(tmp_path / "good.py", f"import sys; sys.path.insert(0, {peers!r})\n"
                   "from workers import serve\n"
                   "serve(lambda: ({'x': 1}, {'run': lambda steps: {'seconds_per_step': steps}}))\n")
    w = workers.Worker("good", [sys.executable, good], stderr_path=str(tmp_path / "g.err"),
                       timeout=60)
    assert w.start()["x"] == 1
    answer = w.call("run", steps=3)
    assert answer["seconds_per_step"] == 3 and answer["peak_rss_mb"] > 0
    w.close()
    assert w.proc.returncode == 0

    missing = _script(tmp_path / "missing.py", f"import sys; sys.path.insert(0, {peers!r})\n"
                      "from workers import serve\n"
                      "def setup():\n    import no_such_torch\n"
                      "serve(setup)\n")
    segv = _script(tmp_path / "python", "#!/bin/sh\nkill -SEGV $$\n")
    cases = {"ImportError: No module named 'no_such_torch'": [sys.executable, missing],
             "killed by SIGSEGV": [segv, "peer.py"],
             "cannot run": [str(tmp_path / "no_python"), "peer.py"]}
    for expected, argv in cases.items():
        w = workers.Worker("bad", argv, stderr_path=str(tmp_path / "b.err"), timeout=60)
        with pytest.raises(workers.WorkerFailed, match=expected):
            w.start()
        w.close()
        line = workers.failure_line("PyTorch", argv[0], w.failure)
        assert "\n" not in line and argv[0] in line and "requirements-peers.txt" in line


@pytest.mark.slow  # our rows are worker processes that import TensorFlow
@pytest.mark.parametrize("peer", ["segfault", "missing"])
def test_throughput_prints_our_rows_when_the_peer_fails(tmp_path, peer):
    fake = tmp_path / "python"
    if peer == "segfault":
        fake.write_text("#!/bin/sh\nkill -SEGV $$\n")
    else:  # a Python without torch
        fake.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'import torch' \"$@\"\n")
    fake.chmod(0o755)
    out = subprocess.run(
        [sys.executable, "benchmarks/throughput.py", "--steps", "1", "--reps", "1",
         "--batch", "4", "--width", "8", "--precisions", "float32", "--penalties", "none,r1",
         "--xla", "off", "--lazy", "0", "--peer-python", str(fake)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    for row in ("float32 none", "float32 r1"):  # our rows, timed
        assert any(line.startswith(row) and line.split()[2][0].isdigit()
                   for line in lines), out.stdout
    failures = [line for line in lines if "requirements-peers" in line]
    assert len(failures) == 1 and failures[0].startswith("peer PyTorch"), out.stdout
    # The report opens with what its figures depend on; the workers took train.py's oneDNN
    # setting (on for x86-64), or the user's.
    assert lines[0].startswith("CPU: ") and lines[2].startswith("emulated on this CPU: ")
    setting = os.environ.get("TF_ENABLE_ONEDNN_OPTS",
                             "1" if cpu.machine() == "x86_64" else None)
    if setting in ("0", "1"):
        state = "on" if setting == "1" else "off"
        assert lines[1] == f"oneDNN in our workers: {state} (TF_ENABLE_ONEDNN_OPTS={setting})"


def _flops_module():
    spec = importlib.util.spec_from_file_location(
        "flops", os.path.join(ROOT, "benchmarks", "flops.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flop_count_of_a_traced_step_against_the_closed_form():
    import tensorflow as tf
    flops = _flops_module()
    k = tf.Variable(tf.ones([4, 4, 3, 5]))
    w = tf.Variable(tf.ones([80, 7]))

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            h = tf.nn.conv2d(x, k, 2, "SAME")  # [B, 4, 4, 5]
            out = tf.reduce_sum(tf.matmul(tf.reshape(h, [-1, 80]), w))
        dx, dk = tape.gradient(out, [x, k])
        tf.matmul(tf.ones([9, 9]), tf.ones([9, 9]))  # not used: not counted
        k.assign_sub(dk)
        return tf.reduce_sum(dx)

    graph = step.get_concrete_function(tf.TensorSpec([None, 8, 8, 3])).graph
    total = flops.graph_flops(graph, batch=2)
    conv = 2 * (2 * 4 * 4 * 5) * (4 * 4 * 3)  # one pass; forward, input and kernel gradients
    assert total["conv"] == 3 * conv
    # The forward matmul, and the input gradient's [2, 7] x [7, 80] (w is not updated).
    assert total["matmul"] == 2 * (2 * 2 * 7 * 80)

    @tf.function
    def branchy(x):
        return tf.cond(tf.reduce_sum(x) > 0, lambda: tf.nn.conv2d(x, k, 2, "SAME"),
                       lambda: tf.zeros([2, 4, 4, 5]))

    with pytest.raises(ValueError, match="not counted"):
        flops.graph_flops(branchy.get_concrete_function(tf.TensorSpec([2, 8, 8, 3])).graph, 2)


def test_target_ratios_pair_the_rows_repetition_by_repetition():
    # Ours is truly 0.8x theirs. The machine turns 2x slower in the second repetition, between
    # our row and theirs, and stays slow: per-repetition ratios keep 0.8, the ratio of the
    # two rows' medians does not.
    spec = importlib.util.spec_from_file_location(
        "throughput", os.path.join(ROOT, "benchmarks", "throughput.py"))
    throughput = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(throughput)
    ours = throughput.Row("ours", "ours", "float32", "none", False, None, 10)
    theirs = throughput.Row("theirs", "torch", "float32", "none", False, None, 10)
    ours.times, theirs.times = [0.8, 0.8, 1.6, 1.6], [1.0, 2.0, 2.0, 2.0]
    assert throughput.paired_ratio(ours, theirs) == (0.8, 0.4, 0.8)
    assert abs(ours.step / theirs.step - 0.6) < 1e-12


def test_throughput_report_opens_with_the_cpu_onednn_and_the_emulated_precisions():
    spec = importlib.util.spec_from_file_location(
        "throughput", os.path.join(ROOT, "benchmarks", "throughput.py"))
    throughput = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(throughput)
    epyc = cpu.CPU("AMD EPYC 7B13 64-Core Processor", "x86_64", frozenset({"avx2", "fma"}))
    assert throughput.machine_lines(epyc, True, {"TF_ENABLE_ONEDNN_OPTS": "1"}) == [
        "CPU: AMD EPYC 7B13 64-Core Processor (x86_64); has avx2 of the features that matter "
        "here; lacks avx512f avx512_vnni avx512_bf16 amx_bf16 avx512_fp16 amx_fp16",
        "oneDNN in our workers: on (TF_ENABLE_ONEDNN_OPTS=1)",
        "emulated on this CPU: mixed_bfloat16 (no avx512_bf16 or amx_bf16), mixed_float16 "
        "(no avx512_fp16 or amx_fp16)"]
    sapphire = cpu.CPU("Xeon 8480+", "x86_64", frozenset(cpu.REPORTED["x86_64"]))
    lines = throughput.machine_lines(sapphire, False, {"TF_ENABLE_ONEDNN_OPTS": "0"})
    assert lines[1:] == ["oneDNN in our workers: off (TF_ENABLE_ONEDNN_OPTS=0)",
                         "emulated on this CPU: none"]
    unknown = throughput.machine_lines(None, None, {})
    assert unknown[0].startswith("CPU: unknown") and "unset" in unknown[1]


def test_onednn_state_comes_from_tensorflow_and_follows_its_setting():
    """`_onednn_on` is the one call of a private TensorFlow API (no public one says whether the
    oneDNN kernels run): an upgrade that moves it fails here, naming the version."""
    tf = pytest.importorskip("tensorflow")
    spec = importlib.util.spec_from_file_location(
        "throughput_worker", os.path.join(ROOT, "benchmarks", "throughput_worker.py"))
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    on = worker._onednn_on()
    assert on is not None, (
        f"TensorFlow {tf.__version__} no longer has tensorflow.python.util._pywrap_util_port"
        f".IsMklEnabled(): benchmarks/throughput_worker.py:_onednn_on needs its new home.")
    setting = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    if setting in ("0", "1"):
        assert on == (setting == "1")
