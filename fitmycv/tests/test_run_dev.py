"""scripts/run-dev.sh (`make run`): one signal stops the server and the worker, once each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "run-dev.sh"
# A stand-in for the server or the worker: says when it starts and each time it is told to stop.
CHILD = r"""
import os, signal, sys, time
name = sys.argv[1]
def stop(signum, frame):
    os.write(1, f"{name}: shutdown on signal {signum}\n".encode())
    time.sleep(0.3)  # a warm shutdown takes a moment; a second signal would land here
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
os.write(1, f"{name}: ready {os.getpid()}\n".encode())
while True:
    time.sleep(0.05)
"""


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, int]]:
    child = tmp_path / "child.py"
    child.write_text(CHILD)
    env = {
        "PATH": "/usr/bin:/bin",
        "RUN_WORKER": f"{sys.executable} {child} worker",
        "RUN_SERVER": f"{sys.executable} {child} server",
    }
    process = subprocess.Popen(
        ["bash", str(SCRIPT)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 10
    pids: dict[str, int] = {}
    assert process.stdout is not None
    while len(pids) < 2 and time.monotonic() < deadline:
        name, _, rest = process.stdout.readline().partition(": ready ")
        if rest:
            pids[name] = int(rest)
    if set(pids) != {"worker", "server"}:
        process.kill()
        process.communicate()
        pytest.fail("the server and the worker did not start")
    return process, pids


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_it_stops_the_server_and_the_worker_once(tmp_path: Path, signum: int) -> None:
    process, _ = _start(tmp_path)
    process.send_signal(signum)
    output, _ = process.communicate(timeout=5)
    assert process.returncode == 0
    lines = output.splitlines()
    assert lines.count("worker: shutdown on signal 15") == 1, output
    assert lines.count("server: shutdown on signal 15") == 1, output
    assert len(lines) < 10, output


def test_when_one_stops_by_itself_the_other_is_stopped(tmp_path: Path) -> None:
    process, pids = _start(tmp_path)
    os.kill(pids["server"], signal.SIGKILL)
    output, _ = process.communicate(timeout=5)
    assert "worker: shutdown on signal 15" in output
    assert process.returncode != 0
