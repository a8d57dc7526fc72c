"""What a trunk jerk leaves on the head and arms in the picture: the numbers behind
``DetectorConfig.picture_carriage_slack`` (``docs/accuracy.md``, twenty-fifth pass).

For every jerk of a ``scripts/bench_accuracy.py`` run (landmark and picture jerks) that
matches a scripted jerk of the target class whose primary region is the trunk, the motion
core is run again over the saved landmarks, and each region's movement in the picture is
taken as a vector (``vidmyo.motion.picture_vectors``) on the frames from one before the
detected onset to two after the detected peak. It prints, for normal-light and dark clips:

- the trunk's largest movement in the picture against its scripted movement of its own;
- per head or arm, scripted or not: its largest movement along the trunk's, on the frames
  where the trunk moved most, as a share of the trunk's largest movement (what a shortfall
  of the trunk's flow leaves on it);
- how many of them still moved ``picture_rider_share`` of the trunk's movement or more,
  with no slack and with SLACK of the trunk's movement along it taken off
  (``vidmyo.motion.less_trunk_shortfall``).

    python scripts/measure_carriage.py --set eval_set --bench eval_set/bench-doc.json \\
        --set eval_set/holdout-1100 --bench eval_set/holdout-1100/bench-full.json   # pooled
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure_regions import matched_jerks, sets_and_benches, tracked  # noqa: E402

from vidmyo.config import DetectorConfig  # noqa: E402
from vidmyo.landmarks import REGIONS, RIDES_ON_TRUNK, LandmarkSeries  # noqa: E402
from vidmyo.motion import less_trunk_shortfall, picture_vectors  # noqa: E402

TRUNK = REGIONS.index("trunk")
SLACKS = (0.0, 0.2, 0.3, 0.5)


def vectors(series: LandmarkSeries, slot: int, fps: float) -> np.ndarray:
    """(frames, 6, 2) each region's movement in the picture, as the motion core measures it."""
    cfg = DetectorConfig()
    return np.array([
        picture_vectors(f.xy[slot], f.flow[slot], s.usable, s.scale, cfg.picture_region_floor)
        for f, s in tracked(series, slot, fps, cfg)
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    pairs = sets_and_benches(__doc__.split("\n\n")[0], argv, "bench-doc.json")
    share = DetectorConfig().picture_rider_share
    riders = [REGIONS.index(r) for r in RIDES_ON_TRUNK]
    trunk_followed: dict[str, list[float]] = {"light": [], "dark": []}
    riders_seen: dict[tuple[str, bool], list[tuple[float, np.ndarray]]] = {}
    counts = {"light": 0, "dark": 0}
    cache: dict[tuple[Path, str, int], np.ndarray] = {}
    for folder, bench in pairs:
        for rec, series, slot, e, truth in matched_jerks(bench, folder, picture=True):
            if truth["primary_region"] != "trunk":
                continue
            light = rec["tags"]["light"]
            key = (folder, rec["name"], slot)
            if key not in cache:
                cache[key] = vectors(series, slot, rec["fps"])
            window = cache[key][max(0, e["onset_frame"] - 1) : e["peak_frame"] + 3]
            size = np.linalg.norm(window[:, TRUNK], axis=1)
            with warnings.catch_warnings():  # a frame with every region unknown
                warnings.simplefilter("ignore", RuntimeWarning)
                largest = np.nanmax(size, initial=0.0)
                leads = size >= np.nanmax(np.linalg.norm(np.delete(window, TRUNK, 1), axis=2), 1)
            if not largest > 0:
                continue
            counts[light] += 1
            own = (truth.get("region_amplitudes_own") or {}).get("trunk", 0.0)
            if own > 0:
                trunk_followed[light].append(largest / own)
            less = {k: np.array([less_trunk_shortfall(v, k) for v in window]) for k in SLACKS}
            for r in riders:
                was = REGIONS[r] in truth["regions"]
                parts = np.einsum("fi,fi->f", window[:, r], window[:, TRUNK]) / np.where(
                    size > 0, size, np.nan
                )
                with warnings.catch_warnings():  # the rider unknown on every frame
                    warnings.simplefilter("ignore", RuntimeWarning)
                    part = np.nanmax(np.where(leads, parts, np.nan), initial=-np.inf) / largest
                    moved = [np.nanmax(np.linalg.norm(less[k][:, r], axis=1), initial=0.0)
                             for k in SLACKS]  # fmt: skip
                reached = np.array([m >= share * largest for m in moved], int)
                riders_seen.setdefault((light, was), []).append((part, reached))
    print(", ".join(str(f) for f, _ in pairs))
    for light in ("light", "dark"):
        followed = trunk_followed[light]
        median = f"{np.median(followed):.2f}" if followed else "-"
        print(f"{light}: {counts[light]} jerks with the trunk primary; the trunk's movement in "
              f"the picture / its scripted movement, median {median}")  # fmt: skip
        for was in (False, True):
            seen = riders_seen.get((light, was), [])
            values = [part for part, _ in seen if np.isfinite(part)]
            if not values:
                continue
            q = np.percentile(values, [50, 90])
            reached = sum(r for _, r in seen)
            slacks = ", ".join(f"{n} with slack {k}" for k, n in zip(SLACKS, reached, strict=True))
            print(f"  head and arms {'' if was else 'not '}scripted: {len(seen)}; along the "
                  f"trunk's movement / the trunk's: median {q[0]:.2f}, 90th percentile "
                  f"{q[1]:.2f}, max {max(values):.2f}; moved {share} of the trunk's or more: "
                  f"{slacks}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
