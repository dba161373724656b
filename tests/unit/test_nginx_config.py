"""The replicas' nginx configuration (scripts/nginx_replicas.py), as rendered."""

import inspect
import re
import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import nginx_replicas  # noqa: E402


def test_nginx_lets_an_idle_replica_connection_go_before_the_replica_closes_it(tmp_path):
    # Otherwise a request sent down a connection the replica is closing is retried on
    # the other replica, and the browser is re-pinned there (a flaky browser test).
    config = nginx_replicas.render_config(8080, {"a": 41001, "b": 41002}, tmp_path)
    upstreams = re.findall(r"upstream cockpit_(\w) \{(.*?)\}", config, re.S)
    assert [name for name, _ in upstreams] == ["a", "b"]
    # Streamlit runs uvicorn without setting its keep-alive, so uvicorn's default holds
    replica_keep_alive_s = inspect.signature(uvicorn.Config).parameters["timeout_keep_alive"]
    for name, block in upstreams:
        assert "keepalive 8;" in block, name
        timeouts = re.findall(r"keepalive_timeout (\d+)s;", block)
        assert len(timeouts) == 1, name
        assert int(timeouts[0]) < replica_keep_alive_s.default, name
