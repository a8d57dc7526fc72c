"""Alerts: a webhook that receives JSON on 127.0.0.1 (past a dead proxy), bells, cooldown."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vidmyo.alerts import Alerter
from vidmyo.errors import UsageError


@pytest.fixture
def receiver():
    bodies = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers["Content-Length"])
            bodies.append((self.headers["Content-Type"], json.loads(self.rfile.read(length))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook?token=abc", bodies
    server.shutdown()
    server.server_close()


def jerk(i, kind="jerk"):
    return {"id": i, "kind": kind, "primary_region": "left_arm", "onset_s": 0.0}


def test_webhook_posts_one_alert_per_cluster(receiver, monkeypatch):
    url, bodies = receiver
    # vidmyo points the proxy variables at a dead port (MediaPipe telemetry); alerts must not
    # follow them.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    bells = []
    alerter = Alerter(url, bell=lambda: bells.append(1), cooldown_s=60.0)
    assert alerter.offer(jerk(1), 10.0, {"session_id": 7})
    assert not alerter.offer(jerk(2, "movement"), 11.0)  # not a jerk: no alert
    assert not alerter.offer(jerk(3), 30.0)  # within the cooldown: held back
    assert not alerter.offer(jerk(4), 69.0)
    assert alerter.offer(jerk(5), 71.0)
    alerter.close()
    assert alerter.sent == 2 and alerter.failed == 0 and len(bells) == 2
    (ctype, first), (_, second) = bodies
    assert ctype == "application/json"
    assert first["schema"] == "vidmyo.alert/1" and first["session_id"] == 7
    assert first["event"]["id"] == 1 and first["held_back"] == 0
    assert second["event"]["id"] == 5 and second["held_back"] == 2


def test_a_dead_webhook_never_raises():
    alerter = Alerter("http://127.0.0.1:9/nothing-here", cooldown_s=0)
    assert alerter.offer(jerk(1), 1.0)
    alerter.close()
    assert alerter.failed == 1 and alerter.sent == 0


def test_webhook_must_be_http():
    with pytest.raises(UsageError, match="--webhook"):
        Alerter("file:///etc/passwd")
