"""The embedded server: one per data folder however many start it at once, reused,
and back with its data after the server process is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from warehouse import server as server_module
from warehouse.config import OWNER_ROLE
from warehouse.server import ServerManager

ROOT = Path(__file__).resolve().parents[2]
START = (
    "import sys, json; from pathlib import Path; from warehouse.server import ServerManager;"
    "s = ServerManager(Path(sys.argv[1])).ensure_running();"
    "print(json.dumps({'port': s.port, 'pid': (Path(sys.argv[1]) / 'pgdata' /"
    " 'postmaster.pid').read_text().split()[0]}))"
)


def _start_in_processes(home: Path, count: int) -> list[dict]:
    processes = [
        subprocess.Popen([sys.executable, "-c", START, str(home)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]  # fmt: skip
    answers = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        answers.append(json.loads(out))
    return answers


@pytest.fixture
def home(tmp_path):
    yield tmp_path / "home"
    ServerManager(tmp_path / "home").stop()


def test_concurrent_starters_share_one_server(home):
    answers = _start_in_processes(home, 3)
    assert len({a["port"] for a in answers}) == 1
    assert len({a["pid"] for a in answers}) == 1
    # Reused, not restarted, by a later process.
    assert _start_in_processes(home, 1) == answers[:1]


def test_server_comes_back_with_its_data_after_being_killed(home):
    server = ServerManager(home).ensure_running()
    engine = create_engine(server.url(OWNER_ROLE))
    with engine.begin() as c:
        c.execute(text("CREATE TABLE kept (x int)"))
        c.execute(text("INSERT INTO kept VALUES (42)"))
    engine.dispose()
    pid = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        subprocess.run(["sleep", "0.1"])
    restarted = ServerManager(home).ensure_running()
    engine = create_engine(restarted.url(OWNER_ROLE))
    with engine.connect() as c:
        assert c.execute(text("SELECT x FROM kept")).scalar_one() == 42
    engine.dispose()
    new_pid = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
    assert new_pid != pid


def _shared_buffers_mb(server) -> int:
    """What the running server reports (pg_settings counts 8 kB blocks)."""
    engine = create_engine(server.url(OWNER_ROLE))
    with engine.connect() as c:
        blocks = c.execute(
            text("SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers'")
        ).scalar_one()
    engine.dispose()
    return blocks * 8 // 1024


def test_buffers_are_a_quarter_of_memory_within_floor_and_ceiling(monkeypatch):
    monkeypatch.delenv("COCKPIT_SHARED_BUFFERS_MB", raising=False)
    assert server_module.shared_buffers_mb(memory=24_000) == 6_000
    assert server_module.shared_buffers_mb(memory=300) == server_module.SHARED_BUFFERS_MIN_MB
    assert server_module.shared_buffers_mb(memory=64_000) == server_module.SHARED_BUFFERS_MAX_MB
    monkeypatch.setenv("COCKPIT_SHARED_BUFFERS_MB", "96")
    assert server_module.shared_buffers_mb(memory=24_000) == 96
    monkeypatch.setenv("COCKPIT_SHARED_BUFFERS_MB", "lots")
    with pytest.raises(server_module.ServerError, match="COCKPIT_SHARED_BUFFERS_MB"):
        server_module.shared_buffers_mb()


def test_a_folder_from_an_older_version_starts_with_todays_buffers(home, monkeypatch):
    monkeypatch.setenv("COCKPIT_SHARED_BUFFERS_MB", "48")
    manager = ServerManager(home)
    assert _shared_buffers_mb(manager.ensure_running()) == 48
    manager.stop()
    # An older version wrote a fixed size and only rewrote the file when the port moved.
    conf = home / "pgdata" / "postgresql.conf"
    conf.write_text(conf.read_text().replace("shared_buffers = 48MB", "shared_buffers = 32MB"))
    monkeypatch.setenv("COCKPIT_SHARED_BUFFERS_MB", "80")
    assert _shared_buffers_mb(ServerManager(home).ensure_running()) == 80
