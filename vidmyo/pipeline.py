"""The offline core that ``analyze``, ``detect`` (and later batch and web) are shells over.

``analyze``: video → pose → landmarks → events → files. ``detect``: landmarks file → events →
files, with no pose inference. Both push frames through the same :class:`JerkDetector` as the
live monitor, so all three give the same events on the same frames.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vidmyo import __version__
from vidmyo.config import Config
from vidmyo.errors import InputError, NoPersonError, TruncatedVideoError
from vidmyo.events import JerkDetector
from vidmyo.landmarks import FrameLandmarks, LandmarkSeries
from vidmyo.outputs.files import write_results
from vidmyo.results import EVENTS_SCHEMA, Coverage, Event, summarize
from vidmyo.sources import VideoFile, VideoInfo

log = logging.getLogger(__name__)

Progress = Callable[[float, float], None]
"""Called with (seconds analysed, seconds to analyse) as work proceeds."""

LANDMARKS_FILE = "landmarks.npz"
MIN_POSE_COVERAGE = 0.05
"""Below this fraction of frames with a pose, a video counts as having nobody in it."""


@dataclass
class Analysis:
    """The result of one analysis: what ``events.json`` holds, as Python objects."""

    video: VideoInfo
    events: list[Event]
    coverage: Coverage
    analysed_s: float
    config: Config
    landmarks_file: str = LANDMARKS_FILE
    notes: list[str] = field(default_factory=list)
    timing: dict = field(default_factory=dict)

    @property
    def jerks(self) -> list[Event]:
        return [e for e in self.events if e.kind == "jerk"]

    def summary(self) -> dict:
        return summarize(self.events, self.coverage, self.analysed_s)

    def to_dict(self) -> dict:
        return {
            "schema": EVENTS_SCHEMA,
            "video": self.video.to_dict(),
            "summary": self.summary(),
            "events": [e.to_dict() for e in self.events],
            "landmarks": self.landmarks_file,
            "notes": self.notes,
            "settings": self.config.to_dict(),
            "timing": self.timing,
            "vidmyo_version": __version__,
        }


def default_out_dir(video: Path) -> Path:
    """The contract's default: ``vidmyo-out/<video stem>/`` in the working directory."""
    return Path("vidmyo-out") / Path(video).stem


def _finish(analysis: Analysis, out_dir: Path, problem: InputError | None) -> Analysis:
    """Write the results; then, if the input had a problem, report it (results are kept)."""
    coverage = analysis.coverage.pose_coverage
    if analysis.coverage.frames and coverage < MIN_POSE_COVERAGE:
        analysis.notes.append(
            f"a person was found in only {100 * coverage:.0f}% of the analysed frames: "
            "too little to detect anything"
        )
        problem = problem or NoPersonError(
            f"nobody found in {analysis.video.path} (pose in {100 * coverage:.0f}% of frames); "
            "check that a person is in view and lit"
        )
    unseen = analysis.summary()["unseen_regions"]
    if unseen and analysis.coverage.pose_coverage > 0:
        analysis.notes.append("not seen (no events can be reported for them): " + ", ".join(unseen))
    write_results(analysis.to_dict(), analysis.events, out_dir)
    if problem is not None:
        raise type(problem)(f"{problem}; results for what was read are in {out_dir}")
    return analysis


def analyze(
    video: str | Path,
    config: Config,
    out_dir: Path | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse one recorded video and write events.json, events.csv and landmarks.npz."""
    from vidmyo.pose import PoseEstimator  # mediapipe loads only when pose is needed
    from vidmyo.scene import SceneMeter

    source = VideoFile(video, config.start_s, config.end_s)
    info = source.info
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir(Path(video))
    end = config.end_s if config.end_s is not None else info.duration_s
    span = max(end - config.start_s, 1e-9)
    detector = JerkDetector(config.detector, info.fps, (info.width, info.height))
    scene = SceneMeter()
    frames: list[FrameLandmarks] = []
    events: list[Event] = []
    problem: InputError | None = None
    started = time.perf_counter()
    first_t = last_t = None
    with PoseEstimator(config.pose) as pose:
        try:
            for frame in source:
                result = pose(frame.image, frame.t)
                brightness, shift = scene(frame.image, result.xy)
                observed = FrameLandmarks(
                    index=frame.index,
                    t=frame.t,
                    xy=result.xy,
                    visibility=result.visibility,
                    present=result.present,
                    brightness=brightness,
                    shift=shift,
                )
                frames.append(observed)
                events.extend(detector.update(observed))
                first_t = frame.t if first_t is None else first_t
                last_t = frame.t
                if progress is not None:
                    progress(frame.t - config.start_s, span)
        except TruncatedVideoError as exc:
            problem = exc
        rotation = pose.rotation
    events.extend(detector.flush())
    if not frames:
        raise InputError(f"no frames between --start and --end in {video}")
    analysed_s = (last_t - first_t) + 1.0 / info.fps
    meta = {
        "video": info.to_dict(),
        "model": config.pose.model,
        "rotation": rotation,
        "processing_size": config.pose.processing_size,
        "start_s": config.start_s,
        "end_s": config.end_s,
        "vidmyo_version": __version__,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    LandmarkSeries.from_frames(frames, meta).save(out_dir / LANDMARKS_FILE)
    elapsed = time.perf_counter() - started
    analysis = Analysis(
        video=info,
        events=sorted(events, key=lambda e: e.onset_s),
        coverage=detector.coverage,
        analysed_s=analysed_s,
        config=config,
        timing={
            "wall_s": round(elapsed, 2),
            "frames": len(frames),
            "realtime_factor": round(analysed_s / elapsed, 2) if elapsed > 0 else None,
            "rotation": rotation,
        },
    )
    if problem is not None:
        analysis.notes.append(str(problem))
    return _finish(analysis, out_dir, problem)


def detect(
    landmarks: str | Path,
    config: Config,
    out_dir: Path | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Re-run the motion and event stages on a saved landmarks file (no pose inference)."""
    series = LandmarkSeries.load(Path(landmarks))
    try:
        info = VideoInfo(**series.meta["video"])
    except (KeyError, TypeError) as exc:
        raise InputError(f"{landmarks} lacks the video description; re-run vidmyo analyze") from exc
    out_dir = Path(out_dir) if out_dir is not None else Path(landmarks).parent
    if len(series) == 0:
        raise InputError(f"{landmarks} holds no frames")
    started = time.perf_counter()
    detector = JerkDetector(config.detector, info.fps, (info.width, info.height), series.persons)
    events: list[Event] = []
    span = float(series.t[-1] - series.t[0]) or 1e-9
    for frame in series.frames():
        events.extend(detector.update(frame))
        if progress is not None and frame.index % 300 == 0:
            progress(frame.t - float(series.t[0]), span)
    events.extend(detector.flush())
    analysed_s = float(series.t[-1] - series.t[0]) + 1.0 / info.fps
    analysis = Analysis(
        video=info,
        events=sorted(events, key=lambda e: e.onset_s),
        coverage=detector.coverage,
        analysed_s=analysed_s,
        config=config,
        landmarks_file=str(Path(landmarks).resolve())
        if out_dir != Path(landmarks).parent
        else LANDMARKS_FILE,
        timing={"wall_s": round(time.perf_counter() - started, 2), "frames": len(series)},
    )
    return _finish(analysis, out_dir, None)
