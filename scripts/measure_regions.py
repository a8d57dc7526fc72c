"""How well the landmarks and the picture's flow say where a jerk was: the numbers behind
``DetectorConfig.picture_region_share``, ``picture_region_floor`` and the primary region of a
landmark jerk (``docs/accuracy.md``, fourteenth pass).

For every landmark jerk of a ``scripts/bench_accuracy.py`` run that matches a scripted jerk
of the target class, the motion core is run again over the saved landmarks, and each region's
largest landmark excursion and largest flow (``MotionSample.excursion``, ``picture_moved``,
torso lengths) are taken from the frame before the detected onset to two frames after the
detected peak. It prints:

- the flow at regions that were scripted and at regions that were not, against the flow at
  the region the landmarks moved most (percentiles);
- how many primary regions the landmarks alone, the flow alone and the two together (the
  geometric mean of their ratios, as the detector does) get right;
- how many distributions a region rule gets right: regions where the picture moved at least
  SHARE of the primary's movement and FLOOR torso lengths;
- at jerks whose primary region is the trunk: the flow at each other region that was not
  scripted, against the trunk's (what a trunk jerk leaves on the regions it carries), and
  at the head and arms, scripted or not (``DetectorConfig.picture_rider_share``); at jerks
  whose primary region is an arm or a leg: the flow at the trunk, scripted or not, against
  the limb's (what a limb's jerk leaves on its shoulder or hip);
- per region, the median landmark excursion and flow against the region's scripted movement
  of its own, where that is at least 0.05 torso lengths (the pose model follows the
  trunk's less than the other regions': ``docs/accuracy.md``, twentieth pass).

    python scripts/measure_regions.py --set eval_set --bench eval_set/bench-reuse.json
    python scripts/measure_regions.py --set eval_set --bench eval_set/bench-reuse.json \
        --set eval_set/holdout --bench eval_set/holdout/bench-full.json   # sets pooled
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

from bench_accuracy import TARGET_FPS, TOLERANCE_S, is_target, person_labels  # noqa: E402

from vidmyo.config import DetectorConfig  # noqa: E402
from vidmyo.landmarks import LIMBS, REGIONS, RIDES_ON_TRUNK, LandmarkSeries  # noqa: E402
from vidmyo.motion import MotionTracker  # noqa: E402
from vidmyo.results import distribution_of  # noqa: E402

RULES = [(0.5, 0.02), (0.3, 0.015), (0.25, 0.015), (0.2, 0.015), (0.25, 0.01)]


def tracked(series: LandmarkSeries, slot: int, fps: float, cfg: DetectorConfig):
    """(frame, motion sample) of one person per frame, as the detector's motion core saw it."""
    video = series.meta["video"]
    tracker = MotionTracker(cfg, fps, (video["width"], video["height"]))
    for f in series.frames():
        s = tracker.update(f.index, f.t, f.xy[slot], f.visibility[slot], bool(f.present[slot]),
                           f.brightness, f.shift, f.inferred, f.changed_pixels[slot],
                           f.flow[slot])  # fmt: skip
        yield f, s


def measures(series: LandmarkSeries, slot: int, fps: float):
    """(frames, 6) landmark excursion and flow of one person, as the detector saw them."""
    samples = [s for _, s in tracked(series, slot, fps, DetectorConfig())]
    excursion = np.array([s.excursion for s in samples], dtype=float)
    return excursion, np.array([s.picture_moved for s in samples], dtype=float)


def matched_jerks(bench: Path, folder: Path, picture: bool = False):
    """(bench record, landmarks, person slot, detected jerk, scripted jerk) per jerk of a
    bench run at 25 fps or more that matches a visible scripted jerk of the target class
    (same person, onsets within the bench's tolerance); picture jerks only if ``picture``."""
    for rec in json.loads(bench.read_text())["videos"]:
        if rec["fps"] < TARGET_FPS:
            continue
        series = LandmarkSeries.load(folder / "runs" / rec["name"] / "landmarks.npz")
        slots, pair = {None: 0}, series.persons > 1
        if pair:  # the bench names a partner clip's people as its truth does
            doc = json.loads((folder / "videos" / f"{rec['name']}.truth.json").read_text())
            slots = {who: slot for slot, who in person_labels(series, doc).items()}
        events = next(iter(rec["runs"].values()))["events"]
        for e in events:
            if e["kind"] != "jerk" or (e.get("evidence") == "picture" and not picture):
                continue
            near = [t for t in rec["truth"] if t["kind"] == "jerk" and t.get("visible", True)
                    and is_target(t) and (not pair or t.get("person") == e.get("person"))
                    and abs(t["onset_s"] - e["onset_s"]) <= TOLERANCE_S]  # fmt: skip
            slot = slots.get(e.get("person") if pair else None)
            if near and slot is not None:
                truth = min(near, key=lambda t: abs(t["onset_s"] - e["onset_s"]))
                yield rec, series, slot, e, truth


def jerks(bench: Path, folder: Path):
    """(truth, landmark excursion, flow, lost) per matched landmark jerk; each (6,)."""
    cache: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
    for rec, series, slot, e, truth in matched_jerks(bench, folder):
        if (rec["name"], slot) not in cache:
            cache[(rec["name"], slot)] = measures(series, slot, rec["fps"])
        excursion, flow = cache[(rec["name"], slot)]
        window = slice(max(0, e["onset_frame"] - 1), e["peak_frame"] + 3)
        with warnings.catch_warnings():  # regions unseen throughout are all-NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            yield (
                truth,
                np.nan_to_num(np.nanmax(excursion[window], axis=0)),
                np.nanmax(flow[window], axis=0),
                np.isnan(flow[window]).any(axis=0),
            )


def primaries(excursion: np.ndarray, flow: np.ndarray, lost: np.ndarray) -> tuple[int, ...]:
    """Primary region by the landmarks, by the flow (regions whose flow was never lost), and
    by both as the detector judges it (the landmarks' if their primary lost its flow)."""
    by_landmarks = int(np.argmax(excursion))
    known = ~lost & np.isfinite(flow)
    by_flow = int(np.nanargmax(np.where(known, flow, np.nan))) if known.any() else by_landmarks
    both = by_landmarks
    if known[by_landmarks] and flow[by_landmarks] > 0:
        score = np.sqrt(excursion / excursion[by_landmarks] * flow / flow[by_landmarks])
        both = int(np.nanargmax(np.where(known, score, np.nan)))
    return by_landmarks, by_flow, both


def sets_and_benches(
    description: str, argv: list[str] | None, bench: str
) -> list[tuple[Path, Path]]:
    """(set folder, its bench_accuracy --json) pairs from ``--set S --bench J`` repeated;
    ``eval_set`` and its ``bench`` file if none are given."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--set", type=Path, action="append", help="repeat with --bench to pool")
    ap.add_argument("--bench", type=Path, action="append", help="its bench_accuracy --json")
    args = ap.parse_args(argv)
    sets = args.set or [ROOT / "eval_set"]
    benches = args.bench or [ROOT / "eval_set" / bench]
    if len(sets) != len(benches):
        ap.error("give one --bench for every --set")
    return list(zip(sets, benches, strict=True))


def main(argv: list[str] | None = None) -> int:
    pairs = sets_and_benches(__doc__.split("\n\n")[0], argv, "bench-reuse.json")
    sets = [s for s, _ in pairs]
    rows = [row for s, b in pairs for row in jerks(b, s)]
    followed: dict[str, tuple[list[float], list[float]]] = {r: ([], []) for r in REGIONS}
    for truth, excursion, flow, lost in rows:
        own = truth.get("region_amplitudes_own") or {}
        for r, region in enumerate(REGIONS):
            if own.get(region, 0.0) >= 0.05:
                followed[region][0].append(excursion[r] / own[region])
                if not lost[r] and np.isfinite(flow[r]):
                    followed[region][1].append(flow[r] / own[region])
    scripted, other = [], []
    on_trunk: dict[str, list[float]] = {r: [] for r in REGIONS if r != "trunk"}
    riders: dict[bool, list[float]] = {True: [], False: []}  # scripted or not
    roots: dict[bool, list[float]] = {True: [], False: []}  # the trunk at a limb's jerk
    right = np.zeros(3, int)
    distributions = np.zeros(len(RULES), int)
    for truth, excursion, flow, lost in rows:
        found = primaries(excursion, flow, lost)
        right += [REGIONS[p] == truth["primary_region"] for p in found]
        p = found[2]
        if not (np.isfinite(flow[p]) and flow[p] > 0):
            continue
        for r in range(len(REGIONS)):
            if r != p and np.isfinite(flow[r]):
                (scripted if REGIONS[r] in truth["regions"] else other).append(flow[r] / flow[p])
                if REGIONS[p] == "trunk" and REGIONS[r] not in truth["regions"]:
                    on_trunk[REGIONS[r]].append(flow[r] / flow[p])
                if REGIONS[p] == "trunk" and REGIONS[r] in RIDES_ON_TRUNK:
                    riders[REGIONS[r] in truth["regions"]].append(flow[r] / flow[p])
                if REGIONS[p] in LIMBS and REGIONS[r] == "trunk":
                    roots["trunk" in truth["regions"]].append(flow[r] / flow[p])
        for k, (share, floor) in enumerate(RULES):
            least = max(floor, share * flow[p])
            regions = [REGIONS[r] for r in range(len(REGIONS)) if r == p or flow[r] >= least]
            distributions[k] += distribution_of(regions) == truth["distribution"]
    n = len(rows)
    print(f"{', '.join(map(str, sets))}: {n} landmark jerks at scripted target-class jerks")
    for label, values in (("scripted", scripted), ("not scripted", other)):
        if values:
            q = np.percentile(values, [10, 25, 50, 75, 90])
            print(f"  flow at {label} regions / the primary's: 10th-90th percentile "
                  + ", ".join(f"{v:.2f}" for v in q))  # fmt: skip
    print(f"  primary region right: landmarks {right[0]}, flow {right[1]}, both {right[2]} of {n}")
    for region, values in on_trunk.items():
        if values:
            print(f"  trunk primary, {region} not scripted: {len(values)} jerks, flow / the "
                  f"trunk's median {np.median(values):.2f}, max {max(values):.2f}, "
                  f"{sum(v >= 0.4 for v in values)} at 0.4 or more")  # fmt: skip
    for label, shares, of in (("trunk primary, head and arms", riders, "the trunk's"),
                              ("arm or leg primary, trunk", roots, "the limb's")):  # fmt: skip
        for was in (False, True):
            if values := shares[was]:  # what ``picture_rider_share`` separates
                print(f"  {label} {'' if was else 'not '}scripted: {len(values)}, flow / "
                      f"{of} {min(values):.2f}-{max(values):.2f}, "
                      + ", ".join(f"{sum(v >= c for v in values)} at {c} or more"
                                  for c in (0.25, 0.35)))  # fmt: skip
    print("  against the region's scripted movement of its own (≥ 0.05), median:")
    for region, (by_landmarks, by_flow) in followed.items():
        if by_landmarks:
            flow = f", flow {np.median(by_flow):.2f} ({len(by_flow)})" if by_flow else ""
            print(
                f"    {region}: landmarks {np.median(by_landmarks):.2f} ({len(by_landmarks)})"
                + flow
            )
    rules = zip(RULES, distributions, strict=True)
    print("  distribution right, by share and floor: "
          + "; ".join(f"{s}, {f}: {d}" for (s, f), d in rules) + f" (of {n})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
