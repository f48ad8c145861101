"""Quality on CPU, not tuned to one seed: the embedded default (ring8 with R1) covers all 8
modes in at least 4 of 5 seeds, in float32 and, with the same steps and rule, under
`train.precision=mixed_bfloat16`. Two seeds run at a time, one thread each; the fifth seed runs
only when the first four leave the verdict open (a few minutes)."""
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RUN = """
import sys
import tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
sys.argv = ["train.py", "--config=configs/default.py", "--config.seed=" + sys.argv[1],
            "--workdir=" + sys.argv[2], "--config.train.precision=" + sys.argv[3]]
exec(open("train.py").read())
"""


@pytest.mark.parametrize("prec", ["float32", "mixed_bfloat16"])
def test_default_r1_covers_all_ring8_modes_in_4_of_5_seeds(tmp_path, prec):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    results = {}
    for pair in ([0, 1], [2, 3], [4]):
        covered = sum(m["modes"] == 8 for m in results.values())
        if covered >= 4 or len(results) - covered > 1:
            break  # decided: at least 4 of 5 already pass, or 2 already fail
        procs = {s: subprocess.Popen([sys.executable, "-c", RUN, str(s), str(tmp_path / str(s)),
                                      prec],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True) for s in pair}
        for s, p in procs.items():
            out, _ = p.communicate(timeout=900)
            assert p.returncode == 0, out[-3000:]
            with open(tmp_path / str(s) / "metrics.json") as f:
                results[s] = json.load(f)
    table = {s: (m["modes"], round(m["hq_fraction"], 3), round(m["w1"], 4))
             for s, m in results.items()}
    print("seed: (modes, high-quality fraction, W1)", table)
    assert sum(m["modes"] == 8 for m in results.values()) >= 4, table
