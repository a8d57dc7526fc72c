"""Where limbs touch, the flow at one's landmarks follows the other's jerk: the numbers behind
``DetectorConfig.limb_contact`` (``docs/accuracy.md``, twenty-seventh pass).

For every jerk of a ``scripts/bench_accuracy.py`` run whose primary region is an arm or a leg
and that matches a scripted jerk of the target class (landmark and picture jerks), and for
each other limb: how close that limb's landmarks came to the jerking limb's bones at the
detected onset (``vidmyo.motion.limb_gaps``, torso lengths, as the detector sees the
landmarks), how far the picture moved there against the jerking limb (flow, from the frame
before the onset to two frames after the peak, or to the end of a picture jerk), whether
the limb was scripted, and whether the run reported it. It prints the gaps of limbs that
were scripted and of those that were not, each split by whether they were reported, and
lists every limb that came within ``NEAR`` torso lengths.

    python scripts/measure_limb_contact.py --set eval_set/holdout-1900-pose2sim \\
        --bench eval_set/holdout-1900-pose2sim/bench-full.json
"""

from __future__ import annotations

import sys
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure_regions import matched_jerks, sets_and_benches, tracked  # noqa: E402

from vidmyo.config import DetectorConfig  # noqa: E402
from vidmyo.landmarks import LIMBS, REGIONS  # noqa: E402
from vidmyo.motion import limb_gaps  # noqa: E402

NEAR = 0.25
"""Torso lengths: closer limbs are listed one by one."""


def contacts(folder: Path, bench: Path):
    """(clip, onset frame, primary limb, other limb, gap, flow share, scripted, reported)."""
    cache: dict[tuple[str, int], list] = {}
    for rec, series, slot, e, truth in matched_jerks(bench, folder, picture=True):
        primary = e["primary_region"]
        if primary not in LIMBS:
            continue
        if (rec["name"], slot) not in cache:
            samples = tracked(series, slot, rec["fps"], DetectorConfig())
            cache[(rec["name"], slot)] = [s for _, s in samples]
        samples = cache[(rec["name"], slot)]
        onset = samples[e["onset_frame"]]
        gaps = limb_gaps(onset.xy, onset.scale, REGIONS.index(primary))
        last = e["offset_frame"] if e.get("evidence") == "picture" else e["peak_frame"] + 2
        window = samples[max(0, e["onset_frame"] - 1) : last + 1]
        with warnings.catch_warnings():  # regions unknown throughout are all-NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            flow = np.nanmax([s.picture_moved for s in window], axis=0)
        own = flow[REGIONS.index(primary)]
        for other in LIMBS:
            if other == primary:
                continue
            r = REGIONS.index(other)
            share = flow[r] / own if own > 0 else float("nan")
            yield (rec["name"], e["onset_frame"], primary, other, gaps[r], share,
                   other in truth["regions"], other in e["regions"])  # fmt: skip


def span(values: list[float]) -> str:
    known = sorted(v for v in values if np.isfinite(v))
    if not known:
        return "-"
    return f"{len(values)}: {known[0]:.3f}-{known[-1]:.3f} (median {np.median(known):.3f})"


def main(argv: list[str] | None = None) -> int:
    pairs = sets_and_benches(__doc__.split("\n\n")[0], argv, "bench-full.json")
    rows = [row for folder, bench in pairs for row in contacts(folder, bench)]
    groups: dict[tuple[bool, bool], list[float]] = defaultdict(list)
    for *_, gap, _, scripted, reported in rows:
        groups[(scripted, reported)].append(gap)
    print(f"{len(rows)} other limbs at {len(rows) // 3} limb jerks; gap to the jerking limb's "
          "bones at onset (torso lengths):")  # fmt: skip
    for (scripted, reported), gaps in sorted(groups.items()):
        print(f"  {'scripted' if scripted else 'not scripted'}, "
              f"{'reported' if reported else 'not reported'}: {span(gaps)}")  # fmt: skip
    print(f"within {NEAR}: clip, onset frame, jerking limb, other limb, gap, "
          "flow share, scripted, reported")  # fmt: skip
    for clip, frame, primary, other, gap, share, scripted, reported in sorted(
        rows, key=lambda row: row[4] if np.isfinite(row[4]) else np.inf
    ):
        if gap <= NEAR:
            marks = ("scripted" if scripted else "-", "reported" if reported else "-")
            print(f"  {clip} {frame} {primary} {other} {gap:.3f} {share:.2f}", *marks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
