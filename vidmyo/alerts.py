"""Alerts when a jerk is recorded: a webhook POST and/or a terminal bell, with a cooldown.

Detection never waits for an alert: webhook posts go through a bounded queue to a background
thread. A cluster of jerks raises one alert: after an alert, further events within
``cooldown_s`` (of stream time) raise none; the next alert says how many were held back.

The webhook goes straight to its address, never through a proxy: vidmyo points
``https_proxy`` at a dead local port to keep MediaPipe's telemetry on the machine (see
:mod:`vidmyo.pose`), and an alert must not follow it there.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from vidmyo import __version__
from vidmyo.errors import UsageError

log = logging.getLogger(__name__)

ALERT_SCHEMA = "vidmyo.alert/1"
QUEUE_ALERTS = 32
TIMEOUT_S = 5.0


def check_webhook(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--webhook must be an http:// or https:// address, not {url!r}")
    return url


class Alerter:
    """Decides which events raise an alert and sends them.

    Parameters
    ----------
    webhook : URL that receives a JSON POST per alert, or None.
    bell : called (in the caller's thread) for each alert, e.g. to ring the terminal bell.
    cooldown_s : seconds of stream time after an alert in which events raise no new one.
    kinds : event kinds that raise alerts.
    """

    def __init__(self, webhook: str | None = None, bell: Callable[[], None] | None = None,
                 cooldown_s: float = 60.0, kinds: tuple[str, ...] = ("jerk",)):  # fmt: skip
        self.webhook = check_webhook(webhook) if webhook else None
        self.bell = bell
        self.cooldown_s = cooldown_s
        self.kinds = kinds
        self.sent = 0
        self.failed = 0
        self.alerts = 0
        self._last_t: float | None = None
        self._held_back = 0
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._queue: queue.Queue[dict | None] = queue.Queue(maxsize=QUEUE_ALERTS)
        self._thread: threading.Thread | None = None
        if self.webhook:
            self._thread = threading.Thread(
                target=self._post_loop, name="vidmyo-alerts", daemon=True
            )
            self._thread.start()

    @property
    def enabled(self) -> bool:
        return bool(self.webhook or self.bell)

    def offer(self, event: dict, t: float, context: dict | None = None) -> bool:
        """Consider one recorded event (its database row); ``t`` is its onset in session
        seconds. Returns True if it raised an alert."""
        if not self.enabled or event.get("kind") not in self.kinds:
            return False
        if self._last_t is not None and t - self._last_t < self.cooldown_s:
            self._held_back += 1
            return False
        self._last_t = t
        self.alerts += 1
        payload = {
            "schema": ALERT_SCHEMA,
            "vidmyo_version": __version__,
            **(context or {}),
            "event": event,
            "held_back": self._held_back,
        }
        self._held_back = 0
        if self.bell is not None:
            self.bell()
        if self.webhook:
            try:
                self._queue.put_nowait(payload)
            except queue.Full:
                self.failed += 1
                log.warning("webhook is not keeping up; an alert was dropped")
        return True

    def _post_loop(self) -> None:
        while True:
            payload = self._queue.get()
            if payload is None:
                return
            body = json.dumps(payload).encode()
            request = urllib.request.Request(
                self.webhook,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "User-Agent": f"vidmyo/{__version__}"},
            )
            try:
                with self._opener.open(request, timeout=TIMEOUT_S) as response:
                    response.read()
                self.sent += 1
            except Exception as exc:  # a dead receiver must not end the night's monitoring
                self.failed += 1
                log.warning("webhook %s failed: %s", urlsplit(self.webhook).netloc, exc)

    def close(self, timeout: float = 10.0) -> None:
        """Send what is queued (within ``timeout``), then stop."""
        if self._thread is None:
            return
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout)
        self._thread.join(timeout)
        self._thread = None
