"""The README's start command on a fresh clone: it installs, starts the embedded
warehouse, loads the demo district and serves an overview of real figures, with
nothing else installed or configured."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request

import pytest
from harness import REPO_ROOT, BrowserSession, demo_account, free_port, page_text
from sqlalchemy import create_engine, text

from ui.formatting import format_count
from warehouse.server import ServerManager

SETUP_ENV = ("DATABASE_URL", "COCKPIT_OWNER_URL", "COCKPIT_HOME", "COCKPIT_PG_BIN", "VIRTUAL_ENV")


def _wait_healthy(port: int, process: subprocess.Popen, log_path, timeout: float) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"scripts/start exited:\n{log_path.read_text()[-4000:]}", pytrace=False)
        try:
            with opener.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"not healthy after {timeout} s:\n{log_path.read_text()[-4000:]}", pytrace=False)


def test_start_command_on_a_fresh_clone(browser, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    env = {key: value for key, value in os.environ.items() if key not in SETUP_ENV}
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if ".venv" not in part
    )
    port = free_port()
    log_path = tmp_path / "start.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["scripts/start", "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=clone, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    session = None
    try:
        _wait_healthy(port, process, log_path, timeout=900)
        session = BrowserSession(browser, f"127.0.0.1:{port}", "fresh-clone-overview")
        page = session.open("/", timeout_ms=240_000)  # the first visit loads the demo
        assert "社区数字驾驶舱" in page_text(page)
        owner_url = subprocess.run(
            [str(clone / ".venv" / "bin" / "cockpit"), "db-url", "--owner"],
            cwd=clone, env=env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        engine = create_engine(owner_url)
        with engine.connect() as connection:
            residents = connection.execute(text("SELECT sum(residents) FROM dim_community"))
            residents = residents.scalar_one()
            communities = connection.execute(text("SELECT count(*) FROM dim_community"))
            assert communities.scalar_one() == 10
        engine.dispose()
        session.sign_in(*demo_account(owner_url))
        page = session.open("/")
        tile = page.locator('[data-testid="stMetric"]', has_text="常住人口")
        assert format_count(residents) in tile.inner_text()
        page.reload()  # the session survives a reload (its cookie)
        page = session.open("/")
        assert (
            format_count(residents)
            in page.locator('[data-testid="stMetric"]', has_text="常住人口").inner_text()
        )
        assert session.external_requests() == []
    finally:
        if session:
            session.close()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if (clone / ".cockpit" / "pgdata").exists():
            ServerManager(clone / ".cockpit").stop()
