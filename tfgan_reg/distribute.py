"""`tf.distribute` strategies by name, and which process writes a run's workdir."""
import os

import tensorflow as tf

from tfgan_reg import checks

STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")


def make_strategy(name="default", tpu=""):
    """A `tf.distribute` strategy by name. `default` mirrors over the GPUs when more than one is
    visible and is the no-op strategy otherwise; `multi_worker` reads the cluster from
    `TF_CONFIG`; `tpu` connects to `tpu` (a name or grpc:// address; "" for the local TPU)."""
    checks.choice("strategy", name, STRATEGIES)
    if name == "default":
        if len(tf.config.list_physical_devices("GPU")) > 1:
            return tf.distribute.MirroredStrategy()
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise ValueError("strategy='multi_worker' needs the cluster in the TF_CONFIG "
                             "environment variable ({\"cluster\": {\"worker\": [\"host:port\", "
                             "...]}, \"task\": {\"type\": \"worker\", \"index\": i}}).")
        return tf.distribute.MultiWorkerMirroredStrategy()
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, tf.errors.OpError) as e:
        raise ValueError(f"strategy='tpu' found no TPU (tpu={tpu!r}): {e}. Pass --tpu with "
                         f"the TPU's name or grpc:// address.") from e
    return tf.distribute.TPUStrategy(resolver)


def check_batch(strategy, batch_size, key="train.batch_size"):
    """`ValueError` unless the global batch splits evenly over the strategy's replicas (an
    uneven split fails only at the first step, deep inside TensorFlow)."""
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        multiples = [replicas * k for k in range(max(1, batch_size // replicas),
                                                 batch_size // replicas + 2)]
        raise ValueError(f"`{key}` (the global batch) must be a multiple of the "
                         f"{replicas} replicas, e.g. {multiples}. Received: {key}={batch_size}")


def check_jit(strategy, jit_compile, key="train.jit_compile"):
    """`ValueError` for XLA on a step mirrored over several CPU devices of one process: XLA
    cannot read replica 1's variables from CPU:0 (TensorFlow's "tf.Variable on a different
    device" limitation), and the step would fail at its first run with a graph error."""
    if not jit_compile or strategy.num_replicas_in_sync < 2 or is_multi_worker(strategy):
        return
    devices = getattr(strategy.extended, "worker_devices", ())
    if devices and all("CPU" in d.upper() for d in devices):
        raise ValueError(f"`{key}` (XLA) cannot compile a step mirrored over the CPU devices "
                         f"{list(devices)} of one process. Received: {key}={jit_compile!r}; "
                         f"pass --nojit_compile (or --config.{key}=False), or mirror over "
                         f"GPUs or worker processes.")


def is_multi_worker(strategy):
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def is_chief(strategy):
    """Whether this process writes the workdir (every process but the non-chief workers)."""
    if not is_multi_worker(strategy):
        return True
    resolver = strategy.cluster_resolver
    task_type, task_id = resolver.task_type, resolver.task_id
    return task_type in (None, "chief") or (task_type == "worker" and task_id == 0
                                             and "chief" not in resolver.cluster_spec().jobs)


def split_cpu(n=2):
    """Splits the first physical CPU into `n` logical devices, so `MirroredStrategy` runs `n`
    replicas on one CPU (tests, benchmarks). Call it before TensorFlow's runtime starts (before
    the first op or device query beyond the physical list)."""
    checks.number("n", n, low=1, integer=True)
    first = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        first, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])

