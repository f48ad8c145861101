"""Long-lived benchmark workers: one process per timed row, driven over a pipe.

Standard library only, so that a peer script run by another Python (a venv holding torch but
not TensorFlow) can import it from its own folder. A worker answers one JSON line per command
on its standard output; everything else it, or a library it loads, prints goes to its standard
error (file descriptor 1 is pointed there), which the parent keeps in a file for the failure
message.

Parent side: `Worker(name, argv)`, `.start()` (waits for the worker's `ready` line), `.call(cmd)`;
a `WorkerFailed` carries one line saying what went wrong (import error, exit status, signal).
Worker side: `serve(setup)`, where `setup()` returns (ready info, {command: handler}).
"""
import json
import os
import queue
import resource
import signal
import subprocess
import sys
import threading
import traceback

# Setting up a row (framework import, network build, tracing) on a loaded 2-core machine can
# take minutes; a worker silent for this long is taken as hung.
TIMEOUT = 1800.0

INSTALL_HINT = "pip install -r benchmarks/requirements-peers.txt"

# The exit status of a worker whose setup raised ImportError: the parent then says
# "not installed" rather than "crashed".
EXIT_IMPORT_ERROR = 3


def _status_mb(field):
    """A "VmRSS:"-style field of /proc/self/status in MB, or None where there is none."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def peak_rss_mb():
    """This process's resident-memory high-water mark: VmHWM, which starts afresh at exec.
    (ru_maxrss does not: after fork + exec it keeps the parent's resident size at the fork,
    so every worker of a driver that imported TensorFlow would report at least that.)"""
    peak = _status_mb("VmHWM:")
    return peak if peak is not None else resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb():
    """This process's resident memory now (VmRSS), or the high-water mark where /proc is
    missing."""
    rss = _status_mb("VmRSS:")
    return rss if rss is not None else peak_rss_mb()


class WorkerFailed(RuntimeError):
    """A worker could not be started or died; `str()` is the one-line reason."""


class Worker:
    """One child process answering JSON commands, one line each."""

    def __init__(self, name, argv, *, stderr_path, env=None, timeout=TIMEOUT):
        self.name, self.argv, self.stderr_path = name, list(argv), stderr_path
        self.env, self.timeout = env, timeout
        self.proc, self.failure, self.ready = None, None, None
        self._lines = queue.Queue()

    def start(self):
        """Starts the worker and waits for its ready line; returns its info dict."""
        self._stderr = open(self.stderr_path, "wb")
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self._stderr,
                                         env=self.env)
        except OSError as e:  # a missing or non-executable --peer-python
            self._fail(f"cannot run {self.argv[0]}: {e.strerror or e}")
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = self._answer()
        return self.ready

    def call(self, cmd, **kwargs):
        """Sends {"cmd": cmd, **kwargs}; returns the worker's answer."""
        if self.failure:
            raise WorkerFailed(self.failure)
        try:
            self.proc.stdin.write((json.dumps({"cmd": cmd, **kwargs}) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the process is gone; _answer reports how it ended
        return self._answer()

    def close(self):
        """Asks the worker to quit; kills it if it does not."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b'{"cmd": "quit"}\n')
                self.proc.stdin.close()
                self.proc.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()

    def _read(self):
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _answer(self):
        try:
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            self.proc.kill()
            self._fail(f"no answer in {self.timeout:.0f} s (killed)")
        if line is None:
            self.proc.wait()
            self._fail(self._how_it_ended())
        answer = json.loads(line)
        if "error" in answer:
            self._fail(answer["error"])
        return answer

    def _fail(self, what):
        self.failure = what
        raise WorkerFailed(what)

    def _how_it_ended(self):
        code = self.proc.returncode
        last = _last_line(self.stderr_path)
        if code < 0:
            try:
                what = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                what = f"killed by signal {-code}"
        else:
            what = f"exit status {code}"
        return f"{what}" + (f" ({last})" if last else "")


def _last_line(path, limit=200):
    try:
        with open(path, "rb") as f:
            lines = [ln.strip() for ln in f.read().decode(errors="replace").splitlines()]
    except OSError:
        return ""
    lines = [ln for ln in lines if ln]
    return lines[-1][:limit] if lines else ""


def failure_line(name, python, what):
    """The one line printed for a peer that could not be timed."""
    return (f"peer {name} not timed: {python} failed: {what}; install the peers with "
            f"`{python} -m {INSTALL_HINT}` or point --peer-python at a Python that has them")


def serve(setup):
    """Worker main loop. `setup()` returns (ready info dict, {command: handler(**kwargs) ->
    dict}); an ImportError in it is answered as {"error": ...} and exit status 3."""
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # stray prints (framework banners) go to standard error
    sys.stdout = sys.stderr

    def send(obj):
        out.write(json.dumps(obj) + "\n")
        out.flush()

    try:
        info, handlers = setup()
    except ImportError as e:
        send({"error": f"ImportError: {e}"})
        sys.exit(EXIT_IMPORT_ERROR)
    except Exception as e:  # any other setup failure is reported, not raised into the pipe
        traceback.print_exc()
        send({"error": f"{type(e).__name__}: {e}"})
        sys.exit(1)
    send({"ready": True, "base_rss_mb": current_rss_mb(), **(info or {})})
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg.pop("cmd")
        if cmd == "quit":
            break
        try:
            answer = handlers[cmd](**msg)
        except Exception as e:
            traceback.print_exc()
            send({"error": f"{cmd}: {type(e).__name__}: {e}"})
            sys.exit(1)
        send({**answer, "peak_rss_mb": peak_rss_mb()})
