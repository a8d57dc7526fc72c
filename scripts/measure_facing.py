"""Which way the pose model took a person to face, frame by frame, in a set of clips: the
numbers behind the twenty-sixth pass's second person (``docs/accuracy.md``).

MediaPipe names a person's left and right from which way it takes them to face. Where it
cannot tell (a face it cannot read), it takes them to face the camera on some frames and to
face away on others, and each change names every limb by the other side's name. For every
clip of a set, over the frames the pose model ran on: how many it read as facing the camera
(``motion.facing_camera``), how many as facing away, and how often the reading changed, as
the pose model gave it and after ``motion.SideSwapFixer`` (which swaps back a side that
jumped to the other's place), and on how many of them the fix swapped the arms, or the
legs, back (twenty-eighth pass). vidmyo itself warns where the rarer reading is over
``results.FACING_UNSURE_ABOVE`` of a person's frames.

    python scripts/measure_facing.py --set eval_set/holdout-1900-pose2sim
    python scripts/measure_facing.py --set eval_set/holdout-1900-pose2sim --runs runs-heavy
                                    # the heavy model's landmarks (twenty-ninth pass)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vidmyo.config import DetectorConfig  # noqa: E402
from vidmyo.landmarks import SIDE_GROUPS, LandmarkSeries  # noqa: E402
from vidmyo.motion import SideSwapFixer, facing_camera  # noqa: E402


def readings(
    series: LandmarkSeries, cfg: DetectorConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Facing per inferred frame of the first person: as the pose model gave it, and after
    the side-swap fix; and which side groups (face, arm, leg) the fix swapped back there."""
    fixer = SideSwapFixer(cfg.swap_ratio, cfg.swap_min_shift)
    raw, fixed, swapped_back = [], [], []
    for f in series.frames():
        if not f.inferred or not f.present[0]:
            continue
        xy = f.xy[0].astype(np.float64)
        visible = f.visibility[0] >= cfg.min_visibility
        scale = float(np.linalg.norm(xy[[11, 12]].mean(axis=0) - xy[[23, 24]].mean(axis=0)))
        raw.append(facing_camera(xy))
        swapped, _ = fixer(xy, visible, scale)
        fixed.append(facing_camera(swapped))
        swapped_back.append(fixer.swapped)
    return np.array(raw), np.array(fixed), np.array(swapped_back).reshape(-1, len(SIDE_GROUPS))


def describe(values: np.ndarray) -> str:
    known = values[np.isfinite(values)]
    changes = int(np.count_nonzero(np.diff(known)))
    return f"{int((known > 0).sum())} / {int((known < 0).sum())}, {changes} changes"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=ROOT / "eval_set")
    ap.add_argument(
        "--runs",
        default="runs",
        help="the set's folder of landmarks: runs (default), or runs-heavy after "
        "bench_accuracy.py --model heavy",
    )
    args = ap.parse_args(argv)
    cfg = DetectorConfig()
    print("clip: frames the pose model ran on; facing the camera / away and changes, as the "
          "pose model gave them; the same after the side-swap fix; frames on which the fix "
          "swapped the arms back, and the legs")  # fmt: skip
    clips = json.loads((args.set / "videos" / "index.json").read_text())["clips"]
    for clip in clips:
        path = args.set / args.runs / clip["name"] / "landmarks.npz"
        if clip.get("persons", 1) > 1 or not path.exists():
            continue
        raw, fixed, back = readings(LandmarkSeries.load(path), cfg)
        arms, legs = back[:, 1:].mean(axis=0) if len(back) else (np.nan, np.nan)
        print(
            f"  {clip['name']}: {len(raw)}; {describe(raw)}; {describe(fixed)}; "
            f"{arms:.1%}, {legs:.1%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
