"""`train_and_evaluate(config, workdir)`: the training loop behind `train.py`.

Validates the config, refuses a workdir holding a different run, builds the GAN under a
distribution strategy, trains with `fit` in chunks of `train.checkpoint_every` generator steps
(a checkpoint after each, resuming from the latest), logs TensorBoard scalars, shows a progress
bar, stops on non-finite losses keeping the last good checkpoint, and evaluates at the end.
"""
import json
import math
import os
import shutil
import time

import keras
import numpy as np
import tensorflow as tf

from tfgan_reg import config_lib
from tfgan_reg import data as data_lib
from tfgan_reg import distribute
from tfgan_reg import evaluation
from tfgan_reg import runs


class TrainingDiverged(FloatingPointError):
    """Raised when a loss becomes NaN or inf; the last good checkpoint is kept."""


class StepBar(keras.utils.Progbar):
    """Keras's progress bar counting generator steps from 0 (a resumed run shows 14500/15000,
    integers) while timing only the steps since `step0`."""

    def __init__(self, step0, target, **kwargs):
        super().__init__(target, **kwargs)
        self.step0 = step0

    def _estimate_step_duration(self, current, now):
        return super()._estimate_step_duration(current - self.step0, now)


class Monitor(keras.callbacks.Callback):
    """Progress bar, TensorBoard scalars every `log_every` steps, and the non-finite guard
    (sets `bad` to (step, {term: value}) and stops `fit`)."""

    def __init__(self, step0, num_steps, log_every, writer, verbose, batch_size=None,
                 unit="samples"):
        super().__init__()
        self.step = self.step0 = step0
        self.batch_size, self.rate_name = batch_size, f"{unit}/s"
        self._clock = None  # (time, step) at the previous log
        self.log_every = log_every
        self.writer = writer
        self.bad = None
        self.num_steps = num_steps
        self.verbose = verbose
        self.progbar = None

    def on_train_begin(self, logs=None):
        self._clock = None  # time the steps only, not checkpoints and pictures between fits

    def on_train_batch_end(self, batch, logs=None):
        failed_step = self.step  # the 0-based index of the step just run
        self.step += 1
        logs = {k: float(np.reshape(v, [-1])[0]) for k, v in (logs or {}).items()}
        bad = {k: v for k, v in logs.items() if not math.isfinite(v)}
        if bad:
            self.bad = (failed_step, bad)
            self.model.stop_training = True
            return
        now = time.perf_counter()
        if self._clock is None:
            self._clock = (now, self.step)  # the first step includes tracing: not timed
        if self.step % self.log_every == 0:
            then, step_then = self._clock
            if self.batch_size and self.step > step_then and now > then:
                # Real samples the training step consumes per second (one global batch a step).
                logs[self.rate_name] = self.batch_size * (self.step - step_then) / (now - then)
            self._clock = (now, self.step)
            with self.writer.as_default(step=self.step):
                for name, value in logs.items():
                    tf.summary.scalar(name.replace("/s", "_per_sec"), value)
            if self.verbose:
                if self.progbar is None:  # the logs are already means: show them as they are
                    self.progbar = StepBar(self.step0, self.num_steps,
                                           stateful_metrics=[self.rate_name] + list(logs))
                self.progbar.update(self.step, list(logs.items()))
            # Trackers then report the mean over the next `log_every` steps.
            self.model.reset_metrics()


def _chunk(config, step):
    """Steps to train before the next checkpoint, evaluation or picture (or the end)."""
    t = config.train
    chunk = min(t.checkpoint_every - step % t.checkpoint_every, t.num_steps - step)
    for period in (config.eval.every, config.eval.samples_every):
        if period:  # every worker stops at the same steps
            chunk = min(chunk, period - step % period)
    return chunk


def train_and_evaluate(config, workdir, *, strategy=None, verbose=True):
    """Trains (or resumes) the run of `config` in `workdir`; returns its final metrics.

    Under `MultiWorkerMirroredStrategy` every worker trains and saves checkpoints (collectively);
    only the chief writes the workdir: the other workers keep theirs in a scratch directory
    that is removed at the end, and skip pictures and evaluation (they return {}).
    """
    config_lib.validate(config)
    strategy = strategy or tf.distribute.get_strategy()
    chief = distribute.is_chief(strategy)
    if chief:
        runs.prepare_workdir(config, workdir)
    t = config.train
    with strategy.scope():
        model = runs.build_gan(config)
    checkpoint = runs.make_checkpoint(model)
    scratch = None if chief else os.path.join(
        workdir, f".worker{strategy.cluster_resolver.task_id}")
    manager = tf.train.CheckpointManager(checkpoint, runs.checkpoint_dir(scratch or workdir),
                                         max_to_keep=t.max_checkpoints)
    latest = tf.train.latest_checkpoint(runs.checkpoint_dir(workdir))
    if latest:
        checkpoint.restore(latest).assert_existing_objects_matched()
        if verbose and chief:
            print(f"Resumed from {latest} (step {model.step}).")
    writer = (tf.summary.create_file_writer(os.path.join(workdir, "tensorboard")) if chief
              else tf.summary.create_noop_writer())
    step = model.step
    image = data_lib.is_image(config.data.name)
    monitor = Monitor(step, t.num_steps, t.log_every, writer, verbose and chief,
                      batch_size=t.batch_size * t.n_disc, unit="images" if image else "samples")
    started = time.time()
    periodic = evaluation.PeriodicEval(config, model, workdir, writer, step) if chief else None
    every = config.eval.every if chief else 0
    pictures = config.eval.samples_every if chief else 0
    while step < t.num_steps:
        chunk = _chunk(config, step)
        model.fit(runs.make_dataset(config, start_step=step, num_steps=chunk), epochs=1,
                  steps_per_epoch=chunk, verbose=0, callbacks=[monitor], shuffle=False)
        if monitor.bad is not None:
            bad_step, values = monitor.bad
            last = tf.train.latest_checkpoint(runs.checkpoint_dir(workdir)) \
                or "none (no checkpoint was written yet)"
            raise TrainingDiverged(
                f"Losses became non-finite at generator step {bad_step} ({values}); training "
                f"stopped. The last good checkpoint is kept: {last}.")
        step = model.step
        if step % t.checkpoint_every == 0 or step == t.num_steps:
            manager.save(checkpoint_number=step)
        if every and step % every == 0:
            periodic(step)
        if pictures and step % pictures == 0:
            evaluation.sample_pictures(config, model, workdir, writer, step)
        writer.flush()
    if not chief:
        shutil.rmtree(scratch, ignore_errors=True)
        return {}
    metrics = evaluation.evaluate(config, model, workdir)
    metrics["step"] = step
    metrics["seconds"] = round(time.time() - started, 1)
    with open(os.path.join(workdir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, default=float)
    with writer.as_default(step=step):
        for key, value in evaluation.toy_metrics(metrics).items():
            tf.summary.scalar(f"eval/{key}", value)
    writer.flush()
    if verbose:
        print(evaluation.summary_line(config, step, metrics))
        for key in ("picture", "kde"):
            if key in metrics:
                print(f"  {key}: {metrics[key]}")
    return metrics
