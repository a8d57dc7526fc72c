"""Video files → timestamped frames.

Every frame carries its own time, read from the stream's timestamps rather than computed as
``index / fps``: phone and IP-camera recordings often have a variable frame rate, and a fixed
rate would drift by seconds over a night.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from vidmyo.errors import InputError, TruncatedVideoError

log = logging.getLogger(__name__)

DECODE_AHEAD = 8
"""Frames decoded ahead of the consumer."""
_END = object()


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video (``fps`` as a float: 29.97 stays 29.97)."""

    path: str
    fps: float
    frame_count: int
    duration_s: float
    width: int
    height: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Frame:
    """One decoded frame: ``image`` is BGR uint8 (H, W, 3); ``t`` in seconds from the first
    frame of the video."""

    index: int
    t: float
    image: npt.NDArray[np.uint8]


def _open_capture(path: Path) -> cv2.VideoCapture:
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a folder; pass a video file")
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        cap.release()
        raise InputError(
            f"cannot open {path} as a video (not a video, or truncated/corrupt); "
            "check that it plays in a video player"
        )
    return cap


class VideoFile:
    """Frames of a recorded video, optionally between ``start_s`` and ``end_s``.

    Iterating yields :class:`Frame` objects. If the stream stops decoding well before its
    stated length, iteration raises :class:`TruncatedVideoError` after the last good frame,
    so that callers can save what was read before reporting the problem.
    """

    def __init__(self, path: str | Path, start_s: float = 0.0, end_s: float | None = None):
        self.path = Path(path)
        self.start_s = start_s
        self.end_s = end_s
        cap = _open_capture(self.path)
        try:
            fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
            count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
            height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        finally:
            cap.release()
        if width <= 0 or height <= 0:
            raise InputError(f"{self.path} has no video stream")
        if not math.isfinite(fps) or fps <= 0 or fps > 1000:
            fps = 30.0
            log.warning("%s does not state a frame rate; assuming 30 fps", self.path)
        count = max(count, 0)
        self.info = VideoInfo(
            path=str(self.path),
            fps=fps,
            frame_count=count,
            duration_s=count / fps if count else 0.0,
            width=width,
            height=height,
        )

    def __iter__(self) -> Iterator[Frame]:
        """Frames decoded on a background thread (OpenCV releases the GIL while decoding), so
        decoding overlaps with pose inference; a small queue bounds the memory."""
        frames: queue.Queue = queue.Queue(maxsize=DECODE_AHEAD)
        stop = threading.Event()

        def decode() -> None:
            try:
                cap = _open_capture(self.path)
                try:
                    for frame in self._frames(cap):
                        while not stop.is_set():
                            try:
                                frames.put(frame, timeout=0.1)
                                break
                            except queue.Full:
                                continue
                        if stop.is_set():
                            return
                finally:
                    cap.release()
                frames.put(_END)
            except BaseException as exc:  # handed to the consumer, raised there
                frames.put(exc)

        thread = threading.Thread(target=decode, name="vidmyo-decode", daemon=True)
        thread.start()
        try:
            while True:
                item = frames.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join(timeout=5)

    def _frames(self, cap: cv2.VideoCapture) -> Iterator[Frame]:
        fps = self.info.fps
        first_ms: float | None = None
        last_t = -math.inf
        index = -1
        while True:
            if not cap.grab():
                break
            index += 1
            ms = cap.get(cv2.CAP_PROP_POS_MSEC)
            if first_ms is None:
                first_ms = ms
            t = (ms - first_ms) / 1000.0 if math.isfinite(ms) else index / fps
            if t <= last_t:  # missing or repeated timestamps: fall back to a steady clock
                t = last_t + 1.0 / fps
            last_t = t
            if t < self.start_s - 1e-6:
                continue  # grab() without retrieve() skips decoding to BGR
            if self.end_s is not None and t > self.end_s + 1e-6:
                return
            ok, image = cap.retrieve()
            if not ok or image is None:
                break
            yield Frame(index=index, t=t, image=image)
        decoded = index + 1
        expected = self.info.frame_count
        if decoded == 0:
            raise InputError(f"{self.path} contains no decodable frames")
        # Containers often overstate the count by a frame or two; more than that is damage.
        if expected and decoded < expected - max(2, 0.01 * expected):
            raise TruncatedVideoError(
                f"{self.path} stops decoding after {decoded} of {expected} frames "
                f"({decoded / fps:.1f} s of {expected / fps:.1f} s): truncated or corrupt"
            )
