"""`--strategy=multi_worker`: two worker processes on localhost (TF_CONFIG) train the run a
single process trains, to float tolerance; only the chief writes the workdir."""
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tfgan_reg import runs, training

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVERRIDES = {"model.g_depth": 1, "model.g_width": 16, "model.d_depth": 1, "model.d_width": 16,
             "train.batch_size": 32, "train.num_steps": 12, "train.checkpoint_every": 6,
             "train.log_every": 3, "train.jit_compile": False, "eval.every": 6,
             "eval.best_metric": "w1", "eval.num_samples": 100, "penalty.gamma": 1.0}


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _config():
    import importlib.util
    spec = importlib.util.spec_from_file_location("default_config",
                                                  os.path.join(ROOT, "configs", "default.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = module.get_config()
    for key, value in OVERRIDES.items():
        section, name = key.split(".")
        config[section][name] = value
    return config


def _weights(workdir):
    config, model = runs.load_run(workdir)
    return int(model.step_counter), [w.numpy() for w in
                                     model.generator.weights + model.discriminator.weights]


@pytest.mark.slow
def test_two_workers_match_one_process(tmp_path):
    single = str(tmp_path / "single")
    training.train_and_evaluate(_config(), single, verbose=False)

    workdir = str(tmp_path / "multi")
    ports = _free_ports(2)
    cluster = {"worker": [f"localhost:{p}" for p in ports]}
    args = [sys.executable, os.path.join(ROOT, "train.py"), "--config=configs/default.py",
            f"--workdir={workdir}", "--strategy=multi_worker"]
    args += [f"--config.{k}={v}" for k, v in OVERRIDES.items()]
    procs = []
    for index in range(2):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="",
                   TF_CONFIG=json.dumps({"cluster": cluster,
                                         "task": {"type": "worker", "index": index}}))
        procs.append(subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    try:
        outs = [p.communicate(timeout=600) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]
    # The chief reports; the other worker stays quiet and leaves no scratch directory.
    assert "step 12" in outs[0][0] and "step 12" not in outs[1][0]
    assert not [n for n in os.listdir(workdir) if n.startswith(".worker")]

    step_multi, multi = _weights(workdir)
    step_single, ref = _weights(single)
    assert step_multi == step_single == 12
    # Default and multi-worker differ only in float summation order.
    config = _config()
    with tf.device("CPU:0"):
        init = [w.numpy() for w in (lambda g, d: g.weights + d.weights)(
            *runs.build_networks(config))]
    assert max(np.abs(a - b).max() for a, b in zip(ref, init)) > 1e-3
    for a, b in zip(ref, multi):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    with open(os.path.join(workdir, "eval.csv")) as f:
        assert [line.split(",")[0] for line in f.read().splitlines()] == ["step", "6", "12"]
    assert os.path.exists(os.path.join(workdir, "best", "best.json"))
