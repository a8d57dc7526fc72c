"""Frames → per-frame landmarks: the front end that ``analyze``, ``batch`` and ``monitor`` share.

``FrameObserver.push(frame)`` returns the :class:`FrameLandmarks` that are ready, in frame
order; ``flush()`` returns the rest at the end of the stream. Callers must not assume one
output per input at the same moment: while the picture is still, the observer holds up to a
pre-roll of frames back, so that when something moves it can run pose from before the
movement; it never drops or reorders frames.

Skipping (see :class:`vidmyo.config.SkipConfig`): while nothing in the picture changes, pose
inference is spared and frames carry the last pose, marked ``inferred=False``. The motion core
sees one continuous recording in which the still stretches are perfectly still.

With more than one person slot, a :class:`~vidmyo.tracking.PersonTracker` puts each frame's
poses into stable slots right after inference, so that everything downstream (the landmarks
file, the detector, the monitor) sees each person in the same slot on every frame.
"""

from __future__ import annotations

import ctypes
import math
import warnings
from collections import deque

import numpy as np

from vidmyo.config import PoseConfig, SkipConfig
from vidmyo.landmarks import N_LANDMARKS, REGIONS, FrameLandmarks
from vidmyo.motion import frames_for
from vidmyo.pose import PoseEstimator, PoseResult
from vidmyo.scene import STEADY_POSES, MotionGate, PictureFlow, PictureReading, SceneMeter
from vidmyo.sources import Frame
from vidmyo.tracking import PersonTracker

RELEASE_EVERY_S = 5.0
"""Seconds of video between two hand-backs of freed heap memory (see :func:`_release_freed`)."""


def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows, musl)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def _release_freed() -> None:
    """Give memory freed on the heap back to the system. With skipping, on continuous
    movement, the process kept growing although nothing was kept (``scripts/bench_speed.py``'s
    busy clip peaked at 500 MB, against 363 MB without skipping): glibc held on to freed heap
    memory, which ``malloc_trim`` hands back. Costs well under a millisecond."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


class FrameObserver:
    """Pose and scene measures for a stream of frames. Use as a context manager (it owns a
    MediaPipe landmarker, which must be closed)."""

    def __init__(
        self,
        config: PoseConfig,
        persons: int = 1,
        skip: SkipConfig | None = None,
        fps: float = 30.0,
    ):
        self.pose = PoseEstimator(config, persons)
        self.persons = persons
        self.tracker = PersonTracker(persons, config)
        self.scene = SceneMeter()
        self.skip = skip if skip is not None else SkipConfig(enabled=False)
        self.gate = MotionGate(self.skip)
        self.flow = PictureFlow()
        self.pre_frames = frames_for(self.skip.pre_roll_s, fps)
        self.pose_frames = 0
        """How many frames went through pose inference."""
        self.frames = 0
        self._active = True
        self._first_t: float | None = None
        self._last_motion_t = -math.inf
        self._last_pose_t = -math.inf
        self._released_t = -math.inf
        self._held: PoseResult | None = None
        self._recent_xy: deque[np.ndarray] = deque(maxlen=STEADY_POSES)
        self._steady_xy: np.ndarray | None = None
        """Per-landmark median of the recent poses: where the gate places its boxes and the
        flow its starting points."""
        self._pending: deque[tuple[Frame, PictureReading]] = deque()

    @property
    def rotation(self) -> int | None:
        return self.pose.rotation

    def push(self, frame: Frame) -> list[FrameLandmarks]:
        self.frames += 1
        if self._first_t is None:
            self._first_t = frame.t
        if frame.t - self._released_t >= RELEASE_EVERY_S:
            self._released_t = frame.t
            _release_freed()
        # Boxes from a steady pose: placed from the last pose alone, a region's box followed
        # the model's one-frame jumps, and the picture that changed where the jump put it
        # (a neighbour's tremor) vouched for the jump as a jerk.
        picture, moved = self.gate(frame, self._steady_xy)
        changed = self.gate.changed_at_fixed_step
        picture = picture._replace(flow=self.flow(frame, self._steady_xy, changed))
        if not self.skip.enabled:
            return [self._infer(frame, picture)]
        if moved:
            self._last_motion_t = frame.t
        if self._active:
            out = [self._infer(frame, picture)]
            warm = frame.t - self._first_t >= self.skip.warmup_s
            if warm and frame.t - self._last_motion_t >= self.skip.still_after_s:
                self._active = False
            return out
        self._pending.append((frame, picture))
        if moved:  # something moves: pose from the start of the pre-roll on
            self._active = True
            out = []
            if self.gate.one_frame_wake and len(self._pending) > self.pre_frames:
                # The pre-roll counts back from the frame after the first change, as when
                # the gate woke on the second changed frame: the same frames go through
                # pose either way (the pose model's results depend on which frames it saw).
                out.append(self._hold(*self._pending.popleft()))
            return out + self._drain(infer=True)
        out: list[FrameLandmarks] = []
        if frame.t - self._last_pose_t >= self.skip.keepalive_s:
            self._pending.pop()
            out = self._drain(infer=False)
            out.append(self._infer(frame, picture))
        while len(self._pending) > self.pre_frames:
            old, old_picture = self._pending.popleft()
            out.append(self._hold(old, old_picture))
        return out

    def flush(self) -> list[FrameLandmarks]:
        """End of stream: frames still held back leave as still frames."""
        return self._drain(infer=False)

    def _drain(self, infer: bool) -> list[FrameLandmarks]:
        out = [self._infer(f, p) if infer else self._hold(f, p) for f, p in self._pending]
        self._pending.clear()
        return out

    def _infer(self, frame: Frame, picture: PictureReading) -> FrameLandmarks:
        result = self.pose(frame.image, frame.t)
        result = PoseResult(*self.tracker(result.xy, result.visibility, result.present))
        self.pose_frames += 1
        self._held = result
        self._recent_xy.append(result.xy)
        with warnings.catch_warnings():  # landmarks unseen in every recent pose stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            self._steady_xy = np.nanmedian(np.stack(self._recent_xy), axis=0)
        self._last_pose_t = frame.t
        self.gate.set_reference()
        _, shift = self.scene(frame.image, result.xy)
        return FrameLandmarks(
            index=frame.index,
            t=frame.t,
            xy=result.xy,
            visibility=result.visibility,
            present=result.present,
            shift=shift,
            key=bool(frame.key),
            **_stored(picture, self.persons),
        )

    def _hold(self, frame: Frame, picture: PictureReading) -> FrameLandmarks:
        held = self._held if self._held is not None else PoseResult.empty(self.persons)
        return FrameLandmarks(
            index=frame.index,
            t=frame.t,
            xy=held.xy,
            visibility=held.visibility,
            present=held.present,
            shift=self.scene.still_shift,
            inferred=False,
            key=bool(frame.key),
            **_stored(picture, self.persons),
        )

    def close(self) -> None:
        self.pose.close()

    def __enter__(self) -> FrameObserver:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _stored(picture: PictureReading, persons: int) -> dict:
    """The picture reading as stored in a landmarks file (float32), so that ``vidmyo detect``
    on the file sees exactly what the live detector saw. Before the first pose there are no
    regions: every region gets the count of the whole box."""
    by_region, lighter, flow = picture.by_region, picture.lighter_by_region, picture.flow
    if by_region is None or by_region.shape[0] != persons:
        by_region = np.full((persons, len(REGIONS)), picture.changed_pixels, np.float32)
        lighter = None
    if lighter is None:
        lighter = np.full((persons, len(REGIONS)), np.nan, np.float32)
    if flow is None or flow.shape[0] != persons:
        flow = np.full((persons, N_LANDMARKS, 2), np.nan, np.float32)
    return {
        "brightness": float(np.float32(picture.brightness)),
        "changed_pixels": by_region,
        "lighter_pixels": lighter,
        "flow": flow,
    }
