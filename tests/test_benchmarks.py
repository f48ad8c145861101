"""The benchmarks survive their peers: a PyTorch peer that crashes (here: a "python" that dies
of SIGSEGV, as the CUDA torch wheel does when imported after TensorFlow) or is missing costs one
printed line, and our rows are still timed and printed."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.slow  # our rows are worker processes that import TensorFlow


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
