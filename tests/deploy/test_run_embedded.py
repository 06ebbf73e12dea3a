"""deploy/run-embedded.sh (what `make run` starts) and deploy/'s units.

- Beat is a process of its own with a pidfile, never a worker's child (`worker --beat`): a worker
  killed with SIGKILL left its beat running, and the next start had two schedulers.
- Every deployed worker set-up consumes the housekeeping queue, and has a worker for that queue alone.
- On the embedded default, a worker that gets SIGTERM while a task runs stops within its soft-shutdown
  grace (it ignored TERM for as long as the task ran, and was killed after 15 s), and the task goes back
  to the queue; a worker that dies is started again, and its children die with it; stopping the script
  stops everything.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from celery import shared_task

from tests.conftest import REPO, free_port, port_open, wait_for

SCRIPT = REPO / "deploy" / "run-embedded.sh"
SYSTEMD = REPO / "deploy" / "systemd"


@shared_task(name="recognition.test_run_embedded_sleep")
def embedded_sleep(path: str, seconds: float) -> None:
    """A long task of the test's own (routed to the recognition queue): each start is a line in ``path``."""
    with open(path, "a") as out:
        out.write(f"start {os.getpid()}\n")
    time.sleep(seconds)


def _celery_commands() -> dict[str, str]:
    """Every place deploy/ starts Celery: the script's lines, each unit's ExecStart, each compose command."""
    commands = {}
    script = SCRIPT.read_text()
    for number, line in enumerate(script.splitlines()):
        if "-m celery" in line:
            commands[f"run-embedded.sh:{number + 1}"] = line + " " + script.splitlines()[number + 1]
    for unit in SYSTEMD.glob("*.service"):
        found = re.search(r"^ExecStart=(.*)$", unit.read_text(), re.MULTILINE)
        commands[unit.name] = found.group(1)
    for name, service in yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text())["services"].items():
        if "celery" in str(service.get("command", "")):
            commands[f"compose:{name}"] = service["command"]
    return commands


def test_beat_runs_on_its_own_and_every_worker_set_up_consumes_housekeeping():
    commands = _celery_commands()
    assert not [where for where, cmd in commands.items() if re.search(r"\s(-B|--beat)(\s|$)", cmd)]
    beats = {where: cmd for where, cmd in commands.items() if " beat " in f"{cmd} "}
    assert len(beats) == 3 and all("--pidfile" in cmd for cmd in beats.values()), beats
    workers = {where: cmd for where, cmd in commands.items() if " worker " in f"{cmd} "}
    queues = {where: re.search(r"--queues\s+(\S+)", cmd).group(1).split(",") for where, cmd in workers.items()}
    for place in ("run-embedded.sh", "retrace-", "compose:"):
        mine = {w: q for w, q in queues.items() if w.startswith(place)}
        assert any(q == ["housekeeping"] for q in mine.values()), f"{place}: no housekeeping-only worker"
        assert any("recognition" in q and "housekeeping" in q for q in mine.values()), f"{place}: {mine}"
    for unit in ("retrace-worker.service", "retrace-housekeeping.service"):
        text = (SYSTEMD / unit).read_text()
        assert "REMAP_SIGTERM=SIGQUIT" in text and "KillMode=control-group" in text
    assert "REMAP_SIGTERM=SIGQUIT" in SCRIPT.read_text()


def _children(pid: int) -> dict[int, str]:
    """The running children of ``pid``: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid and fields[0] != "Z":
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, IndexError, ValueError):
                continue
    return found


def _in_session(session: int) -> list[int]:
    """The running processes of a session (the script's, started with a session of its own)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == session and fields[0] != "Z":
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _one(children: dict[int, str], needle: str) -> int:
    found = [pid for pid, args in children.items() if needle in args]
    assert len(found) == 1, (needle, children)
    return found[0]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_embedded_default_stops_on_term_restarts_a_dead_worker_and_never_runs_two_beats(tmp_path, celery_app_on):
    from config.settings.components.celery import filesystem_broker_options

    var = tmp_path / "var"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        RETRACE_VAR_DIR=str(var),
        DEEPFACE_HOME=str(REPO / "var"),  # the installed weights
        VENV=str(Path(sys.executable).parent.parent),
        HOST="127.0.0.1",
        PORT=str(port),
        CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT="3",
        STOP_GRACE_S="20",
        CELERY_WORKER_ARGS="--include tests.deploy.test_run_embedded",
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "run-embedded.log"
    with open(log, "w") as out:
        script = subprocess.Popen(
            ["bash", str(SCRIPT)], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    marks = tmp_path / "starts.txt"
    try:
        wait_for(lambda: log.read_text().count(" ready.") >= 2, timeout=120, what="both workers ready")
        wait_for(lambda: port_open("127.0.0.1", port), timeout=60, what="gunicorn")
        children = _children(script.pid)
        beat = _one(children, " beat ")
        worker = _one(children, "worker@%h")
        _one(children, "housekeeping@%h")
        assert (var / "celerybeat.pid").read_text().strip() == str(beat)
        assert not any(" beat " in args for args in _children(worker).values())  # not the worker's child

        # SIGTERM to a worker in the middle of a long task: it stops within the grace, the task goes back
        app = celery_app_on("filesystem://", filesystem_broker_options(var / "broker"))
        app.send_task("recognition.test_run_embedded_sleep", args=[str(marks), 60])
        wait_for(lambda: marks.exists() and marks.read_text().count("start") == 1, timeout=60, what="the task")
        os.kill(worker, signal.SIGTERM)
        termed = time.monotonic()
        wait_for(lambda: worker not in _children(script.pid), timeout=30, what="the worker to stop")
        stopped_after = time.monotonic() - termed
        wait_for(lambda: marks.read_text().count("start") == 2, timeout=60, what="the task to run again")

        # SIGKILL of the (restarted) worker's main process: its pool child dies with it, it is started
        # again, and beat is still the one beat
        worker = _one(_children(script.pid), "worker@%h")
        pool = list(_children(worker))
        os.kill(worker, signal.SIGKILL)
        wait_for(lambda: not any(_alive(p) for p in pool), timeout=10, what="the pool child to die")
        wait_for(lambda: len([a for a in _children(script.pid).values() if "worker@%h" in a]) == 1, timeout=30)
        children = _children(script.pid)
        assert [pid for pid, args in children.items() if " beat " in args] == [beat]

        # Stopping the script stops everything, within the workers' grace
        os.kill(script.pid, signal.SIGTERM)
        termed = time.monotonic()
        script.wait(timeout=40)
        wait_for(lambda: not _in_session(script.pid), timeout=30, what="every process of the script to stop")
        all_stopped_after = time.monotonic() - termed
        print(
            f"\n[embedded default] a busy worker stopped {stopped_after:.1f} s after SIGTERM (grace 3 s), its task"
            f" ran again; everything stopped {all_stopped_after:.1f} s after the script's SIGTERM"
        )
        assert stopped_after < 12  # within the grace and shutdown, not the 60 s task (nor a 15 s kill)
        assert all_stopped_after < 20  # before the script's own SIGKILL
    finally:
        for pid in _in_session(script.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if script.poll() is None:
            script.kill()
            script.wait()
        if script.returncode not in (0, 143, -15):
            print(log.read_text()[-3000:])


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its parent)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
