"""Frames → per-frame landmarks: the front end that ``analyze``, ``batch`` and ``monitor`` share.

``FrameObserver.push(frame)`` returns the :class:`FrameLandmarks` that are ready, in frame
order; ``flush()`` returns the rest at the end of the stream. Callers must not assume one
output per input at the same moment: the observer may hold frames back (to look at what comes
before a movement) and hand them over a little later, but it never drops or reorders them.
"""

from __future__ import annotations

from vidmyo.config import PoseConfig
from vidmyo.landmarks import FrameLandmarks
from vidmyo.pose import PoseEstimator
from vidmyo.scene import SceneMeter
from vidmyo.sources import Frame


class FrameObserver:
    """Pose and scene measures for a stream of frames. Use as a context manager (it owns a
    MediaPipe landmarker, which must be closed)."""

    def __init__(self, config: PoseConfig, persons: int = 1):
        self.pose = PoseEstimator(config, persons)
        self.scene = SceneMeter()
        self.pose_frames = 0
        """How many frames went through pose inference."""

    @property
    def rotation(self) -> int | None:
        return self.pose.rotation

    def push(self, frame: Frame) -> list[FrameLandmarks]:
        result = self.pose(frame.image, frame.t)
        self.pose_frames += 1
        brightness, shift = self.scene(frame.image, result.xy)
        return [
            FrameLandmarks(
                index=frame.index,
                t=frame.t,
                xy=result.xy,
                visibility=result.visibility,
                present=result.present,
                brightness=brightness,
                shift=shift,
            )
        ]

    def flush(self) -> list[FrameLandmarks]:
        return []

    def close(self) -> None:
        self.pose.close()

    def __enter__(self) -> FrameObserver:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
