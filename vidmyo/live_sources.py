"""Cameras, streams, and video files replayed as if live → timestamped frames, read in a thread.

A live source must be read as fast as it delivers, or the driver's buffers fill and every frame
arrives late. :class:`FrameReader` therefore reads in its own thread and hands frames to the
processing loop through a :class:`FrameQueue`, which drops the oldest waiting frames when the
loop cannot keep up: the loop then falls behind by a bounded amount (``max_lag_s``), never
without bound. Each frame carries its capture time, so the detector sees true timestamps even
when frames were dropped.

A camera that disappears or a stream that drops is reopened with backoff (1, 2, 4 … 30 s);
the reader reports the gap to the loop (:class:`GapStarted`, :class:`GapEnded`) and carries on.
A video file is replayed at its own frame rate, or as fast as possible without dropping any
frame; at its end the reader reports :class:`SourceEnded`.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from vidmyo.errors import InputError, TruncatedVideoError, UsageError
from vidmyo.sources import Frame, VideoFile

log = logging.getLogger(__name__)

STREAM_SCHEMES = ("rtsp", "rtsps", "rtmp", "http", "https", "udp", "tcp", "srt")
STREAM_TIMEOUT_MS = 10_000
"""FFmpeg gives up opening or reading a stream after this long (otherwise it may wait for
minutes when a camera drops off the network)."""
DEFAULT_FPS = 30.0


class LiveFrame(Frame):
    """A :class:`Frame` (``t``: seconds since the session started, the stream time of a file)
    plus ``captured``, the ``time.monotonic()`` at which it was read: latency is measured
    from it. ``key`` is known for a file only (a camera's frames come decoded)."""

    __slots__ = ("captured",)

    def __init__(
        self,
        index: int,
        t: float,
        image: npt.NDArray[np.uint8],
        captured: float = 0.0,
        key: bool | None = None,
    ):
        super().__init__(index, t, image=image, key=key)
        self.captured = captured


class SourceLost(InputError):
    """A live source stopped delivering frames (camera unplugged, stream dropped)."""


@dataclass(frozen=True)
class GapStarted:
    """The source stopped at ``t`` (session seconds); ``index`` is reserved for the marker
    frame that tells the detector the picture was interrupted."""

    t: float
    index: int
    reason: str


@dataclass(frozen=True)
class GapEnded:
    t: float


@dataclass(frozen=True)
class SourceEnded:
    """No more frames: the end of a file, or an error the reader could not recover from."""

    reason: str
    problem: Exception | None = None


Message = GapStarted | GapEnded | SourceEnded


def _sane_fps(value: float) -> float | None:
    return value if 1.0 <= value <= 240.0 else None


class _CaptureSource:
    """A cv2.VideoCapture that is read frame after frame, timed by the local clock.

    Every source has: ``description``; ``fps`` (None if unknown); ``live`` (reopen it when it
    is lost); ``paced`` (the reader releases frames at their own times); ``lossless`` (the
    source waits for the loop, so no frame needs dropping); ``open()``, ``read(origin)`` (a
    frame, None at the end, or :class:`SourceLost`), ``now(origin)`` (the session time),
    ``reserve_index()`` and ``close()``.
    """

    live = True
    paced = False
    lossless = False

    def __init__(self, target: int | str, description: str):
        self.target = target
        self.description = description
        self.fps: float | None = None
        self._cap: cv2.VideoCapture | None = None
        self._next_index = 0
        self._last_t = -1.0

    def _capture(self) -> cv2.VideoCapture:
        raise NotImplementedError

    def _cannot_open(self) -> str:
        raise NotImplementedError

    def open(self) -> None:
        cap = self._capture()
        if not cap.isOpened():
            cap.release()
            raise InputError(self._cannot_open())
        self._cap = cap
        self.fps = _sane_fps(float(cap.get(cv2.CAP_PROP_FPS) or 0.0)) or self.fps

    def now(self, origin: float) -> float:
        return time.monotonic() - origin

    def reserve_index(self) -> int:
        self._next_index += 1
        return self._next_index - 1

    def read(self, origin: float) -> LiveFrame | None:
        if self._cap is None:
            raise SourceLost(f"{self.description} is not open")
        ok, image = self._cap.read()
        captured = time.monotonic()
        if not ok or image is None:
            raise SourceLost(f"{self.description} stopped delivering frames")
        t = max(captured - origin, self._last_t + 1e-6)
        self._last_t = t
        return LiveFrame(index=self.reserve_index(), t=t, image=image, captured=captured)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class CameraSource(_CaptureSource):
    """A V4L2 webcam: an index (``0``) or a device path (``/dev/video0``)."""

    def __init__(self, device: int | str):
        super().__init__(device, f"camera {device}")

    def _capture(self) -> cv2.VideoCapture:
        return cv2.VideoCapture(self.target, cv2.CAP_V4L2)

    def _cannot_open(self) -> str:
        return (
            f"{self.description} cannot be opened (not connected, no permission, or in use by "
            "another program); check 'ls /dev/video*'"
        )


class StreamSource(_CaptureSource):
    """An RTSP/HTTP/… stream read through FFmpeg, with open and read timeouts."""

    def __init__(self, url: str):
        super().__init__(url, f"stream {redact(url)}")

    def _capture(self) -> cv2.VideoCapture:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, STREAM_TIMEOUT_MS,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, STREAM_TIMEOUT_MS,
        ]  # fmt: skip
        return cv2.VideoCapture(str(self.target), cv2.CAP_FFMPEG, params)

    def _cannot_open(self) -> str:
        return f"{self.description} cannot be opened (check the address and that it is online)"


class ReplaySource:
    """A video file played as if it were a camera: at its own frame rate (``realtime``) or as
    fast as the loop takes frames. Times are the file's own timestamps, so events have the
    same times as ``vidmyo analyze`` gives."""

    live = False

    def __init__(self, path: str | Path, realtime: bool = True, end_s: float | None = None):
        self.path = Path(path)
        self.paced = realtime
        self.lossless = not realtime
        self.end_s = end_s
        self.description = str(self.path)
        self.fps: float | None = None
        self.problem: InputError | None = None
        self._frames: Iterator[Frame] | None = None

    def open(self) -> None:
        video = VideoFile(self.path, 0.0, self.end_s)
        self.fps = video.info.fps
        self._frames = iter(video)

    def now(self, origin: float) -> float:
        return time.monotonic() - origin

    def reserve_index(self) -> int:  # a file never has gaps
        raise NotImplementedError

    def read(self, origin: float) -> LiveFrame | None:
        if self._frames is None:
            raise InputError(f"{self.path} is not open")
        try:
            f = next(self._frames)
        except StopIteration:
            return None
        except TruncatedVideoError as exc:
            self.problem = exc
            return None
        return LiveFrame(f.index, f.t, f.image, captured=time.monotonic(), key=f.key)

    def close(self) -> None:
        if self._frames is not None:
            close = getattr(self._frames, "close", None)
            if close is not None:
                close()  # releases the capture held by the generator
            self._frames = None


def redact(url: str) -> str:
    """A stream address without its password (``rtsp://user:secret@host`` → ``user:…@host``)."""
    return re.sub(r"(://[^/:@]+):[^/@]*@", r"\1:…@", url)


def open_source(spec: str, realtime: bool = True) -> CameraSource | StreamSource | ReplaySource:
    """The source named on the command line: a camera index or ``/dev/video*`` path, a stream
    URL, or a video file. Nothing is opened yet."""
    spec = spec.strip()
    if re.fullmatch(r"\d+", spec):
        return CameraSource(int(spec))
    if spec.startswith("/dev/video"):
        return CameraSource(spec)
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://", spec)
    if scheme:
        if scheme.group(1).lower() not in STREAM_SCHEMES:
            raise UsageError(
                f"unsupported source address {redact(spec)!r}; use a camera index (0), a "
                f"stream URL ({', '.join(STREAM_SCHEMES)}) or a video file"
            )
        return StreamSource(spec)
    return ReplaySource(spec, realtime)


def backoff(first_s: float, max_s: float) -> Iterator[float]:
    """first, 2·first, 4·first … capped at max_s, forever."""
    delay = first_s
    while True:
        yield delay
        delay = min(2 * delay, max_s)


def open_with_retries(source, attempts: int, first_s: float, max_s: float,
                      stop: threading.Event | None = None,
                      notify: Callable[[str], None] | None = None) -> None:  # fmt: skip
    """Open a source, retrying a live one ``attempts`` times with backoff (a camera that is
    still starting up, a stream that is still connecting). A file gets one attempt."""
    tries = attempts if source.live else 1
    delays = backoff(first_s, max_s)
    for attempt in range(1, tries + 1):
        try:
            source.open()
            return
        except InputError as exc:
            if attempt == tries:
                raise
            delay = next(delays)
            if notify is not None:
                notify(f"{exc}; trying again in {delay:g} s ({attempt}/{tries})")
            if stop is not None and stop.wait(delay):
                raise
            if stop is None:
                time.sleep(delay)


class FrameQueue:
    """Frames and messages from the reader thread to the processing loop, in order.

    ``lossless`` (a file as fast as possible): at most a couple of frames wait, and the reader
    blocks until the loop takes one. Otherwise frames are dropped, and counted in
    ``dropped``, so that the loop never falls behind by more than ``max_lag_s``:

    - while the oldest waiting frame is more than ``thin_after_s`` behind the newest, the
      loop gets every other frame (it catches up at half the frame rate, and a movement is
      still seen, e.g. after the observer has spent a moment on a pre-roll);
    - a frame captured more than ``max_lag_s`` before the newest is dropped.

    ``max_lag_s = 0`` keeps only the newest frame. Messages are never dropped.
    """

    LOSSLESS_CAPACITY = 2

    def __init__(self, lossless: bool, max_lag_s: float = 0.5, thin_after_s: float = 0.25):
        self.lossless = lossless
        self.max_lag_s = max_lag_s
        self.thin_after_s = thin_after_s
        self.dropped = 0
        self._items: deque[LiveFrame | Message] = deque()
        self._frames = 0
        self._newest = -math.inf
        self._cond = threading.Condition()
        self._closed = False

    def put_frame(self, frame: LiveFrame) -> None:
        with self._cond:
            if self.lossless:
                while self._frames >= self.LOSSLESS_CAPACITY and not self._closed:
                    self._cond.wait(0.5)
            elif self._frames:
                self._drop(
                    lambda f: self.max_lag_s <= 0 or f.captured < frame.captured - self.max_lag_s
                )
            self._items.append(frame)
            self._frames += 1
            self._newest = frame.captured
            self._cond.notify_all()

    def _drop(self, condition) -> None:
        kept: deque[LiveFrame | Message] = deque()
        for item in self._items:
            if isinstance(item, LiveFrame) and condition(item):
                self.dropped += 1
                self._frames -= 1
            else:
                kept.append(item)
        self._items = kept

    def put_message(self, message: Message) -> None:
        with self._cond:
            self._items.append(message)
            self._cond.notify_all()

    def get(self, timeout: float) -> LiveFrame | Message | None:
        """The next frame or message, or None if nothing came within ``timeout`` seconds."""
        with self._cond:
            if not self._items:
                self._cond.wait(timeout)
            if not self._items:
                return None
            item = self._items.popleft()
            if isinstance(item, LiveFrame):
                self._frames -= 1
                behind = self._newest - item.captured > self.thin_after_s
                next_is_frame = bool(self._items) and isinstance(self._items[0], LiveFrame)
                if behind and next_is_frame and not self.lossless:
                    self.dropped += 1  # behind: skip this one, take the next
                    item = self._items.popleft()
                    self._frames -= 1
            self._cond.notify_all()
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class FrameReader:
    """Reads an opened source in a background thread into a :class:`FrameQueue`.

    ``origin`` is the ``time.monotonic()`` of the session's start: a live frame's ``t`` is
    its capture time since then; a file keeps its own timestamps and, when paced, each frame
    is released at ``origin + t``.
    """

    def __init__(self, source, queue: FrameQueue, origin: float, retry_first_s: float = 1.0,
                 retry_max_s: float = 30.0,
                 notify: Callable[[str], None] | None = None):  # fmt: skip
        self.source = source
        self.queue = queue
        self.origin = origin
        self.retry_first_s = retry_first_s
        self.retry_max_s = retry_max_s
        self.notify = notify or (lambda message: None)
        self.captured = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vidmyo-reader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.queue.close()
        if self._thread.ident is None:  # never started: the source is still ours to close
            self.source.close()
            return
        self._thread.join(timeout)
        if self._thread.is_alive():  # a driver stuck in read(): the daemon thread is abandoned
            log.warning("the frame reader did not stop within %.0f s", timeout)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    frame = self.source.read(self.origin)
                except SourceLost as exc:
                    self._recover(exc)
                    continue
                if frame is None:
                    problem = getattr(self.source, "problem", None)
                    reason = "truncated file" if problem is not None else "end of file"
                    self.queue.put_message(SourceEnded(reason, problem))
                    return
                if self.source.paced:
                    wait = self.origin + frame.t - time.monotonic()
                    if wait > 0 and self._stop.wait(wait):
                        return
                    frame.captured = time.monotonic()
                self.captured += 1
                self.queue.put_frame(frame)
        except Exception as exc:  # the loop must hear about it, or it waits forever
            log.debug("frame reader failed", exc_info=True)
            self.queue.put_message(SourceEnded(f"error: {exc}", exc))
        finally:
            self.source.close()

    def _recover(self, exc: SourceLost) -> None:
        """Record the gap, then reopen with backoff until it works or the session stops."""
        t = self.source.now(self.origin)
        self.queue.put_message(GapStarted(t, self.source.reserve_index(), str(exc)))
        self.notify(f"{exc}; reconnecting")
        self.source.close()
        for delay in backoff(self.retry_first_s, self.retry_max_s):
            if self._stop.wait(delay):
                return
            try:
                self.source.open()
            except InputError as err:
                log.debug("reopen failed: %s (next try in up to %.0f s)", err, delay)
                continue
            self.queue.put_message(GapEnded(self.source.now(self.origin)))
            self.notify(f"{self.source.description} is back")
            return
