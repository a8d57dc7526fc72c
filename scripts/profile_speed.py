"""Where the time of a quiet night goes: CPU per thread of `vidmyo analyze`, and two facts about
the machine that bound it.

On the quiet clip of ``scripts/bench_speed.py`` (breathing and the sample's jerk twice a
minute, 640x480 at 30 fps), this measures:

- pose inference alone: ``PoseEstimator`` on 100 frames of the clip, wall and CPU per frame;
- the machine's parallel capacity: a CPU-bound loop alone, then two copies side by side
  (2.0 would be two full cores);
- one ``analyze`` of the clip (skipping on, as by default) with the CPU time of each thread,
  read from ``/proc/self/task`` twice a second and grouped: the main thread, the decode thread
  (PyAV's FFmpeg decoder threads are named ``av:*``), MediaPipe's inference threads
  (``drishti``) and other Python threads (MediaPipe's dispatcher).

    python scripts/profile_speed.py [--minutes 10] [--doc]

``--doc`` writes the tables into docs/speed.md (the ``profile`` section).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import cv2
from _docsection import write_section
from bench_speed import sample_frames, write_clip

ROOT = Path(__file__).resolve().parent.parent
BURN = "x = 0\nfor i in range(20_000_000):\n    x += i\n"


def pose_alone(clip: Path) -> tuple[float, float]:
    """(wall ms, CPU ms) per frame of PoseEstimator over 100 frames, after 20 to warm up."""
    from vidmyo.config import PoseConfig
    from vidmyo.pose import PoseEstimator

    cap = cv2.VideoCapture(str(clip))
    frames = [cap.read()[1] for _ in range(120)]
    cap.release()
    with PoseEstimator(PoseConfig()) as pose:
        for i, image in enumerate(frames[:20]):
            pose(image, i / 30)
        wall, cpu = time.perf_counter(), time.process_time()
        for i, image in enumerate(frames[20:], start=20):
            pose(image, i / 30)
        n = len(frames) - 20
        return 1000 * (time.perf_counter() - wall) / n, 1000 * (time.process_time() - cpu) / n


def parallel_capacity() -> tuple[float, float]:
    """(seconds for one CPU-bound loop alone, how many such loops the machine runs at once
    in the time of one: 2 runs side by side, total work / slowest)."""

    def run(copies: int) -> float:
        started = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(copies)]
        for p in procs:
            p.wait()
        return time.perf_counter() - started

    alone = run(1)
    both = run(2)
    return alone, 2 * alone / both


class ThreadClock:
    """CPU seconds per thread of this process while it is entered, sampled from /proc
    (threads that end keep their last reading; threads that existed before count from their
    reading at the start)."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, float]] = {}
        self._start: dict[str, float] = {}
        self._stop = threading.Event()
        self._tick = os.sysconf("SC_CLK_TCK")
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for tid in os.listdir("/proc/self/task"):
            try:
                stat = Path(f"/proc/self/task/{tid}/stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            self.seen[tid] = (name, (int(fields[11]) + int(fields[12])) / self._tick)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self) -> ThreadClock:
        self._sample()
        self._start = {tid: cpu for tid, (_, cpu) in self.seen.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def by_group(self, main_tid: int, known: dict[int, str]) -> dict[str, float]:
        groups: dict[str, float] = defaultdict(float)
        for tid, (name, cpu) in self.seen.items():
            cpu -= self._start.get(tid, 0.0)
            if int(tid) == main_tid:
                group = "main thread"
            elif int(tid) in known:
                group = known[int(tid)]
            elif name.startswith("av:"):
                group = "FFmpeg decoder threads (av:*)"
            elif name == "drishti":
                group = "MediaPipe inference threads (drishti)"
            else:
                group = "other threads (MediaPipe's dispatcher)"
            groups[group] += cpu
        return dict(groups)


def profile_analyze(clip: Path, out: Path) -> tuple[float, dict[str, float], int]:
    from vidmyo.config import Config
    from vidmyo.pipeline import analyze

    known: dict[int, str] = {}
    original = threading.Thread.run

    def named_run(self):  # the decode thread, found by its Python name
        if self.name == "vidmyo-decode":
            known[threading.get_native_id()] = "decode thread (vidmyo-decode)"
        return original(self)

    threading.Thread.run = named_run
    try:
        with ThreadClock() as clock:
            started = time.perf_counter()
            analysis = analyze(clip, Config(), out)
            wall = time.perf_counter() - started
    finally:
        threading.Thread.run = original
    return wall, clock.by_group(threading.get_native_id(), known), analysis.pose_frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--doc", action="store_true", help="write into docs/speed.md")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "quiet.mp4"
        write_clip(clip, sample_frames(), args.minutes, "quiet")
        pose_wall, pose_cpu = pose_alone(clip)
        burn_s, capacity = parallel_capacity()
        wall, groups, pose_frames = profile_analyze(clip, Path(tmp) / "out")
    total = sum(groups.values())
    lines = [
        "## Where the time goes",
        "",
        f"Made by `python scripts/profile_speed.py --minutes {args.minutes:g}` on"
        f" {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, load average"
        f" {load_before:.1f} before and {os.getloadavg()[0]:.1f} after: the quiet clip of"
        " `bench_speed.py`, analysed once with the default settings.",
        "",
        f"- Pose inference alone (`PoseEstimator`, 100 frames of the clip): {pose_wall:.1f} ms"
        f" a frame, {pose_cpu:.1f} ms of CPU.",
        f"- Parallel capacity: a CPU-bound loop takes {burn_s:.2f} s alone; two side by side"
        f" get through {capacity:.2f}× the work of one in the same time (2.00 would be two"
        " full cores).",
        f"- `analyze`: {wall:.1f} s wall for {args.minutes:g} min of video"
        f" ({60 * args.minutes / wall:.1f}× realtime), {pose_frames} frames through pose,"
        f" {total:.1f} s of CPU in all:",
        "",
        "| thread | CPU s | share |",
        "| --- | --- | --- |",
        *(f"| {g} | {c:.1f} | {100 * c / total:.0f}% |"
          for g, c in sorted(groups.items(), key=lambda kv: -kv[1])),
    ]  # fmt: skip
    text = "\n".join(lines)
    print(text)
    if args.doc:
        write_section(ROOT / "docs" / "speed.md", "profile", text, title="Speed and memory")


if __name__ == "__main__":
    main()
