"""Two app replicas behind nginx on loopback, as `scripts/replicas` runs them, for tests.

The replicas are the harness's AppServers (with the test's warehouse environment);
nginx and its configuration come from scripts/nginx_replicas.py, the one copy the
script uses too. nginx's config and logs are kept in
test-artifacts/logs/nginx-<port>/ (what CI keeps).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from harness import REPO_ROOT, AppServer, HarnessError, free_port

sys.path.insert(0, str(REPO_ROOT / "scripts"))

import nginx_replicas  # noqa: E402
from nginx_replicas import COOKIE, HEADER, REPLICAS, Nginx, NginxError, get  # noqa: E402

__all__ = ["COOKIE", "HEADER", "REPLICAS", "NginxError", "Replicas", "nginx_available"]

_ACCESS_LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ '
    r'cookie=(?P<cookie>\S*) route=(?P<route>\S*) upstream="(?P<upstream>[^"]*)" '
    r"served_by=(?P<served_by>\S*)"
)


def nginx_available() -> bool:
    return nginx_replicas.nginx_binary() is not None


class Replicas:
    """Replicas a and b (`streamlit run`) and nginx in front of them."""

    def __init__(self, app: Path, env: dict[str, str]):
        self.app = app
        self.env = env
        self.servers: dict[str, AppServer] = {}
        self.nginx: Nginx | None = None

    @property
    def host(self) -> str:
        return self.nginx.host

    @property
    def base_url(self) -> str:
        return self.nginx.base_url

    def ports(self) -> dict[str, int]:
        return {name: server.port for name, server in self.servers.items()}

    def start(self, timeout: float = 60) -> Replicas:
        try:
            for name in REPLICAS:
                self.servers[name] = AppServer(self.app, self.env).start(timeout)
            port = free_port()
            run_dir = REPO_ROOT / "test-artifacts" / "logs" / f"nginx-{port}"
            self.nginx = Nginx(run_dir, port, self.ports()).start()
        except (HarnessError, NginxError):
            self.stop()
            raise
        return self

    def stop_replica(self, name: str) -> None:
        self.servers[name].stop()

    def restart_replica(self, name: str, timeout: float = 60) -> None:
        """A new process for `name` (on a new port), and nginx reloaded to reach it."""
        self.servers[name].stop()
        self.servers[name] = AppServer(self.app, self.env).start(timeout)
        self.nginx.reload(self.ports())
        # The reload is done when a request pinned to `name` is answered by it.
        deadline = time.monotonic() + timeout
        while self.served_by(name) != name:
            if time.monotonic() > deadline:
                raise HarnessError(
                    f"after the reload nginx still does not reach replica {name}:\n"
                    f"{self.nginx.log_tail()}"
                )
            time.sleep(0.2)

    def served_by(self, cookie_value: str) -> str | None:
        """Which replica answers a health check from a browser pinned to `cookie_value`."""
        answer = get(f"{self.base_url}/_stcore/health", cookie=f"{COOKIE}={cookie_value}")
        return answer.headers.get(HEADER)

    def access_log_size(self) -> int:
        return self.nginx.access_log.stat().st_size if self.nginx.access_log.exists() else 0

    def access_lines(self, since: int = 0) -> list[dict]:
        """nginx's access log from byte `since`, one dict per request (the log format
        of scripts/nginx_replicas.py: path, status, cookie, upstream, served_by)."""
        with open(self.nginx.access_log, "rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
        return [m.groupdict() for m in map(_ACCESS_LINE.search, text.splitlines()) if m]

    def logs(self) -> str:
        parts = [f"nginx error log:\n{self.nginx.log_tail() if self.nginx else '(none)'}"]
        for name, server in self.servers.items():
            parts.append(f"replica {name} log:\n{server.log_tail(3000)}")
        return "\n\n".join(parts)

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for server in self.servers.values():
            server.stop()
