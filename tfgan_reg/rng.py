"""Stateless random draws keyed by seed, step, purpose and global sample index.

Every random number in training comes from here, so a run is reproducible and a draw for
sample `i` of the global batch is the same whether the batch runs on one replica or many: each
replica draws the whole global batch's numbers from one counter-based (Philox) stream and keeps
its own rows. The extra work is negligible next to the networks (a latent or a noise image per
sample), and it keeps every draw exact under any replica split.
"""
import math

import tensorflow as tf

# Purposes: each random quantity of a step gets its own stream.
LATENT_D = 1
LATENT_G = 2
PENALTY = 3
NOISE_REAL = 4
NOISE_FAKE = 5
DATA = 6
# Keys `GAN.test_step`'s draws in place of the step (steps are >= 0, so the evaluation
# stream never meets a training step's).
EVAL = -1

# Named explicitly: "auto_select" may pick another generator under XLA. Even with Philox, XLA
# turns the bits into floats differently from the CPU kernels, so floats are made here from
# the raw 32-bit words, which agree: eager, tf.function and jit_compile draw the same numbers.
ALG = "philox"


def _bits(shape, seed):
    return tf.random.stateless_uniform(shape, seed, dtype=tf.uint32, minval=None, maxval=None,
                                       alg=ALG)


def _to_unit(bits, dtype, offset=0):
    """(top 24 bits + offset) * 2^-24: U[0, 1) for offset 0, U(0, 1] for offset 1."""
    top = tf.cast(tf.bitwise.right_shift(bits, 8), tf.float32)
    return tf.cast((top + offset) * (2.0 ** -24), dtype)


def stateless_uniform(shape, seed, dtype=tf.float32):
    """U[0, 1) draws, identical with and without XLA."""
    return _to_unit(_bits(shape, seed), dtype)


def stateless_normal(shape, seed, dtype=tf.float32):
    """N(0, 1) draws by Box-Muller, identical (to float rounding) with and without XLA."""
    bits = _bits(tf.concat([[2], tf.cast(shape, tf.int32)], 0), seed)
    u1 = _to_unit(bits[0], tf.float32, offset=1)   # in (0, 1]: log is finite
    u2 = _to_unit(bits[1], tf.float32)
    z = tf.sqrt(-2.0 * tf.math.log(u1)) * tf.cos((2.0 * math.pi) * u2)
    return tf.cast(z, dtype)


def as_seed(seed):
    """A shape-[2] int32 stateless seed from an integer (a Python int or a scalar integer
    tensor, split the same way) or an existing seed tensor."""
    if isinstance(seed, int):
        return tf.constant([seed & 0x7FFFFFFF, (seed >> 31) & 0x7FFFFFFF], tf.int32)
    seed = tf.convert_to_tensor(seed)
    if seed.shape.rank == 0:
        seed = tf.cast(seed, tf.int64)
        return tf.cast(tf.stack([tf.bitwise.bitwise_and(seed, 0x7FFFFFFF),
                                 tf.bitwise.bitwise_and(tf.bitwise.right_shift(seed, 31),
                                                        0x7FFFFFFF)]), tf.int32)
    if seed.dtype != tf.int32:
        seed = tf.cast(seed, tf.int32)
    return seed


def fold(seed, *data):
    """Derives a new seed from `seed` and integers (a step, a purpose, an index)."""
    seed = as_seed(seed)
    for d in data:
        seed = tf.random.experimental.stateless_fold_in(seed, tf.cast(d, tf.int64), alg=ALG)
    return seed


def random_seed():
    """A fresh (non-reproducible) seed, used only when a caller passes `seed=None`."""
    return tf.random.uniform([2], maxval=2**31 - 1, dtype=tf.int32)


def replica_position():
    """(replica id, number of replicas) of the current replica context, (0, 1) outside one."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None:
        return 0, 1
    return ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync


def _local_rows(draw, seed, local_batch, sample_shape, dtype):
    replica, n = replica_position()
    local_batch = tf.convert_to_tensor(local_batch, tf.int32)
    if isinstance(n, int) and n == 1:
        return draw(tf.concat([[local_batch], sample_shape], 0), seed, dtype)
    full = draw(tf.concat([[local_batch * n], sample_shape], 0), seed, dtype)
    start = tf.cast(replica, tf.int32) * local_batch
    return full[start:start + local_batch]


def uniform(seed, local_batch, sample_shape=(), dtype=tf.float32):
    """U[0, 1) draws of shape [local_batch, *sample_shape], rows keyed by global sample index."""
    return _local_rows(stateless_uniform, as_seed(seed), local_batch,
                       tf.constant(sample_shape, tf.int32, shape=[len(sample_shape)]), dtype)


def normal(seed, local_batch, sample_shape=(), dtype=tf.float32):
    """N(0, 1) draws of shape [local_batch, *sample_shape], rows keyed by global sample index."""
    return _local_rows(stateless_normal, as_seed(seed), local_batch,
                       tf.constant(sample_shape, tf.int32, shape=[len(sample_shape)]), dtype)


def like(kind, seed, x):
    """Draws shaped like the batch `x` (one row per sample), `kind` 'uniform' or 'normal'."""
    fn = {"uniform": uniform, "normal": normal}[kind]
    sample_shape = x.shape[1:]
    if not sample_shape.is_fully_defined():
        raise ValueError(f"Per-sample shape must be static. Received: shape={x.shape}")
    return fn(seed, tf.shape(x)[0], tuple(sample_shape), x.dtype)
