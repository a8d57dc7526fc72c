"""Live sources: parsing --source, the frame queue's drop policy, and a real HTTP stream that
drops and comes back."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest
from conftest import SAMPLE

from vidmyo.config import Config, MonitorConfig
from vidmyo.errors import InputError, UsageError
from vidmyo.live_sources import (
    CameraSource,
    FrameQueue,
    GapStarted,
    LiveFrame,
    ReplaySource,
    StreamSource,
    backoff,
    open_source,
)
from vidmyo.monitor import Monitor
from vidmyo.simulate import Scenario, simulate
from vidmyo.simulate_live import SeriesObserver
from vidmyo.store import Store


def test_source_names_are_understood():
    assert isinstance(open_source("0"), CameraSource)
    assert isinstance(open_source("/dev/video2"), CameraSource)
    stream = open_source("rtsp://nurse:secret@10.0.0.5/live")
    assert isinstance(stream, StreamSource) and "secret" not in stream.description
    assert isinstance(open_source("http://127.0.0.1:8080/video.mjpg"), StreamSource)
    replay = open_source("night.mp4", realtime=False)
    assert isinstance(replay, ReplaySource) and replay.lossless and not replay.paced
    assert open_source("night.mp4").paced
    with pytest.raises(UsageError, match="unsupported source"):
        open_source("ftp://example.org/x.mp4")


def test_backoff_doubles_up_to_the_cap():
    delays = backoff(1.0, 30.0)
    assert [next(delays) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def test_missing_camera_and_missing_file():
    with pytest.raises(InputError, match="camera 97 cannot be opened"):
        CameraSource(97).open()
    with pytest.raises(InputError, match="no such file"):
        ReplaySource("/nonexistent/night.mp4").open()


def test_a_replayed_file_keeps_the_codecs_key_frames():
    """The detector weighs a key frame's picture change (``_own_change``): a replay must give
    it the key frames ``analyze`` sees, so that both report the same events."""
    replay = ReplaySource(SAMPLE, realtime=False, end_s=1.0)
    replay.open()
    frames = []
    while (f := replay.read(0.0)) is not None:
        frames.append(f)
    replay.close()
    assert [f.index for f in frames if f.key] == [0, 12, 24]


def frame(i, captured):
    return LiveFrame(index=i, t=captured, image=np.zeros((2, 2, 3), np.uint8), captured=captured)


def test_newest_only_keeps_messages_in_order():
    q = FrameQueue(lossless=False, max_lag_s=0.0)
    q.put_frame(frame(0, 0.0))
    q.put_message(GapStarted(0.05, 1, "lost"))
    for i in range(2, 6):
        q.put_frame(frame(i, i / 30))
    got = [q.get(0.01) for _ in range(3)]
    assert isinstance(got[0], GapStarted) and got[1].index == 5 and got[2] is None
    assert q.dropped == 4


def test_lag_is_bounded_and_a_backlog_is_thinned():
    q = FrameQueue(lossless=False, max_lag_s=1.0, thin_after_s=0.25)
    for i in range(61):  # two seconds of frames arrive while the loop is busy
        q.put_frame(frame(i, i / 30))
    taken = []
    while (item := q.get(0.001)) is not None:
        taken.append(item.index)
    assert taken[0] >= 30  # nothing older than max_lag_s behind the newest
    assert taken[-1] == 60
    behind = [i for i in taken if (60 - i) / 30 > 0.25]
    assert all(b - a == 2 for a, b in zip(behind, behind[1:], strict=False))  # every other
    assert q.dropped == 61 - len(taken)


def test_lossless_queue_drops_nothing():
    q = FrameQueue(lossless=True)
    producer = threading.Thread(target=lambda: [q.put_frame(frame(i, 0.0)) for i in range(50)])
    producer.start()
    taken = []
    while len(taken) < 50:
        item = q.get(1.0)
        taken.append(item.index)
        time.sleep(0.001)
    producer.join()
    assert taken == list(range(50)) and q.dropped == 0


class MJPEGHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        ok, jpeg = cv2.imencode(".jpg", np.full((240, 320, 3), 90, np.uint8))
        data = jpeg.tobytes()
        try:
            while not self.server.stopping:
                head = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n"
                self.wfile.write(head % len(data) + data + b"\r\n")
                time.sleep(1 / 30)
        except OSError:
            pass

    def log_message(self, *args):
        pass


class MJPEGServer:
    """An MJPEG camera on 127.0.0.1 that can be switched off and on again (same port)."""

    def __init__(self, port=0):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), MJPEGHandler)
        self.httpd.daemon_threads = True
        self.httpd.stopping = False
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.stopping = True
        self.httpd.shutdown()
        self.httpd.server_close()


def test_http_stream_that_drops_is_reconnected(tmp_path):
    series, _ = simulate(Scenario(duration_s=2))
    server = MJPEGServer()
    port = server.port
    url = f"http://127.0.0.1:{port}/stream.mjpg"
    notes = []
    state = {}
    with Store(tmp_path / "s.db") as store:
        monitor = Monitor(
            open_source(url), store, Config(),
            MonitorConfig(retry_first_s=0.2, retry_max_s=0.4),
            observer_factory=lambda c, f: SeriesObserver(series), notify=notes.append,
        )  # fmt: skip

        def timeline():
            time.sleep(1.5)
            state["before"] = monitor.result.frames
            server.stop()
            time.sleep(1.5)
            state["server"] = MJPEGServer(port)
            time.sleep(1.5)
            monitor.request_stop("SIGINT")

        threading.Thread(target=timeline, daemon=True).start()
        result = monitor.run()
        state["server"].stop()
    with Store(tmp_path / "s.db", readonly=True) as store:
        (session,) = store.sessions()
        gaps = [s for s in store.states() if s["kind"] == "source_gap"]
    assert result.end_reason == "SIGINT" and session["ended_at"]
    assert len(gaps) == 1 and gaps[0]["end_s"] > gaps[0]["start_s"] + 1.0
    assert 0.8 < gaps[0]["end_s"] - gaps[0]["start_s"] < 2.5
    assert state["before"] > 10 and result.frames > state["before"] + 10  # frames after it
    assert session["width"] == 320 and session["height"] == 240
    assert any("reconnecting" in n for n in notes)
