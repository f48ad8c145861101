"""One writer per directory: `lock(directory)` is held by the process that writes a run's
workdir (`training.train_and_evaluate`, the chief only) or a reproduction's --out
(`reproduce.runner.run`), so that a second writer is refused at once (`WorkdirInUse`, naming
the process that holds it) instead of interleaving checkpoints, TensorBoard files and pictures
with the first. Tools that only read a run (export, scores, cross_test, drift) take no lock:
the files they may leave in a workdir (scores.json, cross_test.json, drift/) are never written
by training.

The lock is `fcntl.flock` on the file `LOCK_FILE` inside the directory, held open for the
writer's life: the kernel releases it when the process ends in any way, SIGKILL included, so a
dead writer never blocks the next one. The file's text (pid, host, command line, start time)
only names the holder in the refusal. The writer removes the file when it is done, and the next
one takes over a file left by a killed process. Never remove it by hand while its writer runs:
that writer would keep its lock on the removed file, and the next one would lock a new file.
Where the file system cannot lock (an NFS mount without its lock service, some FUSE or parallel
file systems) or there is no `fcntl` (native Windows; TensorFlow runs there through WSL2, which
has it), the writer runs unlocked after one warning line.
"""
import contextlib
import datetime
import errno
import json
import os
import shlex
import socket
import sys
import time

try:
    import fcntl
except ImportError:  # native Windows
    fcntl = None

LOCK_FILE = ".lock"
# flock's errors for "this file system cannot lock", as opposed to "another process holds it".
_CANNOT_LOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EINVAL}
_COMMAND_CHARS = 300  # of the holder's command line kept in the file (the message is one line)


class WorkdirInUse(ValueError):
    """Raised when another process holds the lock of the directory a run would write."""


@contextlib.contextmanager
def lock(directory, *, what="workdir"):
    """Holds `directory`'s writer lock while entered, creating the directory if needed.

    Raises `WorkdirInUse` (one line naming `what`, the directory and the holder) without
    writing anything when another process holds it. Released on leaving, by an exception too.
    """
    fd = _acquire(directory, what)
    try:
        yield
    finally:
        if fd is not None:
            _release(directory, fd)


def _acquire(directory, what):
    """The open, locked lock file's descriptor, or None when the writer runs unlocked."""
    os.makedirs(directory, exist_ok=True)
    if fcntl is None:
        _warn(directory, "this platform has no fcntl.flock")
        return None
    path = os.path.join(directory, LOCK_FILE)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # an existing file is not changed
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            identity = _read(fd)
            os.close(fd)
            raise WorkdirInUse(_refusal(directory, what, identity)) from None
        except OSError as e:
            os.close(fd)
            if e.errno not in _CANNOT_LOCK:
                raise
            with contextlib.suppress(OSError):
                os.unlink(path)
            _warn(directory, f"the file system cannot lock {path} ({os.strerror(e.errno)})")
            return None
        # A holder removes the file before unlocking it: if we locked a file it removed, another
        # process may lock a new one at the same path, so lock the file the path names now.
        try:
            current = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)
    identity = dict(pid=os.getpid(), host=socket.gethostname(),
                    command=shlex.join([os.path.basename(sys.executable)] + sys.argv)[
                        :_COMMAND_CHARS],
                    started=datetime.datetime.now().astimezone().isoformat(timespec="seconds"))
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(identity) + "\n").encode(), 0)
    return fd


def _release(directory, fd):
    """Removes the lock file, then unlocks it (closing it): see `_acquire`."""
    with contextlib.suppress(OSError):  # the directory may have been removed meanwhile
        os.unlink(os.path.join(directory, LOCK_FILE))
    os.close(fd)


def _read(fd, attempts=10):
    """The holder's identity from the locked file `fd`; it writes it just after locking, so an
    empty file is read again for a moment."""
    for _ in range(attempts):
        identity = _parse(os.pread(fd, 4096, 0))
        if identity is not None:
            return identity
        time.sleep(0.05)
    return None


def _parse(data):
    try:
        identity = json.loads(data.decode())
    except (UnicodeDecodeError, ValueError):
        return None
    return identity if isinstance(identity, dict) else None


def _refusal(directory, what, identity):
    """The one-line message of `WorkdirInUse`."""
    if identity is None:
        who = "another process (it has not written its name yet)"
    else:
        pid, host = identity.get("pid"), identity.get("host")
        same = pid == os.getpid() and host == socket.gethostname()
        who = (f"process {pid} on {host}" + (", this process" if same else "")
               + f" (started {identity.get('started')}: {identity.get('command')})")
    # Not "delete the lock file": the holder keeps its lock on the deleted file, and a new
    # writer would lock a new file beside it.
    return (f"The {what} {directory!r} is in use by {who}. Wait for that process to end or "
            f"stop it, or use another {what}.")


def _warn(directory, why):
    print(f"warning: {why}: nothing stops a second process from writing to {directory!r} while "
          f"this one does.", file=sys.stderr)
