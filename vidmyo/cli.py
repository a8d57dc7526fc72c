"""The ``vidmyo`` command: a thin shell over :mod:`vidmyo.pipeline`.

Errors from the core are :class:`vidmyo.errors.VidmyoError` subclasses; here they become one
line on stderr and the contract's exit code (2 usage, 3 unreadable input). ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import click

from vidmyo import __version__
from vidmyo.config import MODELS, ROTATIONS, Config, DetectorConfig, PoseConfig, SkipConfig
from vidmyo.errors import VidmyoError

EXIT_USAGE = 2


class ProgressBar:
    """A progress bar on stderr (stdout stays clean for ``--json``), silent when not a TTY
    unless asked for."""

    def __init__(self, label: str, enabled: bool):
        self.label = label
        self.enabled = enabled
        self._bar = None

    def __call__(self, done: float, total: float) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=1000, label=self.label, file=sys.stderr, show_eta=True, width=30
            )
            self._bar.__enter__()
        target = int(1000 * min(max(done / total, 0.0), 1.0)) if total > 0 else 0
        self._bar.update(target - self._bar.pos)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _print_summary(analysis, out_dir: Path) -> None:
    s = analysis.summary()
    lines = [
        f"{analysis.video.path}: {s['analysed_s']:.1f} s analysed, pose found in "
        f"{100 * s['pose_coverage']:.0f}% of frames",
        f"  jerks: {s['jerk_count']} ({s['jerks_per_hour']:.1f} per hour)"
        + (f"  by region: {s['by_region']}" if s["by_region"] else ""),
    ]
    others = {k: v for k, v in s["by_kind"].items() if k != "jerk"}
    if others:
        lines.append(f"  other movements: {others}")
    for note in analysis.notes:
        lines.append(f"  note: {note}")
    several = len(analysis.coverage.pose_frames) > 1
    if several:
        lines.extend(
            f"  person {p['person']}: in view {100 * p['pose_coverage']:.0f}% of frames, "
            f"{p['jerk_count']} jerks"
            for p in s["persons"]
        )
    for e in analysis.jerks[:20]:
        who = f"person {e.person}  " if several else ""
        lines.append(
            f"  {e.onset_s:8.3f} s  {who}{e.primary_region:<9} {e.distribution:<11} "
            f"amplitude {e.amplitude:.2f}  confidence {e.confidence:.2f}"
            + ("  (seen in the picture only)" if e.evidence == "picture" else "")
        )
    if len(analysis.jerks) > 20:
        lines.append(f"  … {len(analysis.jerks) - 20} more in events.csv")
    lines.append(f"  results: {out_dir}/events.json, events.csv, landmarks.npz")
    click.echo("\n".join(lines), err=True)


@contextlib.contextmanager
def native_stderr_silenced(enabled: bool) -> Iterator[None]:
    """FFmpeg and MediaPipe print from C code straight to file descriptor 2 ("moov atom not
    found", model loading chatter). Point fd 2 at /dev/null while the core runs, and give
    Python's ``sys.stderr`` a copy of the real one, so the user sees only vidmyo's own lines."""
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    original, sys.stderr = sys.stderr, os.fdopen(os.dup(saved), "w", buffering=1)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = original
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


T = TypeVar("T")


def _run(ctx: click.Context, work: Callable[[], tuple[object, Path]], as_json: bool) -> None:
    analysis, out_dir = _guarded(
        ctx, work, "interrupted; nothing was written for the unfinished input"
    )
    if as_json:
        click.echo(json.dumps(analysis.to_dict(), indent=2))
    else:
        _print_summary(analysis, out_dir)


def _guarded(
    ctx: click.Context, work: Callable[[], T], interrupted: str, warnings: bool = False
) -> T:
    """``work()`` with MediaPipe's native stderr silenced (unless ``--debug``): core errors
    become one line on stderr and the contract's exit code, Ctrl-C exit code 130. With
    ``warnings``, logged warnings still reach stderr while it is silenced."""
    debug = ctx.find_root().params.get("debug", False)
    silence = not debug and _has_real_stderr()
    try:
        with native_stderr_silenced(silence), _warnings_to_stderr(silence and warnings):
            return work()
    except VidmyoError as exc:
        if debug:
            raise
        click.echo(f"vidmyo: error: {exc}", err=True)
        ctx.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo(f"vidmyo: {interrupted}", err=True)
        ctx.exit(130)  # ctx.exit raises: nothing falls through to the caller


def _has_real_stderr() -> bool:
    try:
        return sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # e.g. click's CliRunner captures stderr
        return False


def _config(model, rotation, start, end, detector, skip=True, persons=1) -> Config:
    return Config(
        pose=PoseConfig(model=model, rotation=rotation, persons=persons),
        detector=detector,
        skip=SkipConfig(enabled=skip),
        start_s=start,
        end_s=end,
    )


sensitivity_option = click.option(
    "--sensitivity",
    type=float,
    default=1.0,
    show_default=True,
    help="Detection thresholds are divided by this: 2 finds smaller jerks (and more false "
    "ones), 0.5 only clear ones.",
)
picture_jerks_option = click.option(
    "--picture-jerks/--no-picture-jerks",
    default=True,
    show_default=True,
    help="Also report jerks the picture shows where the pose model did not follow "
    '(evidence "picture"; see the README).',
)
persons_option = click.option(
    "--persons",
    type=int,
    default=1,
    show_default=True,
    help="How many people to track (1-4). Use 2 when a bed partner is in view: each person "
    "is followed separately, and each event's 'person' says whose jerk it was.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print events.json to stdout.")
progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "VIDMYO"}
)
@click.version_option(__version__, prog_name="vidmyo")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
def main(debug: bool) -> None:
    """Find myoclonic jerks in video of a person, most often asleep.

    For each jerk: when (onset to the frame), where (head, trunk, left/right arm, left/right
    leg; focal, multifocal or generalized), how strong and how often. A research and
    monitoring aid, not a diagnosis. Everything runs on this machine; nothing is uploaded.

    \b
    Exit status: 0 success (with or without jerks), 2 usage error,
    3 an input that cannot be read or analysed, 4 results that cannot be written.
    """
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="vidmyo: %(levelname)s: %(message)s",
    )


@main.command()
@click.argument("video", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Output folder. Default: vidmyo-out/<video stem>/ in the working directory.",
)
@click.option("--model", type=click.Choice(MODELS), default="full", show_default=True,
              help="Pose model: lite is fastest, heavy most exact.")  # fmt: skip
@click.option("--rotation", type=click.Choice(ROTATIONS), default="auto", show_default=True,
              help="Rotate frames before pose inference (degrees clockwise); auto picks the "
              "rotation in which the person is found best, for people lying down.")  # fmt: skip
@click.option("--start", type=float, default=0.0, show_default=True, help="Start at this second.")
@click.option("--end", type=float, default=None, help="Stop at this second (default: the end).")
@persons_option
@sensitivity_option
@picture_jerks_option
@click.option(
    "--skip/--no-skip",
    default=True,
    show_default=True,
    help="Spare pose inference while nothing in the picture moves (--no-skip: every frame).",
)
@json_option
@progress_option
@click.pass_context
def analyze(ctx, video, out, model, rotation, persons, start, end, sensitivity, picture_jerks,
            skip, as_json, progress):  # fmt: skip
    """Analyse one recorded video.

    Writes events.json (the events and a summary), events.csv (one row per event) and
    landmarks.npz (the pose of every frame, for 'vidmyo detect') into the output folder.
    """
    from vidmyo import pipeline

    out_dir = out or pipeline.default_out_dir(video)
    bar = ProgressBar("analysing", sys.stderr.isatty() if progress is None else progress)

    def work():
        try:
            detector = DetectorConfig(sensitivity=sensitivity, picture_jerks=picture_jerks)
            config = _config(model, rotation, start, end, detector, skip, persons)
            return pipeline.analyze(video, config, out_dir, progress=bar), out_dir
        finally:
            bar.close()

    _run(ctx, work, as_json)


@main.command()
@click.argument("landmarks", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Output folder. Default: the folder holding the landmarks file.",
)
@sensitivity_option
@picture_jerks_option
@json_option
@click.pass_context
def detect(ctx, landmarks, out, sensitivity, picture_jerks, as_json):
    """Re-run detection on a landmarks.npz written by 'vidmyo analyze'.

    No pose inference: try other settings in seconds. Writes the same events.json and
    events.csv as analyze.
    """
    from vidmyo import pipeline

    out_dir = out or Path(landmarks).parent

    def work():
        config = Config(
            detector=DetectorConfig(sensitivity=sensitivity, picture_jerks=picture_jerks)
        )
        return pipeline.detect(landmarks, config, out_dir), out_dir

    _run(ctx, work, as_json)


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Output folder: DIR/<video stem>/ for each input, and DIR/summary.csv.",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Videos or chunks analysed at once (default: the number of cores).")  # fmt: skip
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: processes on this machine; ray: a Ray cluster "
              "(pip install 'vidmyo[ray]').")  # fmt: skip
@click.option("--address", default=None,
              help="Ray cluster to join (default: a local Ray with --jobs CPUs).")  # fmt: skip
@click.option("--chunk-s", type=float, default=600.0, show_default=True,
              help="Videos longer than this are split into chunks of at most this many "
              "seconds, analysed in parallel and joined before detection.")  # fmt: skip
@click.option("--overlap-s", type=float, default=10.0, show_default=True,
              help="Pose inference for a chunk starts this long before it, so that tracking "
              "has settled when the chunk begins.")  # fmt: skip
@click.option("--force", is_flag=True, help="Redo inputs that are already finished.")
@click.option("--model", type=click.Choice(MODELS), default="full", show_default=True,
              help="Pose model: lite is fastest, heavy most exact.")  # fmt: skip
@click.option("--rotation", type=click.Choice(ROTATIONS), default="auto", show_default=True,
              help="Rotate frames before pose inference (degrees clockwise); auto picks the "
              "rotation in which the person is found best, for people lying down.")  # fmt: skip
@persons_option
@sensitivity_option
@picture_jerks_option
@progress_option
@click.pass_context
def batch(ctx, inputs, out, jobs, engine, address, chunk_s, overlap_s, force, model, rotation,
          persons, sensitivity, picture_jerks, progress):  # fmt: skip
    """Analyse many videos: files, folders (searched for videos) and globs.

    Each input's results go to DIR/<video stem>/, exactly as 'vidmyo analyze' writes them;
    DIR/summary.csv has one row per input (status done, failed or skipped, jerk counts, the
    error of a failed input). A bad file does not stop the batch. A rerun skips the inputs
    that are finished; --force redoes them.

    \b
    Exit status: 0 every input done or skipped, 3 some input failed,
    2 usage error, 4 results cannot be written.
    """
    from vidmyo import batch as core

    tty = sys.stderr.isatty()
    bar = ProgressBar("batch", tty if progress is None else progress)

    def line(row: dict, done: int, total: int) -> None:
        if progress is None and not tty:  # a log rather than a terminal: a line per input
            what = row["error"] if row["status"] == "failed" else f"{row['jerks']} jerks"
            click.echo(f"vidmyo: [{done}/{total}] {row['status']} {row['input']}: {what}", err=True)

    def work():
        with _sigterm_interrupts():
            try:
                options = core.BatchOptions(
                    out_dir=out,
                    config=_config(
                        model,
                        rotation,
                        0.0,
                        None,
                        DetectorConfig(sensitivity=sensitivity, picture_jerks=picture_jerks),
                        persons=persons,
                    ),
                    jobs=jobs or core.default_jobs(),
                    engine=engine,
                    address=address,
                    chunk_s=chunk_s,
                    overlap_s=overlap_s,
                    force=force,
                )
                return core.run_batch(inputs, options, on_progress=bar, on_input=line)
            finally:
                bar.close()  # it writes to the stderr that the silencing lends

    result = _guarded(
        ctx,
        work,
        f"interrupted; {out / core.SUMMARY_FILE} lists what finished; "
        "run the same command again to do the rest",
    )
    counts = ", ".join(f"{result.count(s)} {s}" for s in ("done", "skipped") if result.count(s))
    failed = result.count("failed")
    if failed:
        click.echo(
            f"vidmyo: error: {failed} of {len(result.rows)} inputs failed"
            + (f" ({counts})" if counts else "")
            + f"; see the error column of {result.summary}",
            err=True,
        )
        ctx.exit(3)
    inputs = f"{len(result.rows)} input" + ("s" if len(result.rows) != 1 else "")
    click.echo(f"vidmyo: {inputs}: {counts}; summary: {result.summary}", err=True)


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM stops a batch as Ctrl-C does: workers stopped, summary.csv kept."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- live monitoring ------------------------------------------------------------------------------
def _run_live(ctx: click.Context, work: Callable[[], None]) -> None:
    """Like :func:`_run` for commands that print their own output."""
    _guarded(ctx, work, "interrupted", warnings=True)


@contextlib.contextmanager
def _warnings_to_stderr(enabled: bool) -> Iterator[None]:
    """While native stderr is silenced, the logging handler (bound to the old stream) is too;
    a night's warnings (webhook down, clip not written) still reach the user."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("vidmyo: %(levelname)s: %(message)s"))
    logger = logging.getLogger("vidmyo")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _say(message: str) -> None:
    click.echo(f"vidmyo: {message}", err=True)


def _event_line(row: dict, persons: int = 1) -> str:
    when = row["wall_time"][11:19]
    who = f"person {row['person']}  " if persons > 1 else ""
    return (
        f"  {when}  {who}{row['kind']:<12} {row['primary_region'] or '-':<9} "
        f"{row['distribution'] or '-':<11} amplitude {row['amplitude']:.2f}  "
        f"confidence {row['confidence']:.2f}  (at {row['onset_s']:.2f} s)"
        + ("  seen in the picture only" if row.get("evidence") == "picture" else "")
    )


def _monitor_summary(result, model: str) -> str:
    kinds = result.by_kind
    total = result.frames + result.dropped
    dropped = f"{result.dropped} dropped ({100 * result.dropped / total:.1f}%)" if total else ""
    others = sum(kinds.values()) - kinds["jerk"]
    text = (
        f"session {result.session_id}: {result.duration_s:.1f} s, {result.frames} frames"
        f"{', ' + dropped if result.dropped else ''}; {kinds['jerk']} jerks, {others} other "
        f"events, {result.gaps} source gaps, {result.clips} clips; ended: {result.end_reason}"
    )
    if result.sides_unsure:
        text += (
            "\n  the pose model could not always tell which way a person faced: left and right "
            "may be swapped in the events of the sides_unsure states"
        )
    if total and result.dropped / total > 0.1:
        text += "\n  many frames were dropped: this machine is slow for the source" + (
            "; try --model lite" if model != "lite" else ""
        )
    return text


@main.command()
@click.option("--source", "source_spec", required=True, metavar="SRC",
              help="Camera index (0) or /dev/videoN, a stream URL (rtsp://…, http://…), or a "
              "video file (played at its own frame rate as if it were a camera).")  # fmt: skip
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="SQLite database that receives sessions, events and states (created if "
              "missing; several sessions can share it).")  # fmt: skip
@click.option("--clips", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for a short mp4 clip and a peak snapshot per event (or episode of "
              "close events). Default: no clips.")  # fmt: skip
@click.option("--model", type=click.Choice(MODELS), default="full", show_default=True,
              help="Pose model: lite is fastest (use it when frames are dropped).")  # fmt: skip
@click.option("--rotation", type=click.Choice(ROTATIONS), default="auto", show_default=True,
              help="Rotate frames before pose inference, as for analyze.")  # fmt: skip
@persons_option
@sensitivity_option
@picture_jerks_option
@click.option("--skip/--no-skip", default=False, show_default=True,
              help="Spare pose inference while nothing in the picture moves. Off by default "
              "here: when movement starts, the pose model catches up on a pre-roll, and live "
              "that burst delays events and costs frames (see docs/monitor.md).")  # fmt: skip
@click.option("--as-fast-as-possible", "fast", is_flag=True,
              help="Video files only: do not wait for each frame's time; process every "
              "frame.")  # fmt: skip
@click.option("--privacy", is_flag=True,
              help="Keep no images: clips become the event's landmarks (.npz), no video, no "
              "snapshot.")  # fmt: skip
@click.option("--pre-s", type=float, default=3.0, show_default=True,
              help="Seconds of clip before the event's onset.")  # fmt: skip
@click.option("--post-s", type=float, default=5.0, show_default=True,
              help="Seconds of clip after the event's offset.")  # fmt: skip
@click.option("--webhook", metavar="URL", default=None,
              help="POST each alert as JSON to this address (directly, never via a "
              "proxy).")  # fmt: skip
@click.option("--bell", is_flag=True, help="Ring the terminal bell (on stderr) for each alert.")
@click.option("--alert-cooldown-s", type=float, default=60.0, show_default=True,
              help="After an alert, no new alert for this many seconds: a cluster of jerks is "
              "one alert.")  # fmt: skip
@click.option("--show", is_flag=True,
              help="Show a window with the skeleton and the regions that just moved (q "
              "quits).")  # fmt: skip
@click.option("--fps", type=float, default=None,
              help="Frame rate the detector assumes (default: the source's).")  # fmt: skip
@click.option("--max-lag-s", type=float, default=0.5, show_default=True,
              help="When the machine cannot keep up, frames are dropped so that processing is "
              "never further behind than this (0: only the newest frame waits).")  # fmt: skip
@click.option("--start-attempts", type=int, default=3, show_default=True,
              help="Tries to open a camera or stream before giving up (exit 3).")  # fmt: skip
@click.pass_context
def monitor(ctx, source_spec, db, clips, model, rotation, persons, sensitivity, picture_jerks,
            skip, fast, privacy, pre_s, post_s, webhook, bell, alert_cooldown_s, show, fps,
            max_lag_s, start_attempts):  # fmt: skip
    """Watch a camera, stream or video file and record every jerk as it happens.

    Each event is committed to the database about half a second after it ends, with an
    optional clip and alert. Nobody in view, a lost camera (reconnected with backoff) and
    dropped frames are recorded as states. Ctrl-C or SIGTERM ends the session cleanly; a
    file source ends at its end. See 'vidmyo sessions' and 'vidmyo events' to look back.
    """

    def work():
        from vidmyo import monitor as live
        from vidmyo.alerts import Alerter
        from vidmyo.config import MonitorConfig
        from vidmyo.errors import UsageError
        from vidmyo.live_sources import open_source
        from vidmyo.store import Store

        detector = DetectorConfig(sensitivity=sensitivity, picture_jerks=picture_jerks)
        config = _config(model, rotation, 0.0, None, detector, skip, persons)
        settings = MonitorConfig(
            realtime=not fast, fps=fps, max_lag_s=max_lag_s, start_attempts=start_attempts,
            pre_s=pre_s, post_s=post_s, privacy=privacy, alert_cooldown_s=alert_cooldown_s,
        )  # fmt: skip
        source = open_source(source_spec, realtime=not fast)
        if fast and source.live:
            raise UsageError("--as-fast-as-possible is for video files, not cameras or streams")
        alerter = None
        if webhook or bell:
            ring = (lambda: click.echo("\a", err=True, nl=False)) if bell else None
            alerter = Alerter(webhook, ring, alert_cooldown_s)
        view = live.LiveView() if show else None
        with Store(db) as store:
            mon = live.Monitor(
                source, store, config, settings, clips_dir=clips, alerter=alerter, view=view,
                on_event=lambda row: click.echo(_event_line(row, persons), err=True), notify=_say,
                settings_extra={"webhook": live.webhook_host(webhook), "bell": bell},
            )  # fmt: skip
            with live.stop_on_signals(mon):
                result = mon.run()
        _say(_monitor_summary(result, model))
        if result.problem is not None:
            raise result.problem

    _run_live(ctx, work)


db_option = click.option("--db", type=click.Path(path_type=Path, dir_okay=False), required=True,
                         help="The database written by 'vidmyo monitor'.")  # fmt: skip


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the sessions as JSON.")
@click.pass_context
def sessions(ctx, db, as_json):
    """List monitoring sessions: start, duration, frames dropped, jerks, gaps, how they ended."""

    def work():
        from vidmyo.outputs.listing import format_sessions
        from vidmyo.store import Store

        with Store(db, readonly=True) as store:
            rows = store.sessions()
        click.echo(json.dumps({"sessions": rows}, indent=2) if as_json else format_sessions(rows))

    _run_live(ctx, work)


@main.command()
@db_option
@click.option("--session", "session_id", type=int, default=None, help="Only this session.")
@click.option("--kind", default=None, help="Only this kind (jerk, movement, tremor, …).")
@click.option("--summary", is_flag=True, help="Counts per clock hour and per region instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the events (or summary) as JSON.")
@click.pass_context
def events(ctx, db, session_id, kind, summary, as_json):
    """List recorded events, or with --summary count them per hour and per region."""

    def work():
        from vidmyo.outputs.listing import format_events, format_summary
        from vidmyo.store import Store, summarize_events

        with Store(db, readonly=True) as store:
            rows = store.events(session_id, kind)
        if summary:
            data = summarize_events(rows)
            click.echo(json.dumps(data, indent=2) if as_json else format_summary(data))
        else:
            click.echo(json.dumps({"events": rows}, indent=2) if as_json else format_events(rows))

    _run_live(ctx, work)


def run() -> None:
    main(prog_name="vidmyo")


if __name__ == "__main__":  # pragma: no cover
    run()
