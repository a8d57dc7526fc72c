"""Soak test for ``vidmyo monitor``: a long synthetic night, as fast as possible, with memory
sampled along the way.

The pose model is replaced by stored landmarks (:class:`vidmyo.simulate_live.SeriesObserver`)
so that hours of frames play in minutes; everything after it is the real monitor: the
detector, the SQLite database, the ring buffer (every frame is downscaled and JPEG-encoded
into it) and the clip writer (an mp4 and a snapshot per episode). The night is a two-minute
simulated recording looped: a focal jerk, a generalized jerk, a slow arm movement, and ten
seconds out of bed (no pose) in every loop. Frames are stick figures drawn on a dim room.

    python scripts/soak_monitor.py --hours 10 [--fps 30] [--every-h 1] [--keep DIR]

Prints RSS (resident memory) at the start, at every ``--every-h`` hours of stream time and at
the end, plus the counts that show the night was really processed.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

from vidmyo.config import Config, MonitorConfig
from vidmyo.monitor import Monitor
from vidmyo.simulate import Scenario, Scripted, simulate
from vidmyo.simulate_live import SeriesObserver, SyntheticCamera
from vidmyo.store import Store

LOOP_S = 120.0


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def night_loop(fps: float):
    events = [
        Scripted("jerk", 20.0, ("left_arm",), 0.15),
        Scripted("jerk", 50.0, ("trunk", "head", "left_arm", "right_arm", "left_leg"), 0.2, 0.3),
        Scripted("movement", 75.0, ("right_arm",), 0.3, 2.0),
        Scripted("dropout", 95.0, (), 0.0, 10.0),
    ]
    frames, _ = simulate(Scenario(duration_s=LOOP_S, fps=fps, events=events, seed=5))
    return frames


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=10.0, help="stream hours to play")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--every-h", type=float, default=1.0, help="sample memory this often")
    parser.add_argument("--keep", type=Path, default=None, help="keep the db and clips here")
    args = parser.parse_args()

    series = night_loop(args.fps)
    total = int(args.hours * 3600 * args.fps)
    work = args.keep or Path(tempfile.mkdtemp(prefix="vidmyo-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    camera = SyntheticCamera(series, total, args.fps, live=False, lossless=True)
    samples: list[tuple[float, float, float, int]] = []
    started = time.monotonic()
    print(f"RSS before the session: {rss_mb():.1f} MB; {total} frames to play ({args.hours} h)")

    with Store(work / "soak.db") as store:
        monitor = Monitor(
            camera, store, Config(), MonitorConfig(), clips_dir=work / "clips",
            observer_factory=lambda config, fps: SeriesObserver(series),
        )  # fmt: skip
        stop = threading.Event()

        def sample() -> None:
            next_h = 0.0
            while not stop.wait(0.5):
                t = getattr(monitor, "last_t", 0.0)
                if t / 3600 >= next_h and t > 60:
                    clips = monitor.clips.buffered if getattr(monitor, "clips", None) else 0
                    samples.append((t / 3600, rss_mb(), time.monotonic() - started, clips))
                    h, mb, wall = samples[-1][:3]
                    line = f"  {h:5.2f} h  RSS {mb:7.1f} MB  wall {wall:6.0f} s  ring {clips}"
                    print(line + " frames", flush=True)
                    next_h = (int(t / 3600 / args.every_h) + 1) * args.every_h

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        result = monitor.run()
        stop.set()
        sampler.join()
        end_rss = rss_mb()
        sessions = store.sessions()
        states = store.states()
    wall = time.monotonic() - started
    print(f"  {result.duration_s / 3600:5.2f} h  RSS {end_rss:7.1f} MB  wall {wall:6.0f} s  (end)")
    rss = [s[1] for s in samples] + [end_rss]
    print(
        f"{result.duration_s / 3600:.2f} h of stream ({result.frames} frames, "
        f"{result.dropped} dropped) in {wall / 60:.1f} min ({result.frames / wall:.0f} frames/s)\n"
        f"RSS first sample {rss[0]:.1f} MB, max {max(rss):.1f} MB, end {end_rss:.1f} MB\n"
        f"events {dict(result.by_kind)}, clips {result.clips}, no-pose states "
        f"{sum(s['kind'] == 'no_pose' for s in states)}, session ended: "
        f"{sessions[-1]['end_reason']}\n"
        f"database {dir_mb(work) - dir_mb(work / 'clips'):.1f} MB, clips "
        f"{dir_mb(work / 'clips'):.0f} MB in {work}"
    )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
