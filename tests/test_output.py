"""What a user sees: a real `train.py` run prints no start-up or warning lines they cannot act
on and counts integer steps; the start-up filter drops only INFO lines and survives an abort."""
import os
import re
import subprocess
import sys

import pytest

from helpers import ROOT

# Lines a CPU-only user cannot act on (issue 16), and TensorFlow's import-time INFO lines.
NOISE = ("cuInit", "shuffle=True", "Sharding callback duration", "oneDNN custom operations",
         "Could not find cuda drivers", "absl::InitializeLog")


def _user_env():
    """The environment of a user's shell: none of the test session's quieting variables."""
    env = dict(os.environ)
    for name in ("TF_CPP_MIN_LOG_LEVEL", "CUDA_VISIBLE_DEVICES"):
        env.pop(name, None)
    return env


@pytest.mark.slow
def test_a_short_train_run_is_quiet_and_counts_integer_steps(tmp_path):
    out = subprocess.run(
        [sys.executable, "train.py", "--config=configs/default.py", f"--workdir={tmp_path}",
         "--config.train.num_steps=6", "--config.train.log_every=3",
         "--config.train.checkpoint_every=3", "--config.eval.num_samples=100"],
        capture_output=True, text=True, timeout=600, cwd=ROOT, env=_user_env())
    assert out.returncode == 0, out.stderr
    for noise in NOISE:
        assert noise not in out.stderr and noise not in out.stdout, noise
    progress = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout)  # Keras's bold and colours
    assert re.search(r"\b3/6\b", progress) and re.search(r"\b6/6\b", progress)
    assert not re.search(r"\d+\.\d+/6\b", progress)  # no `3.0000/6`
    assert "step 6" in out.stdout


@pytest.mark.slow
def test_start_up_filter_keeps_warnings_and_survives_an_abort():
    # INFO lines are dropped at TF_CPP_MIN_LOG_LEVEL=1, a warning passes, and so does a line
    # written just before an abort (a LOG(FATAL) while TensorFlow loads).
    code = ("import os\n"
            "from tfgan_reg import commands\n"
            "with commands._filtered_stderr(commands._noise()):\n"
            "    os.write(2, b'I0000 00:00:1.0 port.cc:153] oneDNN custom operations\\n')\n"
            "    os.write(2, b'W0000 00:00:1.0 x.cc:1] a warning\\n')\n"
            "    os.write(2, b'F0000 00:00:1.0 x.cc:2] fatal\\n')\n"
            "    os.abort()\n")
    env = dict(_user_env(), TF_CPP_MIN_LOG_LEVEL="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, cwd=ROOT, env=env)
    assert out.returncode != 0
    assert "a warning" in out.stderr and "fatal" in out.stderr
    assert "oneDNN" not in out.stderr
