"""`workdirs.lock`: one writer per workdir. A second writer (`train.py`, a resume, a reproduction
runner) is refused at once with one line naming the process that holds the workdir, and writes
nothing; a holder killed with SIGKILL does not block the next run; tools that only read a run
work beside its writer; the lock is released however a run ends, and under multi-worker only
the chief takes it."""
import contextlib
import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import types

import pytest

from tfgan_reg import distribute
from tfgan_reg import export
from tfgan_reg import runs
from tfgan_reg import training
from tfgan_reg import workdirs
from tfgan_reg.reproduce import registry
from tfgan_reg.reproduce import runner
from tfgan_reg.training import loop

from helpers import ROOT, run_cli, tiny_ring8_config

# A process that takes a workdir's lock and waits. It runs the module's own file alone (it needs
# only the standard library), without the package's TensorFlow import, so it is up at once.
HOLDER = r"""
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("workdirs", sys.argv[1])
workdirs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(workdirs)
with workdirs.lock(sys.argv[2]):
    print("held", flush=True)
    time.sleep(600)
"""


@contextlib.contextmanager
def _holder(workdir):
    """Another process holding `workdir`'s lock while entered (killed on leaving)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, workdirs.__file__, workdir],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "held\n", proc.communicate(timeout=30)[1]
        yield proc
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def _files(path):
    """{relative path: (sha256, mtime_ns)} of every file and folder under `path`."""
    out = {}
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            full = os.path.join(folder, name)
            digest = None
            if os.path.isfile(full):
                with open(full, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            out[os.path.relpath(full, path)] = (digest, os.stat(full).st_mtime_ns)
    out["."] = (None, os.stat(path).st_mtime_ns)
    return out


def _lock_file(workdir):
    return os.path.join(workdir, workdirs.LOCK_FILE)


def _identity(workdir):
    with open(_lock_file(workdir)) as f:
        return json.load(f)


def _tiny(**train):
    return tiny_ring8_config(**dict(dict(num_steps=2, checkpoint_every=2, log_every=1), **train))


# ---- the lock itself ----------------------------------------------------------------------------

def test_lock_names_its_holder_refuses_a_second_and_is_gone_after(tmp_path):
    workdir = str(tmp_path / "run")
    with workdirs.lock(workdir):
        identity = _identity(workdir)
        assert identity["pid"] == os.getpid() and identity["host"] and identity["started"]
        before = _files(workdir)
        # flock locks an open file, so a second open of it is refused even in this process.
        with pytest.raises(workdirs.WorkdirInUse) as refused:
            with workdirs.lock(workdir):
                pass
        assert _files(workdir) == before
    message = str(refused.value)
    assert "\n" not in message
    assert f"The workdir {workdir!r} is in use by process {os.getpid()} on " in message
    assert ", this process (started " in message and identity["started"] in message
    assert os.listdir(workdir) == []  # released, and its file removed
    with pytest.raises(RuntimeError):
        with workdirs.lock(workdir):
            raise RuntimeError("a run that fails")
    with workdirs.lock(workdir):  # released by the exception too
        pass


def test_a_lock_file_whose_holder_is_gone_is_taken_over(tmp_path):
    # What a killed holder leaves (the kernel dropped its flock): the next writer locks the
    # same file and writes its own name.
    workdir = str(tmp_path)
    with open(_lock_file(workdir), "w") as f:
        json.dump(dict(pid=1, host="elsewhere", command="python train.py", started="then"), f)
    with workdirs.lock(workdir):
        assert _identity(workdir)["pid"] == os.getpid()
    assert not os.path.exists(_lock_file(workdir))


@pytest.mark.parametrize("platform", ["no_flock_on_this_file_system", "no_fcntl"])
def test_without_file_locking_a_run_goes_on_unlocked_with_a_warning(platform, tmp_path,
                                                                    monkeypatch, capsys):
    def flock(fd, operation):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    fake = None if platform == "no_fcntl" else types.SimpleNamespace(
        flock=flock, LOCK_EX=workdirs.fcntl.LOCK_EX, LOCK_NB=workdirs.fcntl.LOCK_NB)
    monkeypatch.setattr(workdirs, "fcntl", fake)
    workdir = str(tmp_path / "run")
    with workdirs.lock(workdir):
        assert os.path.isdir(workdir) and not os.path.exists(_lock_file(workdir))
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("warning: ") and repr(workdir) in err[0]
    assert ("no fcntl.flock" if fake is None else "No locks available") in err[0]


# ---- training -----------------------------------------------------------------------------------

def test_a_second_train_py_on_a_workdir_in_use_is_refused_writing_nothing(tmp_path):
    workdir = str(tmp_path / "run")
    with _holder(workdir) as holder:
        before, identity = _files(workdir), _identity(workdir)
        proc = run_cli("--config=configs/default.py", f"--workdir={workdir}",
                       "--config.train.num_steps=2", "--config.train.checkpoint_every=2",
                       "--config.train.batch_size=8", "--config.model.g_width=8",
                       "--config.model.d_width=8", "--config.eval.num_samples=16",
                       "--nojit_compile")
        assert holder.poll() is None
        assert _files(workdir) == before  # the holder's lock file alone, untouched
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: The workdir "), lines
    assert repr(workdir) in lines[0] and f"in use by process {holder.pid} on " in lines[0]
    assert f"(started {identity['started']}: {identity['command']})" in lines[0]
    assert "this process" not in lines[0] and proc.stdout == ""


def test_a_resume_beside_a_writer_is_refused_while_readers_work(tmp_path):
    workdir = str(tmp_path / "run")
    training.train_and_evaluate(_tiny(), workdir, verbose=False)
    with _holder(workdir) as holder:
        before = _files(workdir)
        with pytest.raises(workdirs.WorkdirInUse, match=f"in use by process {holder.pid} "):
            training.train_and_evaluate(_tiny(num_steps=4), workdir, verbose=False)
        assert _files(workdir) == before
        # Tools that only read a run take no lock.
        config, model = runs.load_run(workdir)
        assert model.step == 2
        written = export.export(workdir, str(tmp_path / "export"))
        assert any(p.endswith("generator") for p in written)
        assert _files(workdir) == before and holder.poll() is None


def test_a_lock_left_by_a_killed_holder_does_not_block_the_next_run(tmp_path, monkeypatch):
    workdir = str(tmp_path / "run")
    with _holder(workdir) as holder:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert _identity(workdir)["pid"] == holder.pid  # its file is left behind, unlocked
    holders = []
    prepare = runs.prepare_workdir

    def prepare_workdir(config, path):
        holders.append(_identity(path)["pid"])
        return prepare(config, path)

    monkeypatch.setattr(runs, "prepare_workdir", prepare_workdir)
    assert training.train_and_evaluate(_tiny(), workdir, verbose=False)["step"] == 2
    assert holders == [os.getpid()]  # the run held the workdir
    assert not os.path.exists(_lock_file(workdir))


def test_a_preempted_run_releases_the_workdir(tmp_path, monkeypatch):
    workdir = str(tmp_path / "run")
    end = training.Monitor.on_train_batch_end

    def on_train_batch_end(self, batch, logs=None):
        if self.step + 1 == 3:
            assert _identity(workdir)["pid"] == os.getpid()
            signal.raise_signal(signal.SIGTERM)
        end(self, batch, logs)

    monkeypatch.setattr(training.Monitor, "on_train_batch_end", on_train_batch_end)
    with pytest.raises(training.Preempted) as preempted:
        training.train_and_evaluate(_tiny(num_steps=6, checkpoint_every=6), workdir,
                                    verbose=False)
    assert preempted.value.exit_status == 143
    assert not os.path.exists(_lock_file(workdir))
    with workdirs.lock(workdir):
        pass


@pytest.mark.parametrize("chief", [True, False])
def test_only_the_chief_holds_the_workdir(chief, tmp_path, monkeypatch):
    # Non-chief workers of a multi-worker run write their scratch directory, not the workdir:
    # they must not take the lock the chief holds (here, this process holds it).
    workdir = str(tmp_path)
    monkeypatch.setattr(distribute, "is_chief", lambda strategy: chief)
    monkeypatch.setattr(loop, "_train", lambda *args: {})
    with workdirs.lock(workdir):
        if chief:
            with pytest.raises(workdirs.WorkdirInUse):
                training.train_and_evaluate(_tiny(), workdir, verbose=False)
        else:
            assert training.train_and_evaluate(_tiny(), workdir, verbose=False) == {}


# ---- the reproduction runner --------------------------------------------------------------------

def test_a_second_reproduction_runner_on_the_same_out_is_refused(tmp_path, monkeypatch):
    out = str(tmp_path / "out")
    ran = []
    claim = registry.Claim(id="mescheder.planted", where="", statement="", paper="", setup="",
                           rule="", experiment=print, verdict=print)
    monkeypatch.setattr(registry, "get", lambda ids: [claim])
    monkeypatch.setattr(runner, "plan", lambda claim, out, **kwargs: ({}, None, None))
    monkeypatch.setattr(runner, "run_claim",
                        lambda claim, out, **kwargs: ran.append(claim.id) or {"id": claim.id})
    monkeypatch.setattr(runner, "_write_record", lambda path, record: None)
    monkeypatch.setattr(runner.report_lib, "write_report",
                        lambda records, out, report=None, pending=(): None)
    with _holder(out) as holder:
        with pytest.raises(workdirs.WorkdirInUse,
                           match=f"--out directory .* in use by process {holder.pid} "):
            runner.run(out=out, verbose=False)
        assert ran == []
    runner.run(out=out, verbose=False)
    assert ran == ["mescheder.planted"] and os.listdir(out) == []
