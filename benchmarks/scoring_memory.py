"""Peak memory of `python -m tfgan_reg.eval scores` as the number of samples grows (issue 17):
each row runs the command itself in a fresh child process, so its peak RSS
(`getrusage(RUSAGE_SELF).ru_maxrss`, the child alone) is its own. Target: peak RSS of 50,000
samples at most 1.10 x that of 5,000.

    python benchmarks/scoring_memory.py [--samples 5000,20000,50000] [--classifier DIR]
        [--workdir RUN] [--real bootstrap|data] [--batch_size 250] [--code DIR]

Offline and fast on a CPU by default: a digits run trained for 2 steps in a temporary workdir,
scored by a random-weight SavedModel classifier with Inception's output sizes (2048-d `pool_3`,
1008 logits; 16x16x3 input, one conv and two dense layers), because the real Inception at
299x299 takes hours for 50,000 samples on two cores. `--classifier DIR` scores with any
SavedModel (e.g. TF-GAN's Inception module) and `--workdir RUN` with your own run.

The real side grows with the row too: digits has 1,797 images, so by default (`--real
bootstrap`) the child replaces `tfgan_reg.data.images.sample_uint8` by a draw with replacement
of N images from the data set (only when N exceeds it), and the command builds its real cache
of N activations (each row has a fresh --cache_dir: a cache miss, the larger case: the pool is
written to disk and read back one KID block at a time). `--real data` leaves the data set as
it is (real side capped at its size). Everything else is the command's own path:
`commands.run(commands.load("scores"), ...)`, as `python -m tfgan_reg.eval scores` runs it.
`--code DIR` puts DIR first on the children's PYTHONPATH, to measure another checkout (e.g.
`git archive <commit> | tar -x -C DIR` for the code before a change).
"""
import argparse
import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = 1.10  # peak RSS of the largest row / the first row
POOL, CLASSES, SIDE = 2048, 1008, 16  # the random classifier: Inception's output sizes


def _env(code):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    path = [p for p in (code, os.path.dirname(HERE), env.get("PYTHONPATH")) if p]
    env["PYTHONPATH"] = os.pathsep.join(path)
    return env


def _setup(tmp, workdir, classifier):
    """A 2-step digits run and the random classifier, unless given (runs in a child)."""
    import tfgan_reg  # noqa: F401  (first: its quiet start filters TensorFlow's load-time lines)
    import keras
    import tensorflow as tf
    if not workdir:
        from tfgan_reg import config_lib, training
        config = config_lib.base_config()
        config.data.name = "digits"
        config.model.update(latent_dim=8, g_depth=1, g_width=32, d_depth=1, d_width=32)
        config.train.update(batch_size=32, num_steps=2, checkpoint_every=2, log_every=1,
                            jit_compile=False)
        training.train_and_evaluate(config, os.path.join(tmp, "run"), verbose=False)
    if not classifier:
        keras.utils.set_random_seed(0)
        conv = keras.layers.Conv2D(8, 3, strides=2, activation="relu")
        pool = keras.layers.Dense(POOL, activation="relu")
        # Logits of a few units' spread, so that the IS is not stuck at 1.
        head = keras.layers.Dense(CLASSES, kernel_initializer=keras.initializers.RandomNormal(
            stddev=1.0))
        conv.build((None, SIDE, SIDE, 3))
        flat = conv.compute_output_shape((None, SIDE, SIDE, 3))
        pool.build((None, flat[1] * flat[2] * flat[3]))
        head.build((None, POOL))

        class Module(tf.Module):
            def __init__(self):
                super().__init__()
                self.conv, self.pool, self.head = conv, pool, head

            @tf.function(input_signature=[tf.TensorSpec([None, SIDE, SIDE, 3], tf.float32)])
            def __call__(self, x):
                features = self.pool(keras.ops.reshape(self.conv(x), (tf.shape(x)[0], -1)))
                return {"logits": self.head(features), "pool_3": features}

        module = Module()
        tf.saved_model.save(module, os.path.join(tmp, "classifier"),
                            signatures={"serving_default": module.__call__})


def _child(result_path, real, argv):
    """Runs the scores command with `argv`; writes seconds and peak RSS at exit."""
    start = time.perf_counter()

    def report():
        with open("/proc/self/status") as f:
            hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        with open(result_path, "w") as f:
            json.dump({"seconds": time.perf_counter() - start, "vmhwm_kb": hwm,
                       "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}, f)

    atexit.register(report)
    if real == "bootstrap":
        import numpy as np
        from tfgan_reg.data import images
        original = images.sample_uint8

        def sample_uint8(name, n, seed, **kwargs):
            raw = original(name, n, seed, **kwargs)
            if len(raw) >= n:
                return raw
            return raw[np.random.default_rng(seed).integers(len(raw), size=n)]

        images.sample_uint8 = sample_uint8
    from tfgan_reg import commands
    commands.run(commands.load("scores"), argv, program="python -m tfgan_reg.eval scores")


def main():
    if sys.argv[1:2] == ["--_child"]:  # a row: result path, --real choice, the command's flags
        return _child(sys.argv[2], sys.argv[3], sys.argv[4:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", default="5000,20000,50000")
    parser.add_argument("--classifier", default="",
                        help="SavedModel directory (default: a random 2048-d one)")
    parser.add_argument("--workdir", default="", help="a run to score (default: 2-step digits)")
    parser.add_argument("--real", choices=("bootstrap", "data"), default="bootstrap")
    parser.add_argument("--batch_size", type=int, default=250)
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--code", default="", help="checkout to measure (PYTHONPATH first)")
    parser.add_argument("--_setup", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._setup:
        return _setup(args._setup, args.workdir, args.classifier)

    tmp = tempfile.mkdtemp(prefix="scoring_memory-")
    try:
        env = _env(args.code)
        subprocess.run([sys.executable, __file__, f"--_setup={tmp}", f"--workdir={args.workdir}",
                        f"--classifier={args.classifier}"], env=env, check=True)
        workdir = args.workdir or os.path.join(tmp, "run")
        classifier = args.classifier or os.path.join(tmp, "classifier")
        rows = []
        print(f"classifier {classifier if args.classifier else 'random 2048-d SavedModel'}, "
              f"run {workdir if args.workdir else '2-step digits'}, real {args.real}, "
              f"batch {args.batch_size}" + (f", code {args.code}" if args.code else ""))
        print(f"{'samples':>8} {'seconds':>8} {'peak RSS MB':>12} {'ratio':>6}")
        for n in [int(s) for s in args.samples.split(",")]:
            result = os.path.join(tmp, f"result_{n}.json")
            cache = os.path.join(tmp, f"cache_{n}")
            out = subprocess.run(
                [sys.executable, __file__, "--_child", result, args.real, f"--workdir={workdir}",
                 f"--classifier={classifier}", f"--num_samples={n}",
                 f"--batch_size={args.batch_size}", f"--splits={args.splits}",
                 f"--cache_dir={cache}"], env=env, capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"the {n}-sample run failed:\n{out.stderr[-3000:]}")
            with open(result) as f:
                row = json.load(f)
            row.update(samples=n, line=out.stdout.strip().splitlines()[-1])
            rows.append(row)
            mb = row["maxrss_kb"] / 1024
            ratio = row["maxrss_kb"] / rows[0]["maxrss_kb"]
            print(f"{n:>8} {row['seconds']:>8.1f} {mb:>12.0f} {ratio:>6.2f}", flush=True)
        ratio = rows[-1]["maxrss_kb"] / rows[0]["maxrss_kb"]
        print(f"target: peak RSS {rows[-1]['samples']:,} / {rows[0]['samples']:,} samples"
              f" <= {TARGET:.2f}: {ratio:.2f} ({'met' if ratio <= TARGET else 'NOT met'})")
        for row in rows:
            print(f"  {row['samples']}: {row['line']}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
