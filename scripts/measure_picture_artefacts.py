"""Checks of the picture's own measures on sets of clips, behind rules of the twenty-fourth
and twenty-sixth passes (``docs/accuracy.md``):

- **Zero flow.** For every jerk of a ``scripts/bench_accuracy.py`` run, whether the
  picture's flow was zero at every landmark on every frame from one before its onset to
  three past its peak (landmark jerks; picture jerks: onset to offset), so that the motion
  gate saw nothing change at its fixed step, and whether the jerk matched a scripted one.
- **Flow share.** For every landmark jerk, the picture's largest movement anywhere on the
  person, from one frame before its onset to ``picture_after_s`` past its peak, as a share
  of the largest landmark excursion there, if the flow followed that region throughout
  (``_PersonDetector._flow_stood_still`` sets a jerk aside below
  ``DetectorConfig.picture_glitch_share``; run the bench with ``--detector
  picture_glitch_share=0`` to see the jerks it sets aside).
- **Background shift.** Every frame whose background shift is above
  ``DetectorConfig.camera_shift``, inside a scripted camera shake or not, and whether the
  motion gate saw any pixel change on the person there (``MotionTracker.update``).

    python scripts/measure_picture_artefacts.py --set eval_set --bench eval_set/bench-doc.json \
        --set eval_set/holdout-1100 --bench eval_set/holdout-1100/bench-full.json   # pooled
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_accuracy import TOLERANCE_S, person_labels  # noqa: E402
from measure_regions import measures, sets_and_benches  # noqa: E402

from vidmyo.config import DetectorConfig  # noqa: E402
from vidmyo.landmarks import LandmarkSeries  # noqa: E402
from vidmyo.motion import frames_for, known_and_still  # noqa: E402


def flow_checks(bench: Path, folder: Path, cfg: DetectorConfig):
    """(clip, onset frame, a picture jerk, the matching scripted jerk's amplitude or None,
    flow zero throughout, flow share or None, the landmark excursion it is a share of) per
    jerk; the share (see the module's doc) of landmark jerks only."""
    for rec in json.loads(bench.read_text())["videos"]:
        series = LandmarkSeries.load(folder / "runs" / rec["name"] / "landmarks.npz")
        slots, pair = {None: 0}, series.persons > 1
        if pair:
            doc = json.loads((folder / "videos" / f"{rec['name']}.truth.json").read_text())
            slots = {who: slot for slot, who in person_labels(series, doc).items()}
        flow = series.flow  # (frames, persons, 33, 2)
        measured: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        after = frames_for(cfg.picture_after_s, rec["fps"])
        for e in next(iter(rec["runs"].values()))["events"]:
            slot = slots.get(e.get("person") if pair else None)
            if e["kind"] != "jerk" or slot is None:
                continue
            picture = e.get("evidence") == "picture"
            near = [
                t for t in rec["truth"]
                if t["kind"] == "jerk"
                and (not pair or t.get("person") == e.get("person"))
                and abs(t["onset_s"] - e["onset_s"]) <= TOLERANCE_S
            ]  # fmt: skip
            matched = near[0]["amplitude"] if near else None
            lo, hi = (e["onset_frame"], e["offset_frame"] + 1) if picture else (
                max(0, e["onset_frame"] - 1), e["peak_frame"] + 4)  # fmt: skip
            still = known_and_still(flow[lo:hi, slot])
            share = size = None
            if not picture:
                if slot not in measured:
                    measured[slot] = measures(series, slot, rec["fps"])
                excursion, moved = measured[slot]
                window = slice(max(0, e["onset_frame"] - 1), e["peak_frame"] + after + 1)
                largest = int(np.nanargmax(np.nanmax(excursion[window], axis=0)))
                size = float(np.nanmax(excursion[window, largest]))
                if not np.isnan(moved[window, largest]).any():
                    share = float(np.nanmax(moved[window])) / size
            yield rec["name"], e["onset_frame"], picture, matched, still, share, size


def shifted_frames(folder: Path, cfg: DetectorConfig):
    """(clip, frame, inside a scripted shake, picture changed on the person, shift px) per
    frame whose background shift is above ``camera_shift``."""
    for clip in json.loads((folder / "videos" / "index.json").read_text())["clips"]:
        run = folder / "runs" / clip["name"] / "landmarks.npz"
        truth = folder / "videos" / f"{clip['name']}.truth.json"
        if not run.exists() or not truth.exists():
            continue
        series = LandmarkSeries.load(run)
        video = series.meta["video"]
        limit = cfg.camera_shift * max(video["width"], video["height"])
        events = json.loads(truth.read_text())["events"]
        shakes = [(t["onset_frame"] - 2, t["offset_frame"] + 2) for t in events
                  if t["kind"] == "camera_shake"]  # fmt: skip
        shift = np.hypot(*series.shift.T)
        for i in np.nonzero(shift > limit)[0]:
            changed = series.changed_pixels[i]
            unchanged = known_and_still(changed)
            inside = any(a <= i <= b for a, b in shakes)
            yield clip["name"], int(i), inside, not unchanged, float(shift[i])


def main(argv: list[str] | None = None) -> int:
    pairs = sets_and_benches(__doc__.split("\n\n")[0], argv, "bench-doc.json")
    sets = [s for s, _ in pairs]
    cfg = DetectorConfig()
    jerks = [(s.name, *row) for s, b in pairs for row in flow_checks(b, s, cfg)]
    for picture in (False, True):
        kind = [j for j in jerks if j[3] == picture]
        still = [j for j in kind if j[5]]
        print(f"{len(kind)} {'picture' if picture else 'landmark'} jerks; with zero flow "
              f"throughout: {len(still)}, {sum(j[4] is not None for j in still)} of them "
              "matched a scripted jerk")  # fmt: skip
        for name, clip, frame, _, matched, _, _, _ in still:
            print(f"  {name}/{clip} frame {frame}: {'true' if matched else 'false'}")
    followed = [j for j in jerks if j[6] is not None]
    bar = cfg.picture_glitch_share
    for matched in (True, False):
        rows = [j for j in followed if (j[4] is not None) == matched]
        below = sum(j[6] < bar for j in rows)
        shares = np.array([j[6] for j in rows])
        low = f", lowest {shares.min():.3f}" if len(rows) else ""
        print(f"landmark jerks {'matching' if matched else 'not matching'} a scripted jerk, "
              f"flow followed throughout: {len(rows)}{low}; below picture_glitch_share "
              f"({bar}): {below}")  # fmt: skip
    print("  those with a flow share under 0.05 (clip, frame: share of the landmark "
          "excursion; the scripted jerk's size)")  # fmt: skip
    for name, clip, frame, _, matched, _, share, size in sorted(followed, key=lambda j: j[6]):
        if share >= 0.05:
            break
        truth = f"scripted {matched:.3f}" if matched is not None else "false"
        print(f"  {name}/{clip} frame {frame}: {share:.3f} of {size:.3f}; {truth}")
    frames = [(s.name, *row) for s in sets for row in shifted_frames(s, cfg)]
    for inside in (True, False):
        rows = [f for f in frames if f[3] == inside]
        quiet = [f for f in rows if not f[4]]
        where = "inside scripted camera shakes" if inside else "outside them"
        shifts = [f[5] for f in quiet]
        span = f" (shift {min(shifts):.0f}-{max(shifts):.0f} px)" if shifts else ""
        print(f"frames shifted above camera_shift {where}: {len(rows)}, with no change on "
              f"the person {len(quiet)}{span}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
