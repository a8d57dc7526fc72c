"""What the motion gate sees on one frame: codec key-frame refreshes against jerks.

The gate wakes pose when the picture changes on two frames in a row, or on one frame by
``SkipConfig.single_frame_factor`` x ``min_changed_pixels``; on a codec key frame that one
frame must also have ``single_frame_share`` of its changed pixels in one body region's box
(``docs/accuracy.md``, tenth pass). This measures, on the evaluation clips, the numbers
those two settings rest on:

- key frames away from every scripted event (0.5 s either side): how many pixels a key
  frame's refresh changes in the people's box, and the largest share of them in one
  region's box, for those at or above the one-frame threshold;
- scripted jerks that change the picture on their first frame only (that frame at the
  threshold or above, the next under ``min_changed_pixels``): the count, the share, and
  whether the frame is a key frame;
- one-frame wakes the rule gives away from every scripted event.

The gate runs as in ``vidmyo analyze`` except for its boxes, which come from the landmarks
the last ``scripts/bench_accuracy.py`` run saved (``eval_set/runs/NAME/landmarks.npz``) for
the same frame, not from the median of the last few poses.

    python scripts/measure_gate.py [--set eval_set]

With ``--pixel-thresholds`` or ``--contrast-references``, it instead tries other
``SkipConfig.pixel_threshold`` and ``contrast_reference`` values (each pair) on the clips
whose name contains ``--clips`` (all sets given pooled): how many scripted jerks of the
target class (at 25 fps or more) the gate sleeps through (no wake on their first four
frames), and on how many quiet frames (more than 1 s from every scripted event) and frames
in all it wakes, the cost in pose inference:

    python scripts/measure_gate.py --contrast-references 0,100 --clips dark \
        --set eval_set --set eval_set/holdout   # ... one --set per set
    python scripts/measure_gate.py --pixel-thresholds 8,6,5 --contrast-references 0 ...
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_accuracy import TARGET_FPS, is_target  # noqa: E402

from vidmyo.config import SkipConfig  # noqa: E402
from vidmyo.landmarks import LandmarkSeries  # noqa: E402
from vidmyo.scene import MotionGate  # noqa: E402
from vidmyo.sources import VideoFile  # noqa: E402


def gate_readings(video: Path, landmarks: Path, config: SkipConfig):
    """Per frame: changed pixels in the people's box, the largest share in one region's box
    of a person whose pose is known, and whether the frame is a key frame."""
    xy = LandmarkSeries.load(landmarks).xy
    gate = MotionGate(config)
    counts, shares, keys = [], [], []
    for i, frame in enumerate(VideoFile(video, thumb_width=config.thumb_width)):
        people = xy[min(i, len(xy) - 1)]
        reading, _ = gate(frame, people if np.isfinite(people).any() else None)
        count = np.nan_to_num(reading.changed_pixels)
        regions = reading.by_region
        known = [p for p in range(len(people)) if np.isfinite(people[p]).any()]
        share = 0.0
        if regions is not None and known and count > 0:
            share = float(np.nanmax(np.nan_to_num(regions[known]))) / count
        counts.append(count)
        shares.append(share)
        keys.append(bool(frame.key))
    return np.array(counts), np.array(shares), np.array(keys)


def wakes(video: Path, landmarks: Path, configs: list[SkipConfig]) -> np.ndarray:
    """(configs, frames) whether the gate of each setting wakes pose on each frame."""
    xy = LandmarkSeries.load(landmarks).xy
    gates = [MotionGate(c) for c in configs]
    out = []
    for i, frame in enumerate(VideoFile(video, thumb_width=configs[0].thumb_width)):
        people = xy[min(i, len(xy) - 1)]
        known = people if np.isfinite(people).any() else None
        out.append([gate(frame, known)[1] for gate in gates])
    return np.array(out, bool).T


def compare_steps(
    sets: list[Path], thresholds: list[float], references: list[float], clips_named: str
) -> None:
    settings = [(t, r) for t in thresholds for r in references]
    configs = [
        dataclasses.replace(SkipConfig(), pixel_threshold=t, contrast_reference=r)
        for t, r in settings
    ]
    slept: list[list[str]] = [[] for _ in configs]
    jerks = quiet = frames = 0
    woke = np.zeros(len(configs), int)
    woke_all = np.zeros(len(configs), int)
    for folder in sets:
        for clip in json.loads((folder / "videos" / "index.json").read_text())["clips"]:
            landmarks = folder / "runs" / clip["name"] / "landmarks.npz"
            if clips_named not in clip["name"] or clip["name"] == "sample_jerks":
                continue
            if not landmarks.exists():
                print(f"{folder.name}/{clip['name']}: no landmarks (run bench_accuracy.py)")
                continue
            video = folder / "videos" / clip["video"]
            truth = json.loads(video.with_suffix(".truth.json").read_text())["events"]
            moved = wakes(video, landmarks, configs)
            fps = clip["fps"]
            busy = np.zeros(moved.shape[1], bool)
            for e in truth:
                busy[max(0, int(e["onset_frame"] - fps)) : int(e["offset_frame"] + fps) + 1] = True
            quiet += int((~busy).sum())
            frames += moved.shape[1]
            woke += (moved & ~busy).sum(axis=1)
            woke_all += moved.sum(axis=1)
            for e in truth:
                if e["kind"] != "jerk" or not e.get("visible", True) or not is_target(e):
                    continue
                if fps < TARGET_FPS:
                    continue
                jerks += 1
                first = slice(e["onset_frame"], e["onset_frame"] + 4)
                for k in range(len(configs)):
                    if not moved[k, first].any():
                        slept[k].append(f"{folder.name}/{clip['name']} {e['onset_frame']}")
    for (t, r), missed, n, n_all in zip(settings, slept, woke, woke_all, strict=True):
        print(f"pixel_threshold {t:g}, contrast_reference {r:g}: slept through {len(missed)} "
              f"of {jerks} target jerks; woke on {n} of {quiet} quiet frames "
              f"({n / max(quiet, 1):.1%}), {n_all} of {frames} frames in all")  # fmt: skip
        for m in missed:
            print(f"    {m}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, action="append", help="may be given again")
    ap.add_argument("--pixel-thresholds", help="comma-separated SkipConfig.pixel_threshold")
    ap.add_argument(
        "--contrast-references",
        help="comma-separated SkipConfig.contrast_reference, each tried with each threshold "
        "(0: the fixed step alone; default the configured one)",
    )
    ap.add_argument("--clips", default="", help="with the two above: clip names with this")
    args = ap.parse_args(argv)
    if args.pixel_thresholds or args.contrast_references:
        default = SkipConfig()
        thresholds = [float(t) for t in (args.pixel_thresholds or "").split(",") if t] or [
            default.pixel_threshold
        ]
        references = [float(r) for r in (args.contrast_references or "").split(",") if r] or [
            default.contrast_reference
        ]
        compare_steps(args.set or [ROOT / "eval_set"], thresholds, references, args.clips)
        return 0
    args.set = (args.set or [ROOT / "eval_set"])[0]
    config = SkipConfig()
    low = config.min_changed_pixels
    high = config.single_frame_factor * low
    clips = json.loads((args.set / "videos" / "index.json").read_text())["clips"]
    print(f"one-frame threshold {high:.0f} pixels, key-frame share {config.single_frame_share}")
    print(
        "| clip | key frames ≥ threshold, quiet: pixels (largest share) | one-frame jerks: "
        "pixels (share, key frame?) | one-frame wakes away from events |"
    )
    print("| --- | --- | --- | --- |")
    for clip in clips:
        video = (
            ROOT / clip["video"]
            if clip["name"] == "sample_jerks"
            else (args.set / "videos" / clip["video"])
        )
        landmarks = args.set / "runs" / clip["name"] / "landmarks.npz"
        if not landmarks.exists():
            print(f"| {clip['name']} | (no landmarks: run scripts/bench_accuracy.py) | | |")
            continue
        truth = json.loads(video.with_suffix(".truth.json").read_text())["events"]
        counts, shares, keys = gate_readings(video, landmarks, config)
        fps = clip["fps"]
        busy = np.zeros(len(counts), bool)
        for e in truth:
            busy[max(0, int(e["onset_frame"] - fps / 2)) : int(e["offset_frame"] + fps / 2) + 1] = (
                True
            )
        refreshes = [
            f"{counts[i]:.0f} ({shares[i]:.0%})"
            for i in range(len(counts)) if keys[i] and not busy[i] and counts[i] >= high
        ]  # fmt: skip
        jerks = []
        for e in truth:
            i = e["onset_frame"]
            alone = i + 1 < len(counts) and counts[i + 1] < low and counts[i - 1] < low
            if e["kind"] == "jerk" and alone and counts[i] >= high:
                key = "key" if keys[i] else "not key"
                jerks.append(f"{i}: {counts[i]:.0f} ({shares[i]:.0%}, {key})")
        one_frame = (counts >= high) & np.r_[True, counts[:-1] < low]
        one_frame &= ~keys | (shares >= config.single_frame_share)
        wakes = int((one_frame & ~busy).sum())
        print(
            f"| {clip['name']} | {', '.join(refreshes) or '–'} | {', '.join(jerks) or '–'} "
            f"| {wakes} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
