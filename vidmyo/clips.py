"""Short clips of events: a ring buffer of recent frames, and a writer thread.

An event is known only about half a second after its offset, so the frames before its onset
must still be at hand: the ring buffer keeps the last ``pre_s + ring_slack_s`` seconds of
processed frames, downscaled and JPEG-compressed (about 20 kB a frame), so its memory is
bounded by seconds × frame rate and stays flat through the night. When an event is recorded,
a clip job takes the pre-roll from the ring and collects frames until ``post_s`` after the
offset; events that start within a pending clip's post-roll join it (one clip per episode,
at most ``max_clip_s`` long). A background thread writes the clip as mp4 (mp4v) and a JPEG of
each event's peak frame, under a temporary name renamed into place, so a crash never leaves
a half-written file under a final name.

In privacy mode no image is ever kept: the ring holds landmarks, and each "clip" is a small
``.npz`` of the episode's landmarks.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from vidmyo.config import MonitorConfig
from vidmyo.landmarks import FrameLandmarks
from vidmyo.results import Event
from vidmyo.sources import Frame

log = logging.getLogger(__name__)

CLIP_LANDMARKS_SCHEMA = "vidmyo.clip-landmarks/1"
QUEUE_JOBS = 4
"""Clips waiting for the writer. When it is this far behind on a live source, further clips
are skipped (the events are still recorded) rather than stalling detection."""


@dataclass
class Shot:
    """One buffered frame: its time, number, and the downscaled picture as JPEG bytes (or,
    in privacy mode, its landmarks)."""

    t: float
    index: int
    jpeg: bytes | None = None
    landmarks: FrameLandmarks | None = None


@dataclass
class ClipResult:
    """What the writer produced for one episode: the clip's path (None if it could not be
    written) and each event's snapshot path."""

    event_ids: list[int]
    clip: str | None
    snapshots: dict[int, str] = field(default_factory=dict)
    error: str | None = None


@dataclass
class _Job:
    events: list[tuple[int, Event]]
    start_t: float
    end_t: float
    shots: list[Shot] = field(default_factory=list)


def downscale(image: npt.NDArray[np.uint8], size: int) -> npt.NDArray[np.uint8]:
    """Longer side at most ``size``. Bilinear for mild reductions: area averaging at a
    non-integer ratio such as 640 → 480 costs ~4 ms a frame, bilinear ~0.6 ms, and looks the
    same; area averaging only where bilinear would alias (more than halving)."""
    h, w = image.shape[:2]
    scale = size / max(h, w)
    if scale >= 1.0:
        return image
    interpolation = cv2.INTER_LINEAR if scale >= 0.5 else cv2.INTER_AREA
    return cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=interpolation)


class ClipRecorder:
    """Ring buffer + episode clips for one session.

    Feed every processed frame with :meth:`add_frame` (or, in privacy mode, every landmark
    frame with :meth:`add_landmarks`), each committed event with :meth:`add_event`, and
    collect finished clips with :meth:`results`. ``block``: wait for the writer when it is
    behind (a file played as fast as possible) instead of skipping clips (live).
    """

    def __init__(self, out_dir: Path, session_id: int, config: MonitorConfig,
                 started: float, fps: float, block: bool = False):  # fmt: skip
        self.dir = Path(out_dir) / f"session-{session_id:04d}"
        self.config = config
        self.privacy = config.privacy
        self.started = started
        self.fps = fps
        self.block = block
        self.skipped = 0
        """Clips not written because the writer was too far behind."""
        self._ring: deque[Shot] = deque(maxlen=int(config.ring_s * fps * 2) + 30)
        self._jobs: list[_Job] = []
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=QUEUE_JOBS)
        self._results: queue.Queue[ClipResult] = queue.Queue()
        self._thread = threading.Thread(target=self._writer, name="vidmyo-clips", daemon=True)
        self._thread.start()

    # -- main thread ----------------------------------------------------------------------------
    def add_frame(self, frame: Frame) -> None:
        if self.privacy:
            return
        small = downscale(frame.image, self.config.clip_size)
        ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, self.config.clip_quality])
        if ok:
            self._add(Shot(frame.t, frame.index, jpeg=buf.tobytes()))

    def add_landmarks(self, frame: FrameLandmarks) -> None:
        if self.privacy:
            self._add(Shot(frame.t, frame.index, landmarks=frame))

    def _add(self, shot: Shot) -> None:
        self._ring.append(shot)
        while self._ring[0].t < shot.t - self.config.ring_s:
            self._ring.popleft()
        for job in self._jobs:
            if shot.t >= job.start_t:
                job.shots.append(shot)
        done = [job for job in self._jobs if shot.t >= job.end_t]
        for job in done:
            self._jobs.remove(job)
            self._submit(job)

    def add_event(self, event_id: int, event: Event) -> None:
        cfg = self.config
        start, end = event.onset_s - cfg.pre_s, event.offset_s + cfg.post_s
        last = self._jobs[-1] if self._jobs else None
        if (
            last is not None
            and start <= last.end_t
            and max(end, last.end_t) - last.start_t <= (cfg.max_clip_s)
        ):
            last.events.append((event_id, event))
            last.end_t = max(last.end_t, end)
            return
        job = _Job([(event_id, event)], start, end)
        job.shots = [s for s in self._ring if s.t >= start]
        self._jobs.append(job)

    def _submit(self, job: _Job) -> None:
        if self.block:
            self._queue.put(job)
            return
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            self.skipped += 1
            ids = [i for i, _ in job.events]
            log.warning("clip writer is behind; no clip for events %s", ids)
            self._results.put(ClipResult(ids, None, error="clip writer too far behind"))

    def results(self) -> list[ClipResult]:
        """Clips finished since the last call."""
        out = []
        while True:
            try:
                out.append(self._results.get_nowait())
            except queue.Empty:
                return out

    def close(self, timeout: float = 30.0) -> list[ClipResult]:
        """End of session: pending clips are written with the frames they have (a shorter
        post-roll), then the writer stops."""
        for job in self._jobs:
            self._submit(job)
        self._jobs.clear()
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            log.warning("clip writer did not finish")
        self._thread.join(timeout)
        return self.results()

    @property
    def buffered(self) -> int:
        """Frames held in the ring buffer (for tests and the soak benchmark)."""
        return len(self._ring)

    # -- writer thread --------------------------------------------------------------------------
    def _writer(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            ids = [i for i, _ in job.events]
            try:
                self._results.put(self._write(job))
            except Exception as exc:  # a full disk must not end the night's monitoring
                log.warning("cannot write the clip for events %s: %s", ids, exc)
                self._results.put(ClipResult(ids, None, error=str(exc)))

    def _name(self, job: _Job) -> str:
        first_id, first = job.events[0]
        stamp = datetime.fromtimestamp(self.started + first.onset_s).strftime("%Y%m%d-%H%M%S")
        return f"{stamp}_ev{first_id}_{first.kind}_{first.primary_region or 'none'}"

    def _write(self, job: _Job) -> ClipResult:
        ids = [i for i, _ in job.events]
        if not job.shots:
            return ClipResult(ids, None, error="no frames")
        self.dir.mkdir(parents=True, exist_ok=True)
        base = self.dir / self._name(job)
        if self.privacy:
            return ClipResult(ids, str(self._write_landmarks(job, base.with_suffix(".npz"))))
        clip = self._write_video(job.shots, base.with_suffix(".mp4"))
        snapshots = {}
        for event_id, event in job.events:
            peak = min(job.shots, key=lambda s: abs(s.t - event.peak_s))
            path = self.dir / f"{base.name}_ev{event_id}_peak.jpg"
            _write_bytes(path, peak.jpeg or b"")
            snapshots[event_id] = str(path)
        return ClipResult(ids, str(clip), snapshots)

    def _write_video(self, shots: list[Shot], path: Path) -> Path:
        span = shots[-1].t - shots[0].t
        fps = (len(shots) - 1) / span if len(shots) > 1 and span > 0 else self.fps
        tmp = path.with_name(path.stem + ".partial.mp4")
        first = cv2.imdecode(np.frombuffer(shots[0].jpeg, np.uint8), cv2.IMREAD_COLOR)
        h, w = first.shape[:2]
        writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        if not writer.isOpened():
            raise OSError(f"cannot open a video writer for {tmp}")
        try:
            for shot in shots:
                image = cv2.imdecode(np.frombuffer(shot.jpeg, np.uint8), cv2.IMREAD_COLOR)
                if image.shape[:2] != (h, w):  # the source changed size mid-clip
                    image = cv2.resize(image, (w, h))
                writer.write(image)
        except BaseException:
            writer.release()
            tmp.unlink(missing_ok=True)
            raise
        writer.release()
        _fsync_replace(tmp, path)
        return path

    def _write_landmarks(self, job: _Job, path: Path) -> Path:
        frames = [s.landmarks for s in job.shots if s.landmarks is not None]
        meta = {
            "schema": CLIP_LANDMARKS_SCHEMA,
            "fps": self.fps,
            "events": [dict(e.to_dict(), id=i) for i, e in job.events],
        }
        tmp = path.with_name(path.stem + ".partial.npz")
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                index=np.array([f.index for f in frames], np.int64),
                t=np.array([f.t for f in frames], np.float64),
                xy=np.stack([f.xy for f in frames]).astype(np.float32),
                visibility=np.stack([f.visibility for f in frames]).astype(np.float32),
                present=np.stack([f.present for f in frames]),
                meta=np.array(json.dumps(meta)),
            )
        _fsync_replace(tmp, path)
        return path


def _fsync_replace(tmp: Path, path: Path) -> None:
    try:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.stem + ".partial" + path.suffix)
    with open(tmp, "wb") as fh:
        fh.write(data)
    _fsync_replace(tmp, path)
