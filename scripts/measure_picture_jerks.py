"""The numbers the picture-jerk settings rest on (``DetectorConfig.picture_jerks``), on the
evaluation clips after a ``scripts/bench_accuracy.py`` run (``docs/accuracy.md``, twelfth pass):

- at every scripted jerk that changed a region box by ``picture_jerk_pixels`` or more on one
  of its first four frames: on the largest of those frames, in the box that changed most,
  the share of the changed pixels that got lighter (``picture_jerk_one_way``: a moving limb
  lightens the picture at one edge and darkens it at the other);
- at every picture jerk: the largest change of the frame's mean brightness from the frame
  before the burst to six frames after its last change, relative (``picture_jerk_light``);
  whether it is at a scripted jerk (onsets within 0.2 s), in the scripted primary region and
  with the scripted distribution, how many of those jerks are of the target class
  (``bench_accuracy.is_target``, >= 25 fps), and its amplitude against the scripted jerk's.

It reads the landmarks and detections that run saved:

    python scripts/measure_picture_jerks.py --set eval_set --bench eval_set/bench-reuse.json
    python scripts/measure_picture_jerks.py --set eval_set/holdout \\
        --bench eval_set/holdout/bench-full.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_accuracy import TARGET_FPS, TOLERANCE_S, is_target  # noqa: E402

from vidmyo.config import DetectorConfig  # noqa: E402


def lighter_shares(truth: list[dict], changed: np.ndarray, lighter: np.ndarray, least: float):
    """Per scripted jerk that changed a box by ``least`` pixels: the lighter share."""
    shares = []
    for t in truth:
        if t["kind"] != "jerk" or not t.get("visible", True):
            continue
        window = changed[t["onset_frame"] : t["onset_frame"] + 4]  # (frames, persons, 6)
        if not window.size or window.max() < least:
            continue
        i, p, r = np.unravel_index(np.argmax(window), window.shape)
        lit = lighter[t["onset_frame"] + i, p, r]
        if np.isfinite(lit):
            shares.append(float(lit / window[i, p, r]))
    return shares


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=ROOT / "eval_set")
    ap.add_argument("--bench", type=Path, default=ROOT / "eval_set" / "bench-reuse.json")
    args = ap.parse_args(argv)
    config = DetectorConfig()
    shares: list[float] = []
    light: list[float] = []
    at_jerks = right_region = right_distribution = pictured = target = 0
    ratios: list[float] = []
    for rec in json.loads(args.bench.read_text())["videos"]:
        with np.load(args.set / "runs" / rec["name"] / "landmarks.npz") as data:
            changed = np.nan_to_num(data["changed_pixels"])
            lighter = data["lighter_pixels"] if "lighter_pixels" in data.files else None
            brightness = data["brightness"]
        truth = rec["truth"]
        if lighter is not None:
            shares += lighter_shares(truth, changed, lighter, config.picture_jerk_pixels)
        events = next(iter(rec["runs"].values()))["events"]
        for e in (e for e in events if e.get("evidence") == "picture"):
            pictured += 1
            before = brightness[e["onset_frame"] - 1]
            span = brightness[e["onset_frame"] : e["offset_frame"] + 7]
            light.append(float(np.abs(span - before).max() / before))
            near = [
                t
                for t in truth
                if t["kind"] == "jerk" and abs(t["onset_s"] - e["onset_s"]) <= TOLERANCE_S
            ]
            at_jerks += bool(near)
            right_region += any(t["primary_region"] == e["primary_region"] for t in near)
            right_distribution += any(t["distribution"] == e["distribution"] for t in near)
            target += any(is_target(t) for t in near) and rec["fps"] >= TARGET_FPS
            ratios += [e["amplitude"] / t["amplitude"] for t in near[:1]]
    print(f"{args.set}: {len(shares)} scripted jerks changing a box by "
          f"{config.picture_jerk_pixels:.0f} pixels or more")  # fmt: skip
    if shares:
        q = np.percentile(shares, [0, 5, 50, 95, 100])
        one_way = sum(s >= config.picture_jerk_one_way or s <= 1 - config.picture_jerk_one_way
                      for s in shares)  # fmt: skip
        print(f"  share that got lighter: min {q[0]:.0%}, 5th {q[1]:.0%}, median {q[2]:.0%}, "
              f"95th {q[3]:.0%}, max {q[4]:.0%}; one-way by the setting: {one_way}")  # fmt: skip
    else:
        print("  no lighter_pixels in these landmarks (recorded since the twelfth pass)")
    print(f"  picture jerks: {pictured}, at a scripted jerk {at_jerks} (target class "
          f"{target}), in its scripted region {right_region}, with its scripted "
          f"distribution {right_distribution}")  # fmt: skip
    if ratios:
        q = np.percentile(ratios, [10, 50, 90])
        print(f"  their amplitude against the scripted jerk's: median {q[1]:.2f} "
              f"(10th-90th percentile {q[0]:.2f}-{q[2]:.2f})")  # fmt: skip
    if light:
        print(f"  mean brightness change through them: max {max(light):.2%}, "
              f"median {float(np.median(light)):.2%}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
