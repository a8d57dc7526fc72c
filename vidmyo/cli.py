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
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from vidmyo import __version__
from vidmyo.config import MODELS, ROTATIONS, Config, DetectorConfig, PoseConfig
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
    for e in analysis.jerks[:20]:
        lines.append(
            f"  {e.onset_s:8.3f} s  {e.primary_region:<9} {e.distribution:<11} "
            f"amplitude {e.amplitude:.2f}  confidence {e.confidence:.2f}"
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


def _run(ctx: click.Context, work: Callable[[], tuple[object, Path]], as_json: bool) -> None:
    debug = ctx.find_root().params.get("debug", False)
    try:
        with native_stderr_silenced(not debug and _has_real_stderr()):
            analysis, out_dir = work()
    except VidmyoError as exc:
        if debug:
            raise
        click.echo(f"vidmyo: error: {exc}", err=True)
        ctx.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("vidmyo: interrupted; nothing was written for the unfinished input", err=True)
        ctx.exit(130)
    if as_json:
        click.echo(json.dumps(analysis.to_dict(), indent=2))
    else:
        _print_summary(analysis, out_dir)


def _has_real_stderr() -> bool:
    try:
        return sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # e.g. click's CliRunner captures stderr
        return False


def _config(model, rotation, start, end, sensitivity) -> Config:
    return Config(
        pose=PoseConfig(model=model, rotation=rotation),
        detector=DetectorConfig(sensitivity=sensitivity),
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
@sensitivity_option
@json_option
@progress_option
@click.pass_context
def analyze(ctx, video, out, model, rotation, start, end, sensitivity, as_json, progress):
    """Analyse one recorded video.

    Writes events.json (the events and a summary), events.csv (one row per event) and
    landmarks.npz (the pose of every frame, for 'vidmyo detect') into the output folder.
    """
    from vidmyo import pipeline

    out_dir = out or pipeline.default_out_dir(video)
    bar = ProgressBar("analysing", sys.stderr.isatty() if progress is None else progress)

    def work():
        try:
            config = _config(model, rotation, start, end, sensitivity)
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
@json_option
@click.pass_context
def detect(ctx, landmarks, out, sensitivity, as_json):
    """Re-run detection on a landmarks.npz written by 'vidmyo analyze'.

    No pose inference: try other settings in seconds. Writes the same events.json and
    events.csv as analyze.
    """
    from vidmyo import pipeline

    out_dir = out or Path(landmarks).parent

    def work():
        config = Config(detector=DetectorConfig(sensitivity=sensitivity))
        return pipeline.detect(landmarks, config, out_dir), out_dir

    _run(ctx, work, as_json)


def run() -> None:
    main(prog_name="vidmyo")


if __name__ == "__main__":  # pragma: no cover
    run()
