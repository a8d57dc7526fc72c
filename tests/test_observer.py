"""The observer's housekeeping, with the pose model replaced (no inference needed)."""

from __future__ import annotations

import numpy as np

from vidmyo import observer
from vidmyo.config import PoseConfig, SkipConfig
from vidmyo.pose import PoseResult
from vidmyo.sources import Frame


def test_freed_memory_is_handed_back_every_few_seconds_of_video(monkeypatch):
    """glibc keeps memory the pose model freed unless asked (see ``_release_freed``): the
    observer asks every few seconds of video, skipping or not, and not on every frame."""
    released = []
    monkeypatch.setattr(observer, "_release_freed", lambda: released.append(1))
    fps, seconds = 30.0, 21.0
    nobody = PoseResult.empty(1)
    for skip in (True, False):
        released.clear()
        with observer.FrameObserver(PoseConfig(), skip=SkipConfig(enabled=skip), fps=fps) as obs:
            monkeypatch.setattr(type(obs.pose), "__call__", lambda self, image, t: nobody)
            image = np.zeros((48, 64, 3), np.uint8)
            for i in range(int(seconds * fps)):
                obs.push(Frame(i, i / fps, image=image.copy()))
            obs.flush()
        assert 3 <= len(released) <= seconds  # at least every 10 s, at most once a second
