"""Many recordings in one run: the core of ``vidmyo batch``.

Inputs (files, folders, globs) become jobs. A job is one or more time chunks of pose
inference, the expensive stage, which an engine (:mod:`vidmyo.engines`) runs in parallel.
When all chunks of a video are back, their landmark series are joined and detection runs once
over the whole recording, so an event at a chunk boundary is neither lost nor counted twice;
the results are written exactly as ``analyze`` writes them. ``summary.csv`` is rewritten
atomically as inputs finish, so an interrupted batch still has one, and a rerun skips inputs
whose ``events.json`` is complete.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import importlib.util
import io
import json
import logging
import math
import os
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vidmyo import errors, pipeline
from vidmyo.config import Config, PoseConfig
from vidmyo.engines import ENGINES, default_jobs, make_engine, one_line
from vidmyo.errors import InputError, OutputError, UsageError, VidmyoError
from vidmyo.landmarks import REGIONS, LandmarkSeries
from vidmyo.outputs.files import write_atomic
from vidmyo.results import EVENTS_SCHEMA
from vidmyo.sources import VideoFile, VideoInfo
from vidmyo.tracking import track_series

log = logging.getLogger(__name__)

VIDEO_EXTENSIONS = frozenset(
    {".mp4", ".avi", ".mkv", ".mov", ".m4v", ".webm", ".mpg", ".mpeg", ".ts", ".wmv", ".3gp"}
)
"""What a folder or a glob contributes (compared in lower case). Files named explicitly are
taken whatever their extension."""
SUMMARY_FILE = "summary.csv"
SUMMARY_FIELDS: list[str] = [
    "input", "output", "status", "duration_s", "analysed_s", "jerks", "jerks_per_hour",
    *REGIONS, "pose_coverage", "error",
]  # fmt: skip
"""summary.csv columns: the input's absolute path, its output folder, ``status`` (done,
failed, skipped, or pending while the batch runs), the video's duration and the analysed
seconds, jerks and jerks per analysed hour, jerks per primary region, the fraction of frames
with a pose, and a one-line error for a failed input."""
WAIT_S = 0.25
"""How often the batch loop looks at finished tasks and progress."""

InputDone = Callable[[dict, int, int], None]
"""Called with (summary row, inputs finished so far, inputs in the batch)."""
Progress = Callable[[float, float], None]
"""Called with (video seconds done, video seconds to do)."""


@dataclass(frozen=True)
class BatchOptions:
    """Where results go, the analysis settings (as for ``analyze``), how many workers on
    which engine, and how long videos are chunked. Checked once, here (usage errors)."""

    out_dir: Path
    config: Config = field(default_factory=Config)
    jobs: int = field(default_factory=default_jobs)
    engine: str = "local"
    address: str | None = None
    chunk_s: float = 600.0
    """Videos longer than this are split into chunks of at most this length."""
    overlap_s: float = 10.0
    """Each chunk's pose inference starts this long before the chunk, so that MediaPipe's
    tracking has settled when the chunk begins."""
    force: bool = False
    """Redo inputs that are already finished."""

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise UsageError("--jobs must be at least 1")
        if self.engine not in ENGINES:
            raise UsageError(f"unknown engine {self.engine!r}; choose one of {ENGINES}")
        if not self.chunk_s >= 1:
            raise UsageError("--chunk-s must be at least 1 second")
        if not self.overlap_s >= 0:
            raise UsageError("--overlap-s must be >= 0")
        if self.address and self.engine != "ray":
            raise UsageError("--address is for --engine ray")
        if self.engine == "ray" and importlib.util.find_spec("ray") is None:
            raise UsageError(
                "--engine ray needs Ray, which is not installed: pip install 'vidmyo[ray]'"
            )


# -- inputs ------------------------------------------------------------------------------------
def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_EXTENSIONS and not path.name.startswith(".")


def _videos_in(folder: Path) -> list[Path]:
    """Videos anywhere below ``folder``, sorted; hidden files and folders are left out (such
    as the ``._clip.mp4`` files macOS leaves on USB drives)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in sorted(files) if is_video(Path(f)))
    return found


def _absolute(path: Path | str) -> Path:
    """Absolute and normalised, symlinks kept (the name the user gave is the stem we use)."""
    return Path(os.path.abspath(path))


def expand_inputs(args: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders searched recursively for videos, globs expanded here too (for
    shells that do not). Absolute paths, each once, in the order given; the videos of a
    folder or a glob sorted. A missing file stays in the list, to be reported as failed."""
    found: list[Path] = []
    for arg in args:
        text = str(arg)
        path = Path(text)
        if path.is_dir():
            matches = _videos_in(path)
        elif path.exists() or not any(c in text for c in "*?["):
            matches = [path]
        else:
            matches = []
            for match in sorted(glob.glob(text, recursive=True)):
                m = Path(match)
                matches.extend(_videos_in(m) if m.is_dir() else [m] if is_video(m) else [])
        if not matches:
            log.warning("no videos in %s", text)
        found.extend(matches)
    unique = list(dict.fromkeys(_absolute(p) for p in found))
    if not unique:
        raise UsageError("no videos found in " + ", ".join(map(str, args)))
    return unique


def short_hash(path: Path) -> str:
    return hashlib.sha1(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:8]


def finished(out_dir: Path, video: Path) -> dict | None:
    """The events.json in ``out_dir`` if it is complete and made from ``video``, else None.
    (events.json is written last and atomically, so its presence means the input finished.)"""
    try:
        doc = json.loads((out_dir / "events.json").read_text(encoding="utf-8"))
        path = doc["video"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if doc.get("schema") != EVENTS_SCHEMA or not isinstance(path, str):
        return None
    return doc if _absolute(path) == _absolute(video) else None


def output_names(inputs: list[Path], out_root: Path) -> list[str]:
    """One output folder name per input: its stem, or ``<stem>-<8 hex of its path's hash>``
    when an earlier input took the stem, or when the folder already holds another input's
    results. Names therefore stay the same on a rerun, even with inputs added or reordered."""
    taken: set[str] = set()
    names = []
    for path in inputs:
        name = path.stem
        other = (out_root / name / "events.json").is_file() and not finished(out_root / name, path)
        if name.lower() in taken or other:  # lower: some file systems ignore case
            name = f"{path.stem}-{short_hash(path)}"
        taken.add(name.lower())
        names.append(name)
    return names


# -- planning --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Chunk:
    """One time range of a video. Pose runs from ``read_from`` (``start`` less the overlap)
    to ``end``; only frames with ``start <= t < end`` are kept. ``end`` None: to the end."""

    start: float
    end: float | None
    read_from: float

    def seconds(self, duration_s: float) -> float:
        return max((self.end if self.end is not None else duration_s) - self.start, 0.0)


def plan_chunks(duration_s: float, chunk_s: float, overlap_s: float) -> list[Chunk]:
    """Equal chunks of at most ``chunk_s``; a video no longer than that is one chunk. The
    last chunk runs to the end of the stream, whatever the container says its length is."""
    if duration_s <= chunk_s:
        return [Chunk(0.0, None, 0.0)]
    n = math.ceil(duration_s / chunk_s)
    bounds = [k * duration_s / n for k in range(n)] + [None]
    return [Chunk(bounds[k], bounds[k + 1], max(0.0, bounds[k] - overlap_s)) for k in range(n)]


@dataclass
class Job:
    """One input: where its results go, its chunks, and (once done) its summary row."""

    path: Path
    out_dir: Path
    duration_s: float = 0.0
    chunks: list[Chunk] = field(default_factory=list)
    results: dict[int, dict] = field(default_factory=dict)
    row: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(c.seconds(self.duration_s) for c in self.chunks)


def summary_row(job: Job, status: str, doc: dict | None = None, error: str = "") -> dict:
    row = dict.fromkeys(SUMMARY_FIELDS, "")
    row.update(input=str(job.path), output=str(job.out_dir), status=status, error=error)
    if job.duration_s:
        row["duration_s"] = round(job.duration_s, 3)
    if doc is not None:
        summary = doc.get("summary", {})
        by_region = summary.get("by_region", {})
        row.update(
            duration_s=doc["video"].get("duration_s", row["duration_s"]),
            analysed_s=summary.get("analysed_s", ""),
            jerks=summary.get("jerk_count", ""),
            jerks_per_hour=summary.get("jerks_per_hour", ""),
            pose_coverage=summary.get("pose_coverage", ""),
            **{r: by_region.get(r, 0) for r in REGIONS},
        )
    return row


def write_summary(path: Path, rows: list[dict]) -> None:
    """summary.csv, atomically (temporary file, then rename)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, buf.getvalue())


def _plan(path: Path, out_dir: Path, options: BatchOptions) -> Job:
    """A job with its chunks, or (``row`` set) an input that is skipped or cannot be read."""
    job = Job(path, out_dir)
    doc = None if options.force else finished(out_dir, path)
    if doc is not None:
        job.duration_s = float(doc["video"].get("duration_s") or 0.0)
        job.row = summary_row(job, "skipped", doc)
        return job
    try:
        job.duration_s = VideoFile(path).info.duration_s
    except Exception as exc:  # InputError, or anything odd the decoder says: not this batch's end
        job.row = summary_row(job, "failed", error=one_line(exc))
        return job
    job.chunks = plan_chunks(job.duration_s, options.chunk_s, options.overlap_s)
    try:  # an old result must not look finished while this input is redone
        (out_dir / "events.json").unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot remove {out_dir / 'events.json'}: {exc.strerror}") from exc
    return job


# -- joining chunks ---------------------------------------------------------------------------
def _error(kind: str | None, message: str) -> VidmyoError:
    cls = getattr(errors, kind or "", None)
    if not (isinstance(cls, type) and issubclass(cls, VidmyoError)):
        cls = InputError
    return cls(message)


def join_chunks(job: Job, pose: PoseConfig | None = None) -> pipeline.Observation:
    """One observation of the whole video from its chunks' results, as if observed at once.

    A chunk that failed fails the input, unless an earlier chunk found the video truncated:
    then the input keeps what was read up to there (as ``analyze`` does), and the later
    chunks are left out, even if, having seeked past damaged data, they read frames beyond
    it (a hole in the recording would look like a jump of every landmark). With several
    person slots, each chunk's tracker numbered the people in its own order of appearance:
    the joined series is tracked once more as a whole (``pose`` holds the tracker's
    settings), so that a person keeps one slot across the chunk boundaries."""
    parts: list[LandmarkSeries] = []
    problem: VidmyoError | None = None
    first = None
    for k in range(len(job.chunks)):
        result = job.results[k]
        if result.get("error") is not None:
            if problem is not None:
                break
            raise _error(result.get("error_type"), result["error"])
        first = first or result
        parts.append(LandmarkSeries(**result["arrays"], meta=result["meta"]))
        if result["problem"] is not None:
            problem = _error(result["problem_type"], result["problem"])
            break
    series = LandmarkSeries.concat(parts)
    if len(series) == 0:
        raise InputError(f"no frames could be read from {job.path}")
    if np.any(np.diff(series.t) <= 0):  # chunks must tile the video exactly
        raise RuntimeError(f"joined chunks of {job.path} are not in time order")
    if len(parts) > 1:
        series = track_series(series, pose)
    results = [job.results[k] for k in range(len(parts))]
    pose_frames = sum(r["pose_frames"] for r in results)
    if len(job.chunks) > 1:
        series.meta.update(
            start_s=0.0,
            end_s=None,
            pose_frames=pose_frames,
            chunks=[
                {"start_s": c.start, "end_s": c.end, "read_from_s": c.read_from,
                 "rotation": r["rotation"], "pose_frames": r["pose_frames"]}
                for c, r in zip(job.chunks, results, strict=False)
            ],
        )  # fmt: skip
    return pipeline.Observation(
        series=series,
        video=VideoInfo(**first["video"]),
        pose_frames=pose_frames,
        rotation=first["rotation"],
        wall_s=sum(r["wall_s"] for r in results),
        problem=problem,
    )


def finish_job(job: Job, config: Config) -> dict:
    """Join, detect and write one input's results; its summary row. Never raises for the
    input's own problems: they become a failed row (with the numbers, if results were kept)."""
    try:
        analysis = pipeline.analyze_observation(join_chunks(job, config.pose), config, job.out_dir)
        return summary_row(job, "done", analysis.to_dict())
    except VidmyoError as exc:
        return summary_row(job, "failed", finished(job.out_dir, job.path), one_line(exc))
    except Exception as exc:  # a bug with this input: record it, keep the batch going
        log.debug("finishing %s failed", job.path, exc_info=exc)
        return summary_row(job, "failed", error=one_line(exc))
    finally:
        job.results.clear()


# -- the batch ---------------------------------------------------------------------------------
class _Finisher:
    """One background thread that joins, detects and writes the inputs whose chunks are all
    back, so the loop watching the workers stays responsive. A daemon thread: Ctrl-C does not
    wait for a long detection to end; that input is simply redone by the next run."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="vidmyo-finish", daemon=True).start()

    def submit(self, fn: Callable, *args) -> Future:
        future: Future = Future()
        self._queue.put((future, fn, args))
        return future

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            future, fn, args = item
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

    def close(self) -> None:
        self._queue.put(None)


@dataclass
class BatchResult:
    rows: list[dict]
    summary: Path

    def count(self, status: str) -> int:
        return sum(r["status"] == status for r in self.rows)


def run_batch(
    inputs: Iterable[str | Path],
    options: BatchOptions,
    on_progress: Progress | None = None,
    on_input: InputDone | None = None,
) -> BatchResult:
    """Analyse every input; write ``DIR/<stem>/`` for each and ``DIR/summary.csv``."""
    paths = expand_inputs(inputs)
    root = options.out_dir
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {root}: {exc.strerror}") from exc
    summary = root / SUMMARY_FILE
    names = output_names(paths, root)
    jobs = [_plan(p, root / n, options) for p, n in zip(paths, names, strict=True)]
    for job in jobs:
        job.row = job.row or summary_row(job, "pending")
    rows = [job.row for job in jobs]
    write_summary(summary, rows)
    finished_count = 0
    for job in jobs:
        if job.row["status"] != "pending":
            finished_count += 1
            if on_input:
                on_input(job.row, finished_count, len(jobs))
    pending = [job for job in jobs if job.row["status"] == "pending"]
    tasks = [(job, k) for job in pending for k in range(len(job.chunks))]
    if not tasks:
        return BatchResult(rows, summary)
    seconds = [job.chunks[k].seconds(job.duration_s) for job, k in tasks]
    total_s, done_s = sum(seconds), 0.0
    done = [False] * len(tasks)
    running: dict[int, float] = {}  # task → fraction done, for the progress display
    config = options.config.to_dict()
    engine = make_engine(options.engine, min(options.jobs, len(tasks)), options.address)
    finisher = _Finisher()
    finishing: dict[Future, Job] = {}
    aborted = True
    try:
        for key, (job, k) in enumerate(tasks):
            c = job.chunks[k]
            engine.submit(key, (str(job.path), config, c.read_from, c.start, c.end))
        left = len(tasks)
        while left or finishing:
            for key, result in engine.wait(WAIT_S if left else 0):
                job, k = tasks[key]
                job.results[k] = result
                left, done[key], done_s = left - 1, True, done_s + seconds[key]
                running.pop(key, None)
                if len(job.results) == len(job.chunks):
                    finishing[finisher.submit(finish_job, job, options.config)] = job
            running.update((key, f) for key, f in engine.progress().items() if not done[key])
            for future in [f for f in finishing if f.done() or not left]:
                job = finishing.pop(future)
                job.row.clear()
                job.row.update(future.result())
                write_summary(summary, rows)
                finished_count += 1
                if on_input:
                    on_input(job.row, finished_count, len(jobs))
            if on_progress:
                partial = sum(f * seconds[key] for key, f in running.items())
                on_progress(min(done_s + partial, total_s), total_s)
        aborted = False
    finally:
        finisher.close()
        engine.close(cancel=aborted)
    return BatchResult(rows, summary)
