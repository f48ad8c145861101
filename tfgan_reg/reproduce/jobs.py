"""Claims over `jobs` worker processes (`runner.run(..., jobs=N)`, `--jobs N`).

Each worker is a fresh interpreter ("spawn": no TensorFlow state is forked) whose TensorFlow
runs on its share of the cores; the parent keeps the `--out` lock, hands out the claims longest
first (`Claim.cpu_hours`), and writes each record as it lands. A claim that raises, or whose
worker dies, lands as a record with an "error" (shown in the report, not saved as finished,
so it reruns); Ctrl-C or SIGTERM stops the workers and keeps the finished records.
"""
import contextlib
import dataclasses
import multiprocessing
import os
import pickle
import signal
import threading
import traceback
from multiprocessing import connection

# Imported by their full names: `from tfgan_reg.reproduce import registry` would register every
# family (the package's `__getattr__`), loading TensorFlow in a worker before its threads are set.
import tfgan_reg.reproduce.runner as runner


def threads(jobs, cores=None):
    """(intra-op, inter-op) threads for TensorFlow in each of `jobs` workers on `cores` cores
    (default: the cores this process may use): one of each when the workers fill the cores."""
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else os.cpu_count() or 1
    if jobs >= cores:
        return 1, 1
    share = max(1, cores // jobs)
    return share, min(2, share)


@contextlib.contextmanager
def _environment(values):
    """`os.environ` with `values` while entered: a spawned worker starts with it, so its
    TensorFlow reads the thread counts before it loads."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _worker(conn, setup):
    """A worker's loop: calls `setup` (if any), then receives (claim, out, runs, seeds, quick,
    verbose) and sends back ("done", outcome) or ("error", traceback), until it receives None."""
    # Ctrl-C reaches the whole process group: the parent decides, and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if setup is not None:
        setup()
    while True:
        task = conn.recv()
        if task is None:
            return
        payload, claim_id, out, runs, seeds, quick, verbose = task
        try:
            if payload is not None:
                claim = pickle.loads(payload)
            else:  # a claim whose functions do not pickle: the worker's own registry has it
                from tfgan_reg import reproduce  # pylint: disable=import-outside-toplevel
                claim = reproduce.get([claim_id])[0]
            outcome = runner.execute(claim, out, runs, seeds=seeds, quick=quick,
                                     verbose=verbose, tag=claim_id)
            conn.send(("done", outcome))
        except Exception:  # pylint: disable=broad-except
            conn.send(("error", traceback.format_exc()))


def _payload(claim):
    """`claim` pickled without its config (hashed already), or None when its functions do not
    pickle (a lambda): the worker then takes it from its registry by id."""
    try:
        return pickle.dumps(dataclasses.replace(claim, config=None))
    except (pickle.PicklingError, AttributeError, TypeError):
        return None


class _Worker:
    """One worker process, its end of the pipe, and the claim it runs (or None)."""

    def __init__(self, context, env, setup):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, setup), daemon=True)
        with _environment(env):
            self.process.start()
        child.close()
        self.task = None

    def stop(self, wait=5.0):
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(wait)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(wait)
        self.conn.close()


def run_parallel(tasks, out, *, jobs, quick, stamp, on_record, verbose=True, setup=None,
                 deadline=None):
    """Runs `tasks` ((claim, planned record) pairs, see `runner.plan`) over `jobs` workers,
    longest `cpu_hours` first; calls `on_record(record)` in this process as each lands.
    `setup`: a module-level function each worker calls first (the command's TensorFlow
    start-up). `deadline` (a `time.time()`): a claim starts only if it fits (`runner.fits`),
    the longest that does first; the others stay unstarted (the caller reports them)."""
    pending = sorted(tasks, key=lambda t: -t[0].cpu_hours)
    intra, inter = threads(jobs)
    env = {"TF_NUM_INTRAOP_THREADS": str(intra), "TF_NUM_INTEROP_THREADS": str(inter),
           "OMP_NUM_THREADS": str(intra)}
    context = multiprocessing.get_context("spawn")
    workers = []
    previous = signal.getsignal(signal.SIGTERM)

    def terminated(signum, frame):
        del signum, frame
        raise KeyboardInterrupt("SIGTERM")

    def next_fitting():
        return next((k for k, (c, _) in enumerate(pending) if runner.fits(c, deadline)), None)

    def assign(worker, k):
        claim, new = pending.pop(k)
        runs = runner.runs_dir(out, new["setup_hash"], claim.id, quick)
        worker.task = (claim, new)
        worker.conn.send((_payload(claim), claim.id, out, runs, new["seeds"], quick, verbose))
        if verbose:
            print(f"{claim.id} ({claim.citation}, {claim.where}): running in worker "
                  f"{worker.process.pid}", flush=True)

    def landed(worker, kind, value):
        claim, new = worker.task
        worker.task = None
        record = dict(new, **stamp)
        if kind == "done":
            record.update(value)
        else:
            record.update(verdict=runner.ERROR, reason=value.strip().splitlines()[-1],
                          error=value, result={}, gate=None, subruns=[], subrun_seconds=0.0,
                          wall_seconds=0.0, compute_seconds=0.0)
        if verbose:
            print(f"{claim.id}: {record['verdict']} ({record['reason']})", flush=True)
        on_record(record)

    # SIGTERM stops the run as Ctrl-C does (signal handlers belong to the main thread).
    in_main_thread = threading.current_thread() is threading.main_thread()
    try:
        if in_main_thread:
            signal.signal(signal.SIGTERM, terminated)
        while True:
            while sum(w.task is not None for w in workers) < jobs:
                k = next_fitting()
                if k is None:
                    break
                idle = [w for w in workers if w.task is None]
                worker = idle[0] if idle else _Worker(context, env, setup)
                if not idle:
                    workers.append(worker)
                assign(worker, k)
            busy = [w for w in workers if w.task is not None]
            if not busy:
                break
            ready = connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for worker in busy:
                if worker.conn not in ready and worker.process.sentinel not in ready:
                    continue
                try:
                    kind, value = worker.conn.recv()
                except EOFError:  # the worker died mid-claim
                    worker.process.join(5.0)
                    kind, value = "error", (f"the worker process exited with code "
                                            f"{worker.process.exitcode} without a result")
                landed(worker, kind, value)
                if not worker.process.is_alive():
                    worker.stop()
                    workers.remove(worker)
    finally:
        for worker in workers:
            if worker.task is not None:  # interrupted mid-claim: stop it now
                worker.process.terminate()
            worker.stop()
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
