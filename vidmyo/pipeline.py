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

import numpy as np

from vidmyo import __version__
from vidmyo.config import Config
from vidmyo.errors import InputError, NoPersonError, OutputError, TruncatedVideoError
from vidmyo.events import JerkDetector
from vidmyo.landmarks import FrameLandmarks, LandmarkSeries, LandmarkWriter
from vidmyo.outputs.files import write_results
from vidmyo.results import (
    EVENTS_SCHEMA,
    FACING_UNSURE_ABOVE,
    Coverage,
    Event,
    renumber_persons,
    summarize,
)
from vidmyo.sources import VideoFile, VideoInfo
from vidmyo.tracking import rank_persons

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
    pose_frames: int | None = None
    """Frames that went through pose inference (the others were still and held)."""
    landmarks_file: str = LANDMARKS_FILE
    notes: list[str] = field(default_factory=list)
    timing: dict = field(default_factory=dict)

    @property
    def jerks(self) -> list[Event]:
        return [e for e in self.events if e.kind == "jerk"]

    def summary(self) -> dict:
        summary = summarize(self.events, self.coverage, self.analysed_s)
        if self.pose_frames is not None:
            summary["pose_inference_frames"] = self.pose_frames
        return summary

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
    persons = len(analysis.coverage.pose_frames)
    found = int(np.count_nonzero(analysis.coverage.pose_frames))
    if persons > 1 and 0 < found < persons:
        analysis.notes.append(
            f"{persons} persons were to be tracked, but only {found} was found"
            if found == 1
            else f"{persons} persons were to be tracked, but only {found} were found"
        )
    summary = analysis.summary()
    unseen = summary["unseen_regions"]
    if unseen and analysis.coverage.pose_coverage > 0:
        analysis.notes.append("not seen (no events can be reported for them): " + ", ".join(unseen))
    if summary["noisy_regions"]:
        smallest = max(summary["smallest_jerk"][r] for r in summary["noisy_regions"])
        analysis.notes.append(
            f"pose landmarks are noisy in {', '.join(summary['noisy_regions'])} (dark or "
            f"low-contrast footage?): jerks smaller than about {smallest:.2f} torso lengths "
            "cannot be told from the pose model's jitter there, and some jerks reported may be "
            "its glitches (their confidence is lowered)"
        )
    for person in summary["persons"]:
        if person["facing_flipped"] > FACING_UNSURE_ABOVE:
            who = "the person" if persons == 1 else f"person {person['person']}"
            analysis.notes.append(
                f"the pose model could not tell which way {who} faced (it read the other "
                f"way on {100 * person['facing_flipped']:.0f}% of frames; a face it cannot "
                "see?): left and right in the regions reported may be swapped (on the clips "
                "of such a person, --model heavy could tell)"
            )
    set_aside = summary["pose_glitches_set_aside"]
    if set_aside:
        analysis.notes.append(
            f"{_counted(set_aside, 'jerk-like landmark movement was')} set aside: the picture "
            "did not change (the pose model's glitches)"
        )
    pictured = summary["picture_jerks"]
    if pictured:
        analysis.notes.append(
            f"{_counted(pictured, 'jerk was')} seen in the picture only: the pose model did "
            "not follow, so regions and amplitude are the picture's own movement at the "
            "landmarks (--no-picture-jerks leaves them out)"
        )
    seen_through = summary["partner_jerks_set_aside"]
    if seen_through:
        which = "it" if seen_through == 1 else "each"
        times = 1.0 / analysis.config.detector.partner_share
        analysis.notes.append(
            f"{_counted(seen_through, 'small jerk was')} set aside: {which} began during a "
            f"jerk of another person at least {times:g} times its size, and was that jerk "
            "seen through them"
        )
    write_results(analysis.to_dict(), analysis.events, out_dir)
    if problem is not None:
        raise type(problem)(f"{problem}; results for what was read are in {out_dir}")
    return analysis


@dataclass
class Observation:
    """What pose inference over (part of) a video produced: the landmark series, how many
    frames went through the model, the rotation used, and an input problem met on the way
    (a truncated file) that should be reported once the results are safe."""

    series: LandmarkSeries | None
    """None when the frames went to a sink instead."""
    video: VideoInfo
    pose_frames: int
    rotation: int | None
    wall_s: float
    problem: InputError | None = None
    meta: dict = field(default_factory=dict)
    frames: int = 0
    analysed_s: float = 0.0


def observe(
    video: str | Path,
    config: Config,
    progress: Progress | None = None,
    sink: Callable[[FrameLandmarks], None] | None = None,
) -> Observation:
    """Pose inference over ``config.start_s`` .. ``config.end_s`` of a video: the expensive
    stage. With a ``sink``, every frame's landmarks go to it as they are ready and nothing is
    kept (``analyze`` streams them to disk and to the detector); without one, they are
    collected into ``Observation.series`` (batch does this per chunk)."""
    from vidmyo.observer import FrameObserver  # mediapipe loads only when pose is needed

    source = VideoFile(video, config.start_s, config.end_s, thumb_width=config.skip.thumb_width)
    info = source.info
    end = config.end_s if config.end_s is not None else info.duration_s
    span = max(end - config.start_s, 1e-9)
    frames: list[FrameLandmarks] = []
    take = sink if sink is not None else frames.append
    seen = {"count": 0, "first": 0.0, "last": 0.0}

    def emit(ready: list[FrameLandmarks]) -> None:
        for f in ready:
            if not seen["count"]:
                seen["first"] = f.t
            seen["count"] += 1
            seen["last"] = f.t
            take(f)

    problem: InputError | None = None
    started = time.perf_counter()
    persons = config.pose.persons
    with FrameObserver(config.pose, persons, skip=config.skip, fps=info.fps) as observer:
        try:
            for frame in source:
                emit(observer.push(frame))
                if progress is not None:
                    progress(frame.t - config.start_s, span)
        except TruncatedVideoError as exc:
            problem = exc
        emit(observer.flush())
        rotation, pose_frames = observer.rotation, observer.pose_frames
    if not seen["count"]:
        raise InputError(f"no frames between --start and --end in {video}")
    meta = {
        "video": info.to_dict(),
        "model": config.pose.model,
        "rotation": rotation,
        "processing_size": config.pose.processing_size,
        "start_s": config.start_s,
        "end_s": config.end_s,
        "pose_frames": pose_frames,
        "persons": persons,
        "vidmyo_version": __version__,
    }
    return Observation(
        series=LandmarkSeries.from_frames(frames, meta, persons) if sink is None else None,
        video=info,
        pose_frames=pose_frames,
        rotation=rotation,
        wall_s=time.perf_counter() - started,
        problem=problem,
        meta=meta,
        frames=seen["count"],
        analysed_s=seen["last"] - seen["first"] + 1.0 / info.fps,
    )


def detect_series(series: LandmarkSeries, config: Config, video: VideoInfo) -> Analysis:
    """Detection over a landmark series: a loop over :class:`JerkDetector` (no files).

    Person slots are first put in the contract's numbering (person 0 in view the longest);
    a series written by ``analyze`` or batch is in it already."""
    if len(series) == 0:
        raise InputError("no frames to analyse")
    series = series.with_persons(rank_persons(series.present.sum(axis=0)))
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
        pose_frames=int(series.inferred.sum()),
    )


def analyze(
    video: str | Path,
    config: Config,
    out_dir: Path | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse one recorded video and write events.json, events.csv and landmarks.npz.

    Streams: each frame's landmarks go to the detector and to the landmarks file as soon as
    they are ready, so memory does not grow with the length of the video. Who was in view
    the longest (the contract's person 0) is known only at the end: then the events, the
    coverage and the landmarks file are renumbered, as :func:`detect_series` numbers them."""
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir(Path(video))
    info = VideoFile(video, config.start_s, config.end_s).info
    _make_dir(out_dir)
    persons = config.pose.persons
    detector = JerkDetector(config.detector, info.fps, (info.width, info.height), persons)
    events: list[Event] = []
    in_view = np.zeros(persons, np.int64)

    def sink(frame: FrameLandmarks) -> None:
        writer.append(frame)
        in_view[:] += frame.present
        events.extend(detector.update(frame))

    with LandmarkWriter(out_dir / LANDMARKS_FILE, persons) as writer:
        obs = observe(video, config, progress, sink)
        writer.meta = obs.meta
        order = rank_persons(in_view)
        writer.person_order = order
    started = time.perf_counter()
    events.extend(detector.flush())
    coverage = renumber_persons(events, detector.coverage, order)
    analysis = Analysis(
        video=info,
        events=sorted(events, key=lambda e: e.onset_s),
        coverage=coverage,
        analysed_s=obs.analysed_s,
        config=config,
        pose_frames=obs.pose_frames,
    )
    return _report(analysis, obs, out_dir, time.perf_counter() - started)


def _make_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {out_dir}: {exc.strerror}") from exc


def _report(analysis: Analysis, obs: Observation, out_dir: Path, detect_s: float) -> Analysis:
    wall = obs.wall_s + detect_s
    analysis.timing = {
        "wall_s": round(wall, 2),
        "frames": obs.frames,
        "pose_frames": obs.pose_frames,
        "realtime_factor": round(analysis.analysed_s / wall, 2) if wall > 0 else None,
        "rotation": obs.rotation,
    }
    if obs.problem is not None:
        analysis.notes.append(str(obs.problem))
    return _finish(analysis, out_dir, obs.problem)


def analyze_observation(obs: Observation, config: Config, out_dir: Path) -> Analysis:
    """Everything after pose inference: save the landmarks, detect, write the results.

    Shared by ``analyze`` and batch, which joins the observations of a long video's chunks
    into one before calling this, so that detection runs once over the whole recording."""
    _make_dir(out_dir)
    obs.series.save(out_dir / LANDMARKS_FILE)
    started = time.perf_counter()
    analysis = detect_series(obs.series, config, obs.video)
    obs.frames = len(obs.series)
    return _report(analysis, obs, out_dir, time.perf_counter() - started)


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


def _counted(n: int, one: str) -> str:
    """``3 jerks were`` from ``jerk was``: a count with its noun and verb in agreement."""
    if n == 1:
        return f"1 {one}"
    noun, verb = one.rsplit(" ", 1)
    return f"{n} {noun}s {'were' if verb == 'was' else verb}"
