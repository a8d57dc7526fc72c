"""Why the landmark scenarios miss the jerks they miss: the numbers behind the landmark
scenarios' paragraph of ``docs/accuracy.md`` (twenty-third pass).

For every target-class jerk of the chosen light that a ``scripts/bench_accuracy.py --json``
run missed, the motion core (``vidmyo.motion.MotionTracker``) is run again over the
scenario's landmarks, and the scripted primary region's largest excursion (noise units) and
its noise unit (torso lengths) are printed, from the frame before the scripted onset to
0.45 s after it. Then, for the quiet recordings of that light: per region, how many frames
reach ``sudden_trigger_z`` with a displacement of ``sudden_speed_z`` (the lower trigger that
a picture must confirm), and how many reach ``trigger_z``.

    python scripts/bench_accuracy.py --json eval_set/bench-doc.json
    python scripts/measure_landmark_misses.py --bench eval_set/bench-doc.json --light dark
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_accuracy import score  # noqa: E402

from vidmyo.config import DetectorConfig  # noqa: E402
from vidmyo.landmarks import REGIONS, LandmarkSeries  # noqa: E402
from vidmyo.motion import MotionTracker  # noqa: E402


def trace(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(frames, 6) excursion in noise units, displacement in noise units, noise unit; fps."""
    series = LandmarkSeries.load(path)
    video = series.meta["video"]
    tracker = MotionTracker(DetectorConfig(), video["fps"], (video["width"], video["height"]))
    z, speed, noise = [], [], []
    for f in series.frames():
        s = tracker.update(f.index, f.t, f.xy[0], f.visibility[0], bool(f.present[0]),
                           f.brightness, f.shift, f.inferred, f.changed_pixels[0], f.flow[0],
                           f.key)  # fmt: skip
        z.append(s.excursion_z)
        speed.append(s.speed_z)
        noise.append(s.noise)
    return np.array(z), np.array(speed), np.array(noise), float(video["fps"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", type=Path, default=ROOT / "eval_set" / "bench-doc.json")
    ap.add_argument("--set", type=Path, default=ROOT / "eval_set" / "landmarks")
    ap.add_argument("--light", default="light", choices=["light", "dark"])
    args = ap.parse_args(argv)
    cfg = DetectorConfig()
    records = [
        r for r in json.loads(args.bench.read_text())["landmarks"]
        if r["tags"]["light"] == args.light
    ]  # fmt: skip
    print(f"missed target-class jerks, {args.light}: scripted primary region, largest "
          "excursion (noise units), its noise unit (torso lengths)")  # fmt: skip
    for rec in records:
        rec["runs"] = {float(k): v for k, v in rec["runs"].items()}
        missed = [j for j in score(rec)["jerks"] if j["target"] and not j["found"]]
        if not missed:
            continue
        z, _, noise, fps = trace(args.set / f"{rec['name']}.npz")
        for j in missed:
            r = REGIONS.index(j["primary"])
            window = slice(j["onset_frame"] - 1, j["onset_frame"] + int(0.45 * fps))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                peak = np.nanmax(z[window, r])
                unit = np.nanmedian(noise[window, r])
            print(f"  {rec['name']} frame {j['onset_frame']}: {j['primary']} "
                  f"({j['distribution']}, {j['amplitude']}, {j['duration_ms']} ms): "
                  f"{peak:.1f} units, unit {unit:.4f}")  # fmt: skip
    print(f"quiet recordings, {args.light}: frames per region ({', '.join(REGIONS)})")
    for rec in records:
        if not rec["tags"]["quiet"]:
            continue
        z, speed, _, fps = trace(args.set / f"{rec['name']}.npz")
        sudden = (z >= cfg.sudden_trigger_z) & (speed >= cfg.sudden_speed_z)
        above = z >= cfg.trigger_z
        print(f"  {rec['name']} ({len(z) / fps / 60:.0f} min): "
              f"{cfg.sudden_trigger_z} units with a {cfg.sudden_speed_z}-unit displacement "
              f"{sudden.sum(axis=0).tolist()}; {cfg.trigger_z} units "
              f"{above.sum(axis=0).tolist()}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
