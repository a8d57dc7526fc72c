"""Speed and memory of `vidmyo analyze`, with and without skipping still frames.

Builds test clips from the sample clip (640x480, 30 fps), deterministically:

- quiet: 10 minutes of a person lying still and breathing (the sample's opening quiet
  stretch played forwards and backwards, slowing to a stop at each end as breathing does),
  with a jerk (the sample's left-arm jerk, played forwards and then backwards, so two jerks)
  every 2 minutes;
- busy: 2 minutes of continuous movement (the sample's slow arm raise, forwards and back);
- long: 60 minutes like the quiet clip (memory only, skipping on).

Each analysis runs in its own process (so peak memory is its own) with the same model and
detector; the every-frame run is ``--no-skip``. Prints a table, compares the events of both
runs, and writes docs/speed.md.

    python scripts/bench_speed.py            # full run (~25 min on 2 cores)
    python scripts/bench_speed.py --quick    # 2-minute quiet clip, 30 s busy, no 60-minute
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from _docsection import write_section

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_videos" / "sample_jerks.mp4"
QUIET = (0, 64)  # frames of the sample before its first jerk
WITH_JERK = (0, 100)  # includes the left-arm jerk at frames 69-77
BUSY = (432, 555)  # the slow arm raise


def sample_frames() -> list:
    cap = cv2.VideoCapture(str(SAMPLE))
    frames = []
    while len(frames) < 600:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def ping_pong(lo: int, hi: int) -> list[int]:
    return list(range(lo, hi)) + list(range(hi, lo, -1))


def breathing(lo: int, hi: int, period: int) -> list[int]:
    """Frames ``lo``..``hi`` and back over ``period`` frames, eased like breathing: the picture
    slows to a stop at each end. Played back at full speed instead, the whole picture
    reverses within one frame, which no sleeper does, and MediaPipe's landmark smoothing
    overshoots there (a leg "twitch" of ~0.06 torso lengths at most reversals)."""
    k = np.arange(period)
    return np.round(lo + (hi - lo) * (1 - np.cos(2 * np.pi * k / period)) / 2).astype(int).tolist()


def write_clip(path: Path, frames: list, minutes: float, kind: str) -> int:
    """Write a clip of the given kind; returns its frame count."""
    total = int(minutes * 60 * 30)
    fourcc = cv2.VideoWriter_fourcc(*"mp4v")
    params = [cv2.VIDEOWRITER_PROP_BITRATE, 2_000_000]  # re-encoding must not add much noise
    writer = cv2.VideoWriter(str(path), cv2.CAP_FFMPEG, fourcc, 30.0, (640, 480), params)
    n = 0
    while n < total:
        if kind == "busy":
            order = ping_pong(*BUSY)
        elif n % (2 * 60 * 30) < 2 * (WITH_JERK[1] - WITH_JERK[0]) and n > 0:
            order = breathing(*WITH_JERK, 2 * (WITH_JERK[1] - WITH_JERK[0]))
        else:
            order = breathing(*QUIET, 2 * (QUIET[1] - QUIET[0]))
        for i in order[: total - n]:
            writer.write(frames[i])
        n += min(len(order), total - n)
    writer.release()
    return total


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: on Linux that survives
    exec, so a child would report the parent's size at fork time."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(video: str, skip: bool, model: str, out: str) -> None:
    """Run one analysis in this process and print its figures as JSON."""
    from vidmyo.config import Config, PoseConfig, SkipConfig
    from vidmyo.pipeline import analyze

    config = Config(pose=PoseConfig(model=model), skip=SkipConfig(enabled=skip))
    started = time.perf_counter()
    analysis = analyze(video, config, Path(out))
    wall = time.perf_counter() - started
    print(json.dumps({
        "wall_s": wall,
        "video_s": analysis.analysed_s,
        "frames": analysis.coverage.frames,
        "pose_frames": analysis.pose_frames,
        "peak_rss_mb": peak_rss_mb(),
        "jerks": [(e.onset_frame, e.primary_region) for e in analysis.jerks],
        "set_aside": int(analysis.coverage.still_picture[0]),
    }))  # fmt: skip


def run(video: Path, skip: bool, model: str, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", str(video), "--model", model, "--out", str(out)]
    if not skip:
        cmd.append("--no-skip")
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(name: str, path: Path, args: argparse.Namespace, tmp: Path) -> dict[bool, list]:
    """Runs per mode (True = skipping). The busy clip's two modes are interleaved, each pair
    alternating which goes first, so a slow stretch of a shared host falls on both."""
    out = tmp / f"out-{name}"
    if name == "long":
        return {True: [run(path, True, args.model, out)]}
    if name == "quiet":
        return {
            True: [run(path, True, args.model, out) for _ in range(args.repeat)],
            False: [run(path, False, args.model, out)],
        }
    runs: dict[bool, list] = {True: [], False: []}
    for pair in range(args.busy_pairs):
        for skip in (True, False) if pair % 2 == 0 else (False, True):
            runs[skip].append(run(path, skip, args.model, out))
    return runs


def same_jerks(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        abs(x[0] - y[0]) <= 1 and x[1] == y[1] for x, y in zip(a, b, strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short clips, no 60-minute run")
    parser.add_argument("--model", default="full", choices=["lite", "full", "heavy"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--no-skip", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--doc", default=str(ROOT / "docs" / "speed.md"))
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the quiet clip with skipping (the table shows the median; a shared "
        "machine varies by 10-20%% from run to run)",
    )
    parser.add_argument(
        "--busy-pairs",
        type=int,
        default=3,
        help="runs of the busy clip in each mode, interleaved (the target there is a ratio "
        "of two runs, so both see the same stretch of a shared machine)",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, not args.no_skip, args.model, args.out)
        return

    quiet_min, busy_min = (2, 0.5) if args.quick else (10, 2)
    load_before = os.getloadavg()
    frames = sample_frames()
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clips = [("quiet", quiet_min), ("busy", busy_min)]
        if not args.quick:
            clips.append(("long", 60))
        results = {}
        for name, minutes in clips:
            path = tmp / f"{name}.mp4"
            write_clip(path, frames, minutes, "busy" if name == "busy" else "quiet")
            measured = measure(name, path, args, tmp)
            for skip, runs in measured.items():
                walls = sorted(r["wall_s"] for r in runs)
                r = next(r for r in runs if r["wall_s"] == walls[len(walls) // 2])  # the median
                mode = "skip" if skip else "every frame"
                if len(runs) > 1:
                    video_s = r["video_s"]
                    listed = ", ".join(f"{w:.1f}" for w in walls)
                    notes.append(
                        f"- {name}, {mode}: {len(runs)} runs, wall {listed} s"
                        f" (realtime {video_s / walls[-1]:.1f}-{video_s / walls[0]:.1f}×); the"
                        " table shows the median"
                    )
                results[(name, skip)] = r
                rows.append((name, minutes, mode, r))
                print(name, mode, json.dumps(r)[:200], flush=True)
            if name == "busy" and args.busy_pairs > 1:
                pairs = zip(measured[True], measured[False], strict=True)
                ratios = sorted(s["wall_s"] / e["wall_s"] for s, e in pairs)
                notes.append(
                    "- busy, skipping's wall time over every frame's, pair by pair (the two"
                    " modes interleaved, alternating which goes first): "
                    + ", ".join(f"{x:.3f}" for x in ratios)
                    + f"; median {ratios[len(ratios) // 2]:.3f}"
                )
            path.unlink()
    lines = [
        "| clip | minutes | mode | wall s | realtime × | frames | through pose | peak MB | jerks "
        "| set aside |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, minutes, mode, r in rows:
        lines.append(
            f"| {name} | {minutes:g} | {mode} | {r['wall_s']:.1f} | "
            f"{r['video_s'] / r['wall_s']:.1f} | {r['frames']} | {r['pose_frames']} | "
            f"{r['peak_rss_mb']:.0f} | {len(r['jerks'])} | {r['set_aside']} |"
        )
    for name in ("quiet", "busy"):
        a, b = results[(name, True)], results[(name, False)]
        speedup = b["wall_s"] / a["wall_s"]
        same = same_jerks(a["jerks"], b["jerks"])
        notes.append(
            f"- {name}: skipping is {speedup:.1f}× the every-frame speed; jerks "
            f"{'identical (onsets within one frame, same regions)' if same else 'DIFFER'}: "
            f"skip {a['jerks']} vs every frame {b['jerks']}"
        )
    if ("long", True) in results:
        short, long_ = results[("quiet", True)], results[("long", True)]
        growth = long_["peak_rss_mb"] / short["peak_rss_mb"] - 1
        notes.append(
            f"- memory: peak {short['peak_rss_mb']:.0f} MB for {quiet_min} min, "
            f"{long_['peak_rss_mb']:.0f} MB for 60 min ({100 * growth:+.1f}%)"
        )
    cmd = "python scripts/bench_speed.py" + (" --quick" if args.quick else "")
    if args.model != "full":
        cmd += f" --model {args.model}"
    load_after = os.getloadavg()
    doc = "\n".join([
        "## Skipping against every frame",
        "",
        f"Produced by `{cmd}` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores"
        f" ({platform.machine()}), Python {platform.python_version()}, pose model"
        f" `{args.model}`, 640×480 at 30 fps. Load average (1/5/15 min) at the start"
        f" {'/'.join(f'{v:.1f}' for v in load_before)}, at the end"
        f" {'/'.join(f'{v:.1f}' for v in load_after)}: on a shared machine, other jobs slow"
        " every row.",
        "Clips are built from the sample clip (see the script's docstring). Each analysis runs",
        "in its own process; peak MB is that process's maximum resident memory. *Set aside*:",
        "jerk-like landmark movements dropped because the picture did not change with them.",
        "",
        *lines,
        "",
        *notes,
        "",
    ])  # fmt: skip
    print(doc)
    write_section(Path(args.doc), "bench", doc, title="Speed and memory")


if __name__ == "__main__":
    main()
