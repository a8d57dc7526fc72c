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
from vidmyo.errors import InputError, NoPersonError, OutputError, TruncatedVideoError
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


@dataclass
class Observation:
    """What pose inference over (part of) a video produced: the landmark series, how many
    frames went through the model, the rotation used, and an input problem met on the way
    (a truncated file) that should be reported once the results are safe."""

    series: LandmarkSeries
    video: VideoInfo
    pose_frames: int
    rotation: int | None
    wall_s: float
    problem: InputError | None = None


def observe(video: str | Path, config: Config, progress: Progress | None = None) -> Observation:
    """Pose inference over ``config.start_s`` .. ``config.end_s`` of a video (no detection,
    no files): the expensive stage, which batch runs on chunks in parallel."""
    from vidmyo.observer import FrameObserver  # mediapipe loads only when pose is needed

    source = VideoFile(video, config.start_s, config.end_s)
    info = source.info
    end = config.end_s if config.end_s is not None else info.duration_s
    span = max(end - config.start_s, 1e-9)
    frames: list[FrameLandmarks] = []
    problem: InputError | None = None
    started = time.perf_counter()
    with FrameObserver(config.pose) as observer:
        try:
            for frame in source:
                frames.extend(observer.push(frame))
                if progress is not None:
                    progress(frame.t - config.start_s, span)
        except TruncatedVideoError as exc:
            problem = exc
        frames.extend(observer.flush())
        rotation, pose_frames = observer.rotation, observer.pose_frames
    if not frames:
        raise InputError(f"no frames between --start and --end in {video}")
    meta = {
        "video": info.to_dict(),
        "model": config.pose.model,
        "rotation": rotation,
        "processing_size": config.pose.processing_size,
        "start_s": config.start_s,
        "end_s": config.end_s,
        "pose_frames": pose_frames,
        "vidmyo_version": __version__,
    }
    return Observation(
        series=LandmarkSeries.from_frames(frames, meta),
        video=info,
        pose_frames=pose_frames,
        rotation=rotation,
        wall_s=time.perf_counter() - started,
        problem=problem,
    )


def detect_series(series: LandmarkSeries, config: Config, video: VideoInfo) -> Analysis:
    """Detection over a landmark series: a loop over :class:`JerkDetector` (no files)."""
    if len(series) == 0:
        raise InputError("no frames to analyse")
    detector = JerkDetector(config.detector, video.fps, (video.width, video.height), series.persons)
    events: list[Event] = []
    for frame in series.frames():
        events.extend(detector.update(frame))
    events.extend(detector.flush())
    return Analysis(
        video=video,
        events=sorted(events, key=lambda e: e.onset_s),
        coverage=detector.coverage,
        analysed_s=float(series.t[-1] - series.t[0]) + 1.0 / video.fps,
        config=config,
    )


def analyze(
    video: str | Path,
    config: Config,
    out_dir: Path | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse one recorded video and write events.json, events.csv and landmarks.npz."""
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir(Path(video))
    obs = observe(video, config, progress)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {out_dir}: {exc.strerror}") from exc
    obs.series.save(out_dir / LANDMARKS_FILE)
    started = time.perf_counter()
    analysis = detect_series(obs.series, config, obs.video)
    wall = obs.wall_s + time.perf_counter() - started
    analysis.timing = {
        "wall_s": round(wall, 2),
        "frames": len(obs.series),
        "pose_frames": obs.pose_frames,
        "realtime_factor": round(analysis.analysed_s / wall, 2) if wall > 0 else None,
        "rotation": obs.rotation,
    }
    if obs.problem is not None:
        analysis.notes.append(str(obs.problem))
    return _finish(analysis, out_dir, obs.problem)


def detect(landmarks: str | Path, config: Config, out_dir: Path | None = None) -> Analysis:
    """Re-run the motion and event stages on a saved landmarks file (no pose inference)."""
    landmarks = Path(landmarks)
    series = LandmarkSeries.load(landmarks)
    try:
        info = VideoInfo(**series.meta["video"])
    except (KeyError, TypeError) as exc:
        raise InputError(f"{landmarks} lacks the video description; re-run vidmyo analyze") from exc
    out_dir = Path(out_dir) if out_dir is not None else landmarks.parent
    started = time.perf_counter()
    analysis = detect_series(series, config, info)
    same_place = out_dir.resolve() == landmarks.parent.resolve()
    analysis.landmarks_file = landmarks.name if same_place else str(landmarks.resolve())
    analysis.timing = {"wall_s": round(time.perf_counter() - started, 2), "frames": len(series)}
    return _finish(analysis, out_dir, None)
