"""Live latency benchmark for ``vidmyo monitor``.

Replays a video at real time through the monitor (real pose model, detector, database, and
clips if asked), as a camera would deliver it, and reports for each event the time from
reading its offset frame to the event's row being committed; the frames dropped because
processing could not keep up; and the CPU used (all threads, as a share of one core).

    python scripts/bench_live.py [VIDEO] [--model lite|full|heavy] [--max-lag-s S]
                                 [--skip] [--clips] [--end S] [--reference] [--json]

VIDEO defaults to the sample clip; its truth file, if present, scores the events found.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from vidmyo.cli import native_stderr_silenced
from vidmyo.config import Config, MonitorConfig, PoseConfig, SkipConfig
from vidmyo.evaluate import compare_events
from vidmyo.live_sources import ReplaySource
from vidmyo.monitor import Monitor, default_observer
from vidmyo.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_videos" / "sample_jerks.mp4"


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def bench(video: Path, model: str, max_lag_s: float, skip: bool, clips: bool,
          end_s: float | None, realtime: bool = True, thin_after_s: float = 0.25,
          ) -> dict:  # fmt: skip
    config = Config(pose=PoseConfig(model=model), skip=SkipConfig(enabled=skip))
    settings = MonitorConfig(realtime=realtime, max_lag_s=max_lag_s, thin_after_s=thin_after_s)
    rows: list[dict] = []
    ready: dict[str, float] = {}

    def observer_factory(cfg, fps):
        observer = default_observer(cfg, fps)
        ready.update(wall=time.monotonic(), cpu=cpu_s())  # the model is loaded: clock starts
        return observer

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        monitor = Monitor(
            ReplaySource(video, realtime=realtime, end_s=end_s), store, config, settings,
            clips_dir=Path(tmp) / "clips" if clips else None,
            observer_factory=observer_factory, on_event=rows.append,
        )  # fmt: skip
        result = monitor.run()
        wall = time.monotonic() - ready["wall"]
        cpu = cpu_s() - ready["cpu"]
    latencies = np.array([r["committed_latency_s"] for r in rows if "committed_latency_s" in r])
    report = {
        "rows": rows,
        "video": str(video),
        "model": model,
        "skip": skip,
        "max_lag_s": max_lag_s,
        "thin_after_s": thin_after_s,
        "clips": clips,
        "stream_s": round(result.duration_s, 2),
        "wall_s": round(wall, 2),
        "frames_processed": result.frames,
        "frames_dropped": result.dropped,
        "dropped_share": round(result.dropped / max(result.frames + result.dropped, 1), 4),
        "cpu_share_of_one_core": round(cpu / wall, 3),
        "events": len(rows),
        "latency_s": {
            "median": round(float(np.median(latencies)), 3) if latencies.size else None,
            "p95": round(float(np.percentile(latencies, 95)), 3) if latencies.size else None,
            "max": round(float(latencies.max()), 3) if latencies.size else None,
            "each": [round(float(x), 3) for x in latencies],
        },
    }
    truth_file = video.with_suffix(".truth.json")
    if truth_file.is_file():
        truth = json.loads(truth_file.read_text())["events"]
        if end_s is not None:
            truth = [t for t in truth if t["offset_s"] <= end_s]
        report["versus_truth"] = compare_events(rows, truth).summary()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("video", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--model", default="lite", choices=("lite", "full", "heavy"))
    parser.add_argument("--max-lag-s", type=float, default=0.5)
    parser.add_argument("--thin-after-s", type=float, default=0.25)
    parser.add_argument("--skip", action="store_true", help="spare pose while still")
    parser.add_argument("--clips", action="store_true", help="also write clips")
    parser.add_argument("--end", type=float, default=None, help="replay only this many seconds")
    parser.add_argument("--reference", action="store_true",
                        help="also replay every frame (as fast as possible) and score the live "
                        "jerks against those: what dropping frames cost")  # fmt: skip
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with native_stderr_silenced(True):
        report = bench(args.video, args.model, args.max_lag_s, args.skip, args.clips, args.end,
                       thin_after_s=args.thin_after_s)  # fmt: skip
        if args.reference:
            ref = bench(args.video, args.model, 0, args.skip, False, args.end, realtime=False)
            report["versus_every_frame"] = compare_events(
                report["rows"], [dict(r, visible=True) for r in ref["rows"]], fps=30.0
            ).summary()
    del report["rows"]
    if args.json:
        print(json.dumps(report, indent=2))
        return
    lat = report["latency_s"]
    print(
        f"{report['video']}: model {report['model']}, skip {report['skip']}, "
        f"max lag {report['max_lag_s']} s, clips {report['clips']}\n"
        f"  {report['stream_s']} s replayed in {report['wall_s']} s; frames processed "
        f"{report['frames_processed']}, dropped {report['frames_dropped']} "
        f"({100 * report['dropped_share']:.1f}%); CPU {100 * report['cpu_share_of_one_core']:.0f}%"
        f" of one core\n"
        f"  {report['events']} events; latency (offset frame read → row committed) median "
        f"{lat['median']} s, p95 {lat['p95']} s, max {lat['max']} s"
    )
    if "versus_truth" in report:
        print(f"  jerks versus truth: {report['versus_truth']}")
    if "versus_every_frame" in report:
        print(f"  jerks versus the same replay without drops: {report['versus_every_frame']}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
