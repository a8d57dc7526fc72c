"""Stand-ins for a camera and the pose front end, to drive the monitor without a model.

:class:`SyntheticCamera` draws simulated landmarks as a stick figure on a dim room, as a live
source (it can fail and come back on cue); :class:`SeriesObserver` returns those landmarks
instead of running pose inference. Everything after the observer is the real monitor: the
detector, the database, the ring buffer and the clip writer. Used by the tests and by
``scripts/soak_monitor.py`` to play a whole night in minutes.
"""

from __future__ import annotations

import time

import numpy as np

from vidmyo.errors import InputError
from vidmyo.landmarks import FrameLandmarks
from vidmyo.live_sources import LiveFrame, SourceLost
from vidmyo.outputs.overlay import draw_overlay
from vidmyo.sources import Frame


class SyntheticCamera:
    """Frames of a looped landmark recording, ``frames`` frames in all, at ``fps``.

    Frame ``i`` shows ``series[i % len(series)]`` and has ``t = i / fps`` (stream time, not the
    wall clock, so runs are exact and fast). ``fail_at``: frame numbers at which the camera
    "disappears"; it then refuses ``refuse_opens`` reopen attempts, and comes back
    ``gap_frames`` frames later. ``lossless``: the monitor waits for every frame (no drops).
    """

    paced = False

    def __init__(self, series: list[FrameLandmarks], frames: int, fps: float = 30.0,
                 size: tuple[int, int] = (640, 480), live: bool = True, lossless: bool = True,
                 fail_at: tuple[int, ...] = (), refuse_opens: int = 2,
                 gap_frames: int = 60):  # fmt: skip
        self.series = series
        self.total = frames
        self.fps = fps
        self.size = size
        self.live = live
        self.lossless = lossless
        self.description = "synthetic camera"
        self.fail_at = set(fail_at)
        self.refuse_opens = refuse_opens
        self.gap_frames = gap_frames
        self.opens = 0
        self._refusals = 0
        self._lost = False
        self._next = 0
        w, h = size
        room = np.full((h, w, 3), 40, np.uint8)
        room[h // 2 :, :] = 55  # a floor line gives the scene meter something to look at
        self._room = room

    def open(self) -> None:
        self.opens += 1
        if self._lost:
            if self._refusals < self.refuse_opens:
                self._refusals += 1
                raise InputError(f"{self.description} is not there")
            self._lost = False
            self._next += self.gap_frames

    def now(self, origin: float) -> float:
        return self._next / self.fps

    def reserve_index(self) -> int:
        self._next += 1
        return self._next - 1

    def read(self, origin: float) -> LiveFrame | None:
        if self._next >= self.total:
            return None
        if self._next in self.fail_at:
            self.fail_at.discard(self._next)
            self._lost = True
            self._refusals = 0
            raise SourceLost(f"{self.description} stopped delivering frames")
        i = self.reserve_index()
        lm = self.series[i % len(self.series)]
        image = self._room.copy()
        draw_overlay(image, lm.xy, lm.visibility)
        return LiveFrame(index=i, t=i / self.fps, image=image, captured=time.monotonic())

    def close(self) -> None:
        pass


class SeriesObserver:
    """A :class:`~vidmyo.observer.FrameObserver` stand-in: frame ``i`` gets the landmarks of
    ``series[i % len(series)]``, with the frame's own index and time."""

    def __init__(self, series: list[FrameLandmarks]):
        self.series = series
        self.pose_frames = 0
        self.rotation = None

    def push(self, frame: Frame) -> list[FrameLandmarks]:
        lm = self.series[frame.index % len(self.series)]
        self.pose_frames += 1
        return [
            FrameLandmarks(
                index=frame.index,
                t=frame.t,
                xy=lm.xy,
                visibility=lm.visibility,
                present=lm.present,
                brightness=lm.brightness,
                shift=lm.shift,
            )
        ]

    def flush(self) -> list[FrameLandmarks]:
        return []

    def close(self) -> None:
        pass

    def __enter__(self) -> SeriesObserver:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
