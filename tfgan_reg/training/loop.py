"""`train_and_evaluate(config, workdir)`: the training loop behind `train.py`.

Validates the config, refuses a workdir another process writes (`workdirs.lock`) or one
holding a different run, builds the GAN under a distribution strategy, trains with `fit` in
chunks of `train.checkpoint_every` generator steps (a checkpoint after each, resuming from the
latest readable one), logs TensorBoard scalars, shows a progress bar, stops on non-finite
losses keeping the last good checkpoint, stops after the current step on SIGTERM / SIGINT
writing a checkpoint (`Preempted`), and evaluates at the end.
"""
import contextlib
import json
import math
import os
import shutil
import signal
import threading
import time

import keras
import numpy as np
import tensorflow as tf

from tfgan_reg import config_lib
from tfgan_reg import data as data_lib
from tfgan_reg import distribute
from tfgan_reg.training import evaluation
from tfgan_reg import runs
from tfgan_reg import workdirs


class TrainingDiverged(FloatingPointError):
    """Raised when a loss becomes NaN or inf; the last good checkpoint is kept."""


class Preempted(Exception):
    """Raised when SIGTERM or SIGINT stopped training after a whole step and a checkpoint of
    that step was written. `exit_status` is 128 + the signal number (143 for SIGTERM, 130 for
    SIGINT), the status a shell reports for a process the signal ended."""

    def __init__(self, signum, step, checkpoint):
        self.signum, self.step, self.checkpoint = signum, step, checkpoint
        self.exit_status = 128 + signum
        where = f"checkpoint {checkpoint}" if checkpoint else "no step trained, no checkpoint"
        super().__init__(f"Stopped by {signal.Signals(signum).name} after generator step {step} "
                         f"({where}); run the same command again to resume.")


class StopRequest:
    """While entered (in the main thread), SIGTERM and SIGINT only record `signum`: the loop
    stops after the current step. The same signal a second time ends the process the usual
    way (a second Ctrl-C raises KeyboardInterrupt)."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        self.signum = None
        self.event = threading.Event()  # for TensorFlow's preemption watcher thread
        self._previous = {}

    def _handle(self, signum, frame):
        if self.signum == signum:
            previous = self._previous[signum]
            if previous is None:  # installed outside Python: take the default
                previous = signal.SIG_DFL
            signal.signal(signum, previous)
            if callable(previous):
                previous(signum, frame)
            else:
                signal.raise_signal(signum)
            return
        self.signum = signum
        self.event.set()

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc):
        self.release()

    def release(self):
        """Gives the signals back their previous handlers."""
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous = {}


class Monitor(keras.callbacks.Callback):
    """Progress bar, TensorBoard scalars every `log_every` steps, the non-finite guard (sets
    `bad` to (step, {term: value}) and stops `fit`), and preemption: stops `fit` after the
    step during which `stop` recorded a signal, or, under `multi_worker`, lets TensorFlow's
    `PreemptionCheckpointHandler` (`preemption`) pick the step all workers stop after."""

    def __init__(self, step0, num_steps, log_every, writer, verbose, batch_size=None,
                 unit="samples", stop=None, preemption=None):
        super().__init__()
        self.stop, self.preemption = stop, preemption
        self.preempted = False  # set by the handler's exit_fn, after its checkpoint
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
                # The bar counts this session's steps (its time estimate is theirs); a
                # resumed run shows its generator step beside them. The logs are already
                # means: shown as they are.
                values = list(logs.items()) + ([("step", self.step)] if self.step0 else [])
                if self.progbar is None:
                    self.progbar = keras.utils.Progbar(
                        self.num_steps - self.step0,
                        stateful_metrics=[self.rate_name, "step"] + list(logs))
                self.progbar.update(self.step - self.step0, values)
            # Trackers then report the mean over the next `log_every` steps.
            self.model.reset_metrics()
        if self.preemption is not None:
            # Every worker calls this once a step; it checkpoints at the agreed step.
            self.preemption.save_checkpoint_if_preempted(checkpoint_number=self.step)
        elif self.stop is not None and self.stop.signum is not None:
            self.model.stop_training = True

    def on_preempted(self):
        """`exit_fn` of the preemption handler: its checkpoint is written, stop `fit`."""
        self.preempted = True
        self.model.stop_training = True


def _chunk(config, step):
    """Steps to train before the next checkpoint, evaluation or picture (or the end)."""
    t = config.train
    chunk = min(t.checkpoint_every - step % t.checkpoint_every, t.num_steps - step)
    for period in (config.eval.every, config.eval.samples_every):
        if period:  # every worker stops at the same steps
            chunk = min(chunk, period - step % period)
    return chunk


def purge_tensorboard(logdir, step):
    """Drops from the event files in `logdir` the events after `step`: those logged between
    the checkpoint a run resumes from and its interruption, which the resumed run logs again
    (TensorBoard would show both: TF2's `tf.summary` has no purge event). A torn last record
    (a kill during a write) is dropped too."""
    if not tf.io.gfile.isdir(logdir):
        return
    for name in sorted(tf.io.gfile.listdir(logdir)):
        if "tfevents" not in name:
            continue
        path = os.path.join(logdir, name)
        kept, dropped = [], False
        try:
            for record in tf.data.TFRecordDataset(path):
                record = record.numpy()
                if tf.compat.v1.Event.FromString(record).step <= step:
                    kept.append(record)
                else:
                    dropped = True
        except tf.errors.DataLossError:
            dropped = True
        if dropped:
            tmp = os.path.join(logdir, ".purge.tmp")  # no "tfevents": TensorBoard ignores it
            with tf.io.TFRecordWriter(tmp) as out:
                for record in kept:
                    out.write(record)
            os.replace(tmp, path)


def _preemption_handler(strategy, manager, stop, monitor):
    """TensorFlow's `PreemptionCheckpointHandler` for a multi-worker run: a worker's SIGTERM
    or SIGINT (recorded by `stop`, polled by the handler) makes every worker checkpoint after
    the same step, then `monitor` stops `fit`."""
    config = tf.distribute.experimental.TerminationConfig(
        termination_watcher_fn=stop.event.is_set, exit_fn=monitor.on_preempted,
        grace_period=0)
    return tf.distribute.experimental.PreemptionCheckpointHandler(
        strategy.cluster_resolver, manager, termination_config=config)


def train_and_evaluate(config, workdir, *, strategy=None, verbose=True):
    """Trains (or resumes) the run of `config` in `workdir`; returns its final metrics.

    Resumes from the newest checkpoint that reads back whole (`runs.latest_readable_checkpoint`
    skips damaged ones with a warning). SIGTERM or SIGINT stops training after the current
    step, writes a checkpoint of it and raises `Preempted`; running again resumes there with
    nothing lost. Under `MultiWorkerMirroredStrategy` every worker trains and saves checkpoints
    (collectively), TensorFlow's `PreemptionCheckpointHandler` aligning a preemption's step;
    only the chief writes the workdir: the other workers keep theirs in a scratch directory
    that is removed at the end, and skip pictures and evaluation (they return {}).

    The writing process holds the workdir's lock (`workdirs.lock`) from before it writes
    anything until it returns or raises; a second writer gets `workdirs.WorkdirInUse`.
    """
    config_lib.validate(config)
    strategy = strategy or tf.distribute.get_strategy()
    # Before the workdir or the model exist: offline `mnist` or an uneven batch fail here.
    data_lib.check_available(config.data.name, config.data.data_dir)
    distribute.check_batch(strategy, config.train.batch_size)
    # Non-chief workers write only their scratch directory: the chief alone holds the lock.
    writer = workdirs.lock(workdir) if distribute.is_chief(strategy) \
        else contextlib.nullcontext()
    with writer, StopRequest() as stop:
        return _train(config, workdir, strategy, verbose, stop)


def _train(config, workdir, strategy, verbose, stop):
    chief = distribute.is_chief(strategy)
    if chief:
        runs.prepare_workdir(config, workdir)
    t = config.train
    with strategy.scope():
        model = runs.build_gan(config)
    checkpoint = runs.make_checkpoint(model)
    directory = runs.checkpoint_dir(workdir)
    latest = runs.latest_readable_checkpoint(directory)
    if latest:
        checkpoint.restore(latest).assert_existing_objects_matched()
        if chief:
            runs.point_state_at(directory, latest)  # the manager then keeps and rotates it
        if verbose and chief:
            print(f"Resumed from {latest} (step {model.step}).")
    scratch = None
    if not chief:
        scratch = os.path.join(workdir, f".worker{strategy.cluster_resolver.task_id}")
        shutil.rmtree(scratch, ignore_errors=True)  # every worker restores the chief's
    manager = tf.train.CheckpointManager(checkpoint, runs.checkpoint_dir(scratch or workdir),
                                         max_to_keep=t.max_checkpoints)
    step = model.step
    if chief:
        purge_tensorboard(os.path.join(workdir, "tensorboard"), step)
    writer = (tf.summary.create_file_writer(os.path.join(workdir, "tensorboard")) if chief
              else tf.summary.create_noop_writer())
    image = data_lib.is_image(config.data.name)
    monitor = Monitor(step, t.num_steps, t.log_every, writer, verbose and chief,
                      batch_size=t.batch_size * t.n_disc, unit="images" if image else "samples",
                      stop=stop)
    if distribute.is_multi_worker(strategy):
        monitor.preemption = _preemption_handler(strategy, manager, stop, monitor)

    def saved_step():
        return runs.checkpoint_step(manager.latest_checkpoint)

    def stopped():
        """`Preempted`, after writing a checkpoint of this step unless one exists."""
        if step and step != saved_step():
            manager.save(checkpoint_number=step)
        writer.flush()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        path = runs.checkpoint_path(directory, step) if step else None
        return Preempted(stop.signum or signal.SIGTERM, step, path)

    started = time.time()
    periodic = evaluation.PeriodicEval(config, model, workdir, writer, step) if chief else None
    every = config.eval.every if chief else 0
    pictures = config.eval.samples_every if chief else 0
    while step < t.num_steps:
        if stop.signum is not None and monitor.preemption is None:
            raise stopped()  # a signal between chunks (a checkpoint, an evaluation)
        chunk = _chunk(config, step)
        model.fit(runs.make_dataset(config, start_step=step, num_steps=chunk), epochs=1,
                  steps_per_epoch=chunk, verbose=0, callbacks=[monitor], shuffle=False)
        if monitor.bad is not None:
            bad_step, values = monitor.bad
            try:
                last = runs.latest_readable_checkpoint(directory) \
                    or "none (no checkpoint was written yet)"
            except runs.NoReadableCheckpoint as e:
                last = f"none ({e})"
            raise TrainingDiverged(
                f"Losses became non-finite at generator step {bad_step} ({values}); training "
                f"stopped. The last good checkpoint is kept: {last}.")
        step = model.step
        preempted = monitor.preempted or (stop.signum is not None and monitor.preemption is None)
        if (step % t.checkpoint_every == 0 or step == t.num_steps or preempted) \
                and step != saved_step():
            manager.save(checkpoint_number=step)
        # What the uninterrupted run does at this step (an evaluation, pictures) is done
        # before stopping: a resumed run starts after it.
        if every and step % every == 0:
            periodic(step)
        if pictures and step % pictures == 0:
            evaluation.sample_pictures(config, model, workdir, writer, step)
        writer.flush()
        if preempted:
            raise stopped()
    if stop.signum is not None and monitor.preemption is None:
        raise stopped()  # the final checkpoint exists; the evaluation is left to a re-run
    # From here a signal ends the process as usual: nothing is lost but the evaluation.
    stop.release()
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
