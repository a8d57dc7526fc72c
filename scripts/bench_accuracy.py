"""Detection accuracy on the evaluation set built by ``scripts/make_eval_set.py``.

Landmark scenarios go through :func:`vidmyo.events.detect_events` (no model); video clips
through :func:`vidmyo.pipeline.analyze` with default settings (model full; ``--persons 2`` for
the two-person clips). Everything is scored with :func:`vidmyo.evaluate.compare_events` (a
detection matches a true jerk when their onsets differ by at most 0.2 s, one to one, and, with
two people, when it names the right person; jerks hidden under a blanket are excused).
Printed, per condition and overall: jerk recall and precision, onset error (median and 95th
percentile, frames and ms), primary-region and distribution accuracy, distractors called
jerks, false jerks per hour of quiet footage, a confidence calibration table, the issue's
target class (visible jerks of at least 0.05 torso lengths at 25 fps or more), and the effect
of ``DetectorConfig(sensitivity=…)`` at 0.5, 1 and 2 on the landmark set. The tables, the
command, date and machine, and which targets are met go into ``docs/accuracy.md`` (between
the ``bench`` markers).

    python scripts/bench_accuracy.py --quick     # a small subset, about a minute
    python scripts/bench_accuracy.py             # everything (see docs/accuracy.md for time)
    python scripts/bench_accuracy.py --reuse-landmarks   # clips: detection only, on the
                                                          # landmarks of the last full run
    python scripts/bench_accuracy.py --no-landmarks --model heavy --json eval_set/bench-heavy.json
        # the clips with another pose model (landmarks in eval_set/runs-heavy/; no doc update)
    python scripts/bench_accuracy.py --reuse-landmarks --detector picture_jerks=false
        # an ablation: one DetectorConfig setting changed (no doc update)
    python scripts/bench_accuracy.py --reuse-landmarks --fresh dark
        # after a change to what pose sees (the motion gate): pose again on the dark clips only
    python scripts/bench_accuracy.py --set eval_set/holdout --no-landmarks --no-doc
        # the holdout clips (scripts/make_eval_set.py --holdout)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _docsection import write_section  # noqa: E402  (scripts/ is on sys.path when run)

from vidmyo.config import Config, DetectorConfig, PoseConfig  # noqa: E402
from vidmyo.evaluate import (  # noqa: E402
    DISTRACTOR_KINDS,
    Comparison,
    calibration,
    compare_events,
    proportion_interval,
)
from vidmyo.landmarks import REGION_LANDMARKS  # noqa: E402

SET = REPO / "eval_set"
DOC = REPO / "docs" / "accuracy.md"
SENSITIVITIES = (0.5, 1.0, 2.0)
TOLERANCE_S = 0.2
QUIET_MARGIN_S = 1.0
"""Footage counts as quiet more than this far from every scripted event."""
TARGET_AMPLITUDE = 0.05
TARGET_FPS = 25.0

TARGETS = {
    "recall": 0.95,
    "precision": 0.95,
    "onset_median_frames": 1.0,
    "onset_p95_frames": 3.0,
    "primary": 0.95,
    "distribution": 0.90,
    "distractors_called": 0.05,
    "false_per_hour": 1.0,
}


# ---------------------------------------------------------------------------------------------
# Running the detector
# ---------------------------------------------------------------------------------------------


def detector_overrides(pairs: list[str]) -> dict:
    """``--detector NAME=VALUE`` pairs as ``DetectorConfig`` keyword arguments, typed by the
    field's default (an ablation: ``--detector picture_jerks=false``)."""
    defaults = DetectorConfig()
    out = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        if not hasattr(defaults, name) or not text:
            raise SystemExit(f"--detector {pair}: expected NAME=VALUE of a DetectorConfig field")
        kind = type(getattr(defaults, name))
        out[name] = text.lower() in ("1", "true", "yes") if kind is bool else kind(text)
    return out


def detect_scenario(args: tuple[Path, tuple[float, ...], dict]) -> tuple[str, dict]:
    """Worker: detect on one landmark scenario at the given sensitivities."""
    from vidmyo.events import detect_events
    from vidmyo.landmarks import LandmarkSeries

    path, sensitivities, overrides = args
    series = LandmarkSeries.load(path)
    video = series.meta["video"]
    out = {}
    for s in sensitivities:
        started = time.perf_counter()
        events, _ = detect_events(
            series.frames(),
            DetectorConfig(sensitivity=s, **overrides),
            video["fps"],
            (video["width"], video["height"]),
        )
        out[s] = {
            "events": [e.to_dict() for e in events],
            "seconds": time.perf_counter() - started,
        }
    return path.stem, out


def run_landmarks(
    folder: Path, quick: bool, jobs: int, log, overrides: dict | None = None
) -> list[dict]:
    index = json.loads((folder / "index.json").read_text())["scenarios"]
    chosen = [r for r in index if (r.get("quick") if quick else not r.get("quick_only"))]
    # The sensitivity sweep: every other scenario with events.
    events_only = [r for r in chosen if not r["quiet"]]
    sweep = {r["name"] for r in events_only[::2]}
    tasks = [
        (
            folder / f"{r['name']}.npz",
            SENSITIVITIES if r["name"] in sweep else (1.0,),
            overrides or {},
        )
        for r in sorted(chosen, key=lambda r: -r["frames"])
    ]
    recs = {}
    started = time.time()
    log(
        f"landmarks: {len(tasks)} scenarios ({len(sweep)} in the sensitivity sweep), {jobs} workers"
    )
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            for name, out in pool.map(detect_scenario, tasks):
                recs[name] = out
    else:
        for task in tasks:
            name, out = detect_scenario(task)
            recs[name] = out
    log(f"landmarks: done in {time.time() - started:.0f} s")
    rows = []
    for r in chosen:
        truth = json.loads((folder / f"{r['name']}.truth.json").read_text())
        rows.append(
            {
                "name": r["name"],
                "kind": "landmarks",
                "tags": truth["tags"],
                "fps": truth["tags"]["fps"],
                "seconds": r["seconds"],
                "truth": truth["events"],
                "runs": recs[r["name"]],
            }
        )
    return rows


TRUNK_LANDMARKS = list(REGION_LANDMARKS["trunk"])  # shoulders and hips


def person_labels(series, truth_doc: dict) -> dict[int, str]:
    """Which of the truth's people (``persons`` in a ``--pair`` clip) each landmark slot
    holds: the slot whose median shoulders and hips lie nearest a person's rest position,
    nearest pairs first."""
    people = {
        p["person"]: np.asarray(p["rest_landmarks_px"], float)[TRUNK_LANDMARKS].mean(axis=0)
        for p in truth_doc.get("persons", [])
    }
    pairs = []
    for slot in range(series.xy.shape[1]):
        pts = series.xy[series.present[:, slot], slot][:, TRUNK_LANDMARKS]
        if not len(pts):
            continue
        where = np.nanmedian(pts.reshape(-1, 2), axis=0)
        pairs += [(float(np.hypot(*(where - xy))), slot, who) for who, xy in people.items()]
    labels: dict[int, str] = {}
    for _, slot, who in sorted(pairs):
        if slot not in labels and who not in labels.values():
            labels[slot] = who
    return labels


def run_videos(
    folder: Path,
    runs: Path,
    quick: bool,
    reuse: bool,
    log,
    model: str = "full",
    overrides: dict | None = None,
    fresh: list[str] | None = None,
) -> list[dict]:
    """Runs vidmyo on each clip; with ``reuse``, detection alone on its saved landmarks,
    except for clips whose names contain one of ``fresh`` (a change to what pose sees, such
    as the motion gate's, needs new landmarks for the clips it touches only)."""
    from vidmyo.landmarks import LandmarkSeries
    from vidmyo.pipeline import analyze, detect, detect_series

    index = json.loads((folder / "index.json").read_text())["clips"]
    chosen = [c for c in index if c.get("quick")] if quick else index
    rows = []
    for clip in chosen:
        video = (folder / clip["video"]) if clip["name"] != "sample_jerks" else REPO / clip["video"]
        truth_doc = json.loads(video.with_suffix(".truth.json").read_text())
        out = runs / clip["name"]
        started = time.perf_counter()
        landmarks = out / "landmarks.npz"
        persons = clip.get("persons", 1)  # a --pair clip: --persons 2
        config = Config(
            pose=PoseConfig(persons=persons, model=model),
            detector=DetectorConfig(**(overrides or {})),
        )
        if reuse and landmarks.exists() and not any(f in clip["name"] for f in fresh or []):
            analysis = detect(landmarks, config, out)
            how = "detect (landmarks reused)"
        else:
            analysis = analyze(video, config, out)
            how = "analyze"
        took = time.perf_counter() - started
        doc = analysis.to_dict()
        # The same landmarks without the picture check, to show what it sets aside.
        unchecked = Config(detector=DetectorConfig(**{**(overrides or {}), "picture_check": False}))
        series = LandmarkSeries.load(landmarks)
        plain = [e.to_dict() for e in detect_series(series, unchecked, analysis.video).events]
        events = doc["events"]
        if persons > 1:  # detections in the truth's names for the people (left / right)
            labels = person_labels(series, truth_doc)
            events = [{**e, "person": labels.get(e["person"])} for e in events]
            plain = [{**e, "person": labels.get(e["person"])} for e in plain]
        log(f"  {clip['name']}: {how}, {took:.0f} s, {doc['summary']['jerk_count']} jerks")
        tags = {k: clip[k] for k in ("posture", "lying", "light", "fps", "blanket", "quiet")}
        tags["background_measured"] = True
        tags["persons"] = persons
        rows.append(
            {
                "name": clip["name"],
                "kind": "video",
                "model": model,
                "tags": tags,
                "fps": truth_doc["fps"],
                "seconds": truth_doc["frame_count"] / truth_doc["fps"],
                "truth": truth_doc["events"],
                "runs": {1.0: {"events": events, "seconds": took}},
                "without_picture_check": plain,
                "info": {
                    "how": how,
                    "wall_s": round(took, 1),
                    "render_s": clip.get("render_s"),
                    "pose_coverage": doc["summary"]["pose_coverage"],
                    "pose_frames": doc["summary"].get("pose_inference_frames"),
                    "frames": doc["video"]["frame_count"],
                    "rotation": series.meta.get("rotation"),  # as pose ran, also on reuse
                    "unseen": doc["summary"].get("unseen_regions", []),
                },
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


def is_target(t: dict) -> bool:
    return t.get("amplitude", 0.0) >= TARGET_AMPLITUDE - 1e-9


def distractor_kind(t: dict) -> str:
    if t["kind"] == "dropout" and t.get("regions"):
        return "region dropout"
    if t["kind"] == "camera_shake":
        return "camera shake"
    return t["kind"].replace("_", " ")


def quiet_seconds(truth: list[dict], seconds: float) -> tuple[float, list[tuple[float, float]]]:
    spans = sorted(
        (
            max(0.0, t["onset_s"] - QUIET_MARGIN_S),
            min(seconds, t.get("offset_s", t["onset_s"]) + QUIET_MARGIN_S),
        )
        for t in truth
    )
    busy, end = 0.0, 0.0
    for a, b in spans:
        a = max(a, end)
        if b > a:
            busy += b - a
            end = b
    return max(0.0, seconds - busy), spans


def score(rec: dict, sensitivity: float = 1.0) -> dict:
    """Per-recording rows: truth jerks, detected jerks and distractors, with their outcome."""
    truth, fps = rec["truth"], rec["fps"]
    events = rec["runs"][sensitivity]["events"]
    comp = compare_events(events, truth, TOLERANCE_S, fps)
    target = compare_events(events, truth, TOLERANCE_S, fps, include=is_target)
    matched = {ti: di for ti, di in comp.matches}
    jerks = []
    for ti, t in enumerate(truth):
        if t["kind"] != "jerk" or not t.get("visible", True):
            continue
        row = {
            "amplitude": t["amplitude"],
            "duration_ms": round(
                1000 * t.get("duration_s", 0) if "duration_s" in t else t.get("duration_ms", 0)
            ),
            "distribution": t["distribution"],
            "primary": t["primary_region"],
            "regions": t["regions"],
            "stay": t.get("stay", 0.0),
            "min_region_amplitude": min(
                (t.get("region_amplitudes") or {}).get(r, t["amplitude"]) for r in t["regions"]
            ),
            "found": ti in matched,
            "onset_frame": t["onset_frame"],
            "target": is_target(t) and fps >= TARGET_FPS,
        }
        if ti in matched:
            d = events[matched[ti]]
            row["err_frames"] = int(d["onset_frame"]) - int(t["onset_frame"])
            row["err_ms"] = 1000 * (d["onset_s"] - t["onset_s"])
            row["primary_ok"] = d["primary_region"] == t["primary_region"]
            row["dist_ok"] = d["distribution"] == t["distribution"]
            row["detected"] = {
                k: d[k]
                for k in ("primary_region", "regions", "distribution", "amplitude", "onset_frame")
            }
        jerks.append(row)
    qs, spans = quiet_seconds(truth, rec["seconds"])
    tp_idx = {di for _, di in comp.matches}
    false = set(comp.false_detections)
    dets = []
    for di, d in enumerate(events):
        if d["kind"] != "jerk":
            continue
        outcome = "tp" if di in tp_idx else ("fp" if di in false else "excused")
        in_quiet = not any(a <= d["onset_s"] <= b for a, b in spans)
        near = min(truth, key=lambda t: abs(t["onset_s"] - d["onset_s"]), default=None)
        dets.append(
            {
                "confidence": d["confidence"],
                "outcome": outcome,
                "in_quiet": in_quiet,
                "onset_s": d["onset_s"],
                "onset_frame": d["onset_frame"],
                "primary": d["primary_region"],
                "amplitude": d["amplitude"],
                "near": None if near is None else f"{near['kind']} at {near['onset_s']:.2f} s",
            }
        )
    attribution = None
    if any(t.get("person") for t in truth):
        # Matched in time whoever it was; then: was it said to be the right person's?
        anyone = compare_events(events, [{**t, "person": None} for t in truth], TOLERANCE_S, fps)
        right = sum(events[di]["person"] == truth[ti]["person"] for ti, di in anyone.matches)
        attribution = (right, len(anyone.matches))
    hit = {ti for ti, _ in comp.distractor_hits}
    distractors = [
        {"kind": distractor_kind(t), "called": ti in hit}
        for ti, t in enumerate(truth)
        if t["kind"] in DISTRACTOR_KINDS
    ]
    return {
        "comp": comp,
        "target": target,
        "jerks": jerks,
        "dets": dets,
        "distractors": distractors,
        "quiet_s": qs,
        "attribution": attribution,
    }


def aggregate(recs: list[dict], scored: dict[str, dict], target_only: bool = False) -> dict:
    """Figures over a set of recordings (scored at one sensitivity)."""
    parts = [scored[r["name"]] for r in recs]
    if target_only:
        parts = [p for p, r in zip(parts, recs, strict=True) if r["fps"] >= TARGET_FPS]
    comps = [p["target"] if target_only else p["comp"] for p in parts]
    c = Comparison.combine(comps)
    err_f = np.abs(c.onset_errors_frames) if c.onset_errors_frames else np.zeros(0)
    err_ms = 1000 * np.abs(c.onset_errors_s) if c.onset_errors_s else np.zeros(0)
    quiet_h = sum(p["quiet_s"] for p in parts) / 3600
    fp_quiet = sum(d["outcome"] == "fp" and d["in_quiet"] for p in parts for d in p["dets"])
    return {
        "jerks": c.true_positives + c.false_negatives,
        "tp": c.true_positives,
        "fp": c.false_positives,
        "recall": c.recall,
        "precision": c.precision,
        "med_f": float(np.median(err_f)) if err_f.size else None,
        "p95_f": float(np.percentile(err_f, 95)) if err_f.size else None,
        "med_ms": float(np.median(err_ms)) if err_ms.size else None,
        "p95_ms": float(np.percentile(err_ms, 95)) if err_ms.size else None,
        "bias_f": float(np.median(c.onset_errors_frames)) if err_f.size else None,
        "primary_correct": c.primary_correct,
        "distribution_correct": c.distribution_correct,
        "primary": c.primary_correct / c.true_positives if c.true_positives else None,
        "distribution": c.distribution_correct / c.true_positives if c.true_positives else None,
        "distractors": c.distractors,
        "called": c.distractors_called,
        "quiet_h": quiet_h,
        "fp_quiet": fp_quiet,
        "fp_per_hour": fp_quiet / quiet_h if quiet_h > 0 else None,
    }


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def pct(v, digits=1):
    return "–" if v is None else f"{100 * v:.{digits}f}%"


def num(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


HEAD = (
    "| condition | recordings | jerks | recall | precision | onset error median / p95, "
    "frames (ms) | primary region | distribution | distractors called jerks | false jerks "
    "per hour of quiet (n / h) |\n| --- |" + " --- |" * 9
)


def row(label: str, n: int, a: dict) -> str:
    onset = (
        f"{num(a['med_f'], 1)} / {num(a['p95_f'], 1)} ({num(a['med_ms'], 0)} / "
        f"{num(a['p95_ms'], 0)})"
    )
    called = f"{a['called']}/{a['distractors']}" + (
        f" ({pct(a['called'] / a['distractors'], 0)})" if a["distractors"] else ""
    )
    fph = f"{num(a['fp_per_hour'], 1)} ({a['fp_quiet']} / {a['quiet_h']:.2f} h)"
    recall = a["recall"] if a["jerks"] else None
    precision = a["precision"] if a["tp"] + a["fp"] else None
    return (
        f"| {label} | {n} | {a['jerks']} | {pct(recall)} | {pct(precision)} | "
        f"{onset} | {pct(a['primary'])} | {pct(a['distribution'])} | {called} | {fph} |"
    )


def condition_rows(recs: list[dict], scored: dict, video: bool) -> list[tuple[str, list[dict]]]:
    def sel(f):
        return [r for r in recs if f(r["tags"])]

    rows = [("**overall**", recs)]
    if video:
        rows += [("upright", sel(lambda t: not t["lying"])), ("lying", sel(lambda t: t["lying"]))]
    else:
        rows += [
            ("upright (standing + sitting)", sel(lambda t: not t["lying"])),
            ("  sitting", sel(lambda t: t["posture"] == "sitting")),
            ("lying (90° + 270°)", sel(lambda t: t["lying"])),
        ]
    rows += [
        ("light", sel(lambda t: t["light"] == "light")),
        ("dark", sel(lambda t: t["light"] == "dark")),
    ]
    for fps in sorted({r["tags"]["fps"] for r in recs}):
        rows.append((f"{fps:g} fps", sel(lambda t, f=fps: t["fps"] == f)))
    rows.append(("blanket over the legs", sel(lambda t: t["blanket"])))
    rows.append(("two people (scored per person)", sel(lambda t: t.get("persons", 1) > 1)))
    if not video:
        rows.append(("no background-shift measure", sel(lambda t: not t["background_measured"])))
    rows += [
        ("upright, light", sel(lambda t: not t["lying"] and t["light"] == "light")),
        ("lying, light", sel(lambda t: t["lying"] and t["light"] == "light")),
        ("lying, dark", sel(lambda t: t["lying"] and t["light"] == "dark")),
        ("quiet recordings only", sel(lambda t: t["quiet"])),
    ]
    return [(label, rs) for label, rs in rows if rs]


def table(recs: list[dict], scored: dict, video: bool, target_only: bool = False) -> str:
    lines = [HEAD]
    for label, rs in condition_rows(recs, scored, video):
        if target_only and label == "quiet recordings only":
            continue
        a = aggregate(rs, scored, target_only)
        if target_only and not a["jerks"]:
            continue
        lines.append(row(label, len(rs), a))
    return "\n".join(lines)


AMP_BINS = (
    (0.0, 0.025, "0.02"),
    (0.025, 0.04, "0.03"),
    (0.04, 0.065, "0.05"),
    (0.065, 0.1, "0.08"),
    (0.1, 0.16, "0.12"),
    (0.16, 0.25, "0.2"),
    (0.25, 9.0, "0.3"),
)
DUR_BINS = ((0, 75, "50"), (75, 125, "100"), (125, 175, "150"), (175, 250, "200"),
            (250, 350, "300"), (350, 10_000, "400"))  # fmt: skip


def by_size(recs: list[dict], scored: dict) -> str:
    """Recall by amplitude (rows) and duration (columns), binned around the set's grid."""
    jerks = [j for r in recs for j in scored[r["name"]]["jerks"]]
    if not jerks:
        return ""
    lines = [
        "| amplitude \\ duration (ms) | " + " | ".join(d[2] for d in DUR_BINS) + " | all |",
        "| --- |" + " --- |" * (len(DUR_BINS) + 1),
    ]
    for lo, hi, label in AMP_BINS:
        cells = []
        for d in [*DUR_BINS, None]:
            sel = [
                j
                for j in jerks
                if lo <= j["amplitude"] < hi and (d is None or d[0] <= j["duration_ms"] < d[1])
            ]
            found = np.mean([j["found"] for j in sel]) if sel else None
            cells.append(f"{pct(found, 0)} ({len(sel)})" if sel else "–")
        lines.append(f"| ~{label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def by_amplitude_bins(recs: list[dict], scored: dict) -> str:
    jerks = [j for r in recs for j in scored[r["name"]]["jerks"]]
    edges = [0.0, 0.05, 0.08, 0.12, 0.2, 1.0]
    lines = [
        "| amplitude (torso lengths) | jerks | recall | primary region | distribution |",
        "| --- | --- | --- | --- | --- |",
    ]
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        sel = [j for j in jerks if lo <= j["amplitude"] < hi]
        found = [j for j in sel if j["found"]]
        recall = np.mean([j["found"] for j in sel]) if sel else None
        lines.append(
            f"| {lo:g}–{hi:g} | {len(sel)} | {pct(recall)}"
            f" | {pct(np.mean([j['primary_ok'] for j in found]) if found else None)}"
            f" | {pct(np.mean([j['dist_ok'] for j in found]) if found else None)} |"
        )
    return "\n".join(lines)


def by_kind(recs: list[dict], scored: dict) -> str:
    jerks = [j for r in recs for j in scored[r["name"]]["jerks"]]
    lines = [
        "| jerk | count | recall | primary region | distribution | onset median / p95 (fr) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    groups: list[tuple[str, list]] = []
    for region in ("head", "trunk", "left_arm", "right_arm", "left_leg", "right_leg"):
        groups.append(
            (
                f"focal {region}",
                [j for j in jerks if j["distribution"] == "focal" and j["primary"] == region],
            )
        )
    groups += [
        ("multifocal", [j for j in jerks if j["distribution"] == "multifocal"]),
        ("generalized", [j for j in jerks if j["distribution"] == "generalized"]),
        (
            "multi-region, every region ≥ 0.05",
            [
                j
                for j in jerks
                if j["distribution"] != "focal" and j["min_region_amplitude"] >= 0.05
            ],
        ),
        ("does not return (stays at 50%)", [j for j in jerks if j["stay"] > 0]),
    ]
    for label, sel in groups:
        if not sel:
            continue
        found = [j for j in sel if j["found"]]
        err = np.abs([j["err_frames"] for j in found]) if found else np.zeros(0)
        lines.append(
            f"| {label} | {len(sel)} | {pct(np.mean([j['found'] for j in sel]))} | "
            f"{pct(np.mean([j['primary_ok'] for j in found]) if found else None)} | "
            f"{pct(np.mean([j['dist_ok'] for j in found]) if found else None)} | "
            f"{num(np.median(err) if err.size else None)} / "
            f"{num(np.percentile(err, 95) if err.size else None)} |"
        )
    return "\n".join(lines)


def distractor_table(recs: list[dict], scored: dict) -> str:
    rows = [d for r in recs for d in scored[r["name"]]["distractors"]]
    kinds = Counter(d["kind"] for d in rows)
    called = Counter(d["kind"] for d in rows if d["called"])
    lines = ["| distractor | scripted | called a jerk |", "| --- | --- | --- |"]
    for k, n in sorted(kinds.items()):
        lines.append(f"| {k} | {n} | {called[k]} ({pct(called[k] / n, 0)}) |")
    return "\n".join(lines)


def calibration_table(recs: list[dict], scored: dict) -> str:
    dets = [d for r in recs for d in scored[r["name"]]["dets"] if d["outcome"] != "excused"]
    rows = calibration([d["confidence"] for d in dets], [d["outcome"] == "tp" for d in dets])
    lines = ["| confidence | detected jerks | true | fraction true |", "| --- | --- | --- | --- |"]
    for r in rows:
        lines.append(
            f"| {r['bin']} | {r['detections']} | {r['true']} | "
            f"{pct(r['fraction_true'], 0) if r['fraction_true'] is not None else '–'} |"
        )
    return "\n".join(lines)


def sweep_table(recs: list[dict]) -> str:
    swept = [r for r in recs if len(r["runs"]) > 1]
    if not swept:
        return "(no sensitivity sweep in this run)"
    lines = [
        "| sensitivity | recall | precision | target recall | target precision | "
        "distractors called | false jerks / h of quiet |",
        "| --- |" + " --- |" * 6,
    ]
    for s in SENSITIVITIES:
        sc = {r["name"]: score(r, s) for r in swept}
        a = aggregate(swept, sc)
        t = aggregate(swept, sc, target_only=True)
        lines.append(
            f"| {s:g} | {pct(a['recall'])} | {pct(a['precision'])} | "
            f"{pct(t['recall'])} | {pct(t['precision'])} | "
            f"{a['called']}/{a['distractors']} | {num(a['fp_per_hour'])} |"
        )
    n_jerks = sum(1 for r in swept for t in r["truth"] if t["kind"] == "jerk")
    lines.append(
        f"\n({len(swept)} landmark scenarios, {n_jerks} scripted jerks, "
        f"{sum(r['seconds'] for r in swept) / 3600:.2f} h.)"
    )
    return "\n".join(lines)


def verdict(
    label: str,
    value,
    goal: float,
    higher: bool,
    unit: str = "",
    count: tuple[int, int] | None = None,
) -> str:
    """One target's line; a rate with its ``count`` (k of n) also gets its 95% interval."""
    if value is None:
        return f"- {label}: no data."
    ok = value >= goal if higher else value <= goal
    if unit == "%":
        shown, want = f"{100 * value:.1f}%", f"{100 * goal:.0f}%"
        gap = f"{100 * abs(value - goal):.1f} points"
    else:
        shown, want, gap = f"{value:.2f}{unit}", f"{goal:g}{unit}", f"{abs(value - goal):.2f}{unit}"
    if count is not None:
        lo, hi = proportion_interval(*count)
        shown += f" ({count[0]} of {count[1]}; 95% interval {100 * lo:.1f}–{100 * hi:.1f}%)"
    rel = "≥" if higher else "≤"
    return f"- {'met' if ok else '**missed**'} — {label}: {shown} (target {rel} {want}" + (
        ")" if ok else f", short by {gap})"
    )


def targets_section(parts: dict[str, tuple[list[dict], dict]]) -> str:
    lines = []
    for name, (recs, scored) in parts.items():
        if not recs:
            continue
        events = [r for r in recs if not r["tags"]["quiet"]]
        lines.append(f"\n**{name}**\n")
        for label, sel, tgt in (
            ("all jerks, overall", recs, False),
            ("all jerks, lying", [r for r in recs if r["tags"]["lying"]], False),
            ("all jerks, dark", [r for r in recs if r["tags"]["light"] == "dark"], False),
            ("target class, overall", recs, True),
            ("target class, lying", [r for r in recs if r["tags"]["lying"]], True),
            ("target class, dark", [r for r in recs if r["tags"]["light"] == "dark"], True),
        ):
            if not sel:
                continue
            a = aggregate(sel, scored, tgt)
            if not a["jerks"]:
                continue
            found, detected = a["tp"], a["tp"] + a["fp"]
            lines.append(
                verdict(
                    f"recall, {label}",
                    a["recall"],
                    TARGETS["recall"],
                    True,
                    "%",
                    (found, a["jerks"]),
                )
            )
            lines.append(
                verdict(
                    f"precision, {label}",
                    a["precision"],
                    TARGETS["precision"],
                    True,
                    "%",
                    (found, detected),
                )
            )
        for label, tgt in (("all jerks", False), ("target class", True)):
            a = aggregate(recs, scored, tgt)
            lines.append(
                verdict(
                    f"onset error median, {label}",
                    a["med_f"],
                    TARGETS["onset_median_frames"],
                    False,
                    " frames",
                )
            )
            lines.append(
                verdict(
                    f"onset error p95, {label}",
                    a["p95_f"],
                    TARGETS["onset_p95_frames"],
                    False,
                    " frames",
                )
            )
            lines.append(
                verdict(
                    f"primary region right, {label}",
                    a["primary"],
                    TARGETS["primary"],
                    True,
                    "%",
                    (a["primary_correct"], a["tp"]),
                )
            )
            lines.append(
                verdict(
                    f"distribution right, {label}",
                    a["distribution"],
                    TARGETS["distribution"],
                    True,
                    "%",
                    (a["distribution_correct"], a["tp"]),
                )
            )
        a = aggregate(events, scored)
        if a["distractors"]:
            lines.append(
                verdict(
                    "distractors called jerks",
                    a["called"] / a["distractors"],
                    TARGETS["distractors_called"],
                    False,
                    "%",
                    (a["called"], a["distractors"]),
                )
            )
        a = aggregate(recs, scored)
        lines.append(
            verdict(
                f"false jerks per hour of quiet footage ({a['quiet_h']:.2f} h)",
                a["fp_per_hour"],
                TARGETS["false_per_hour"],
                False,
                "/h",
            )
        )
    return "\n".join(lines)


def examples(recs: list[dict], scored: dict, limit: int = 12) -> str:
    missed, false = [], []
    for r in recs:
        sc = scored[r["name"]]
        for j in sc["jerks"]:
            if not j["found"] and j["amplitude"] >= TARGET_AMPLITUDE:
                missed.append((r["name"], j))
        for d in sc["dets"]:
            if d["outcome"] == "fp":
                false.append((r["name"], d))
    lines = [
        f"Missed jerks of amplitude ≥ {TARGET_AMPLITUDE} ({len(missed)}; the {limit} largest):\n"
    ]
    missed.sort(key=lambda x: -x[1]["amplitude"])
    for name, j in missed[:limit]:
        lines.append(
            f"- {name}, frame {j['onset_frame']}: {j['distribution']} "
            f"{'+'.join(j['regions'])} (primary {j['primary']}), amplitude "
            f"{j['amplitude']:g}, {j['duration_ms']} ms"
        )
    lines.append(f"\nFalse jerks ({len(false)}; the {limit} most confident):\n")
    for name, d in sorted(false, key=lambda x: -x[1]["confidence"])[:limit]:
        lines.append(
            f"- {name}, frame {d['onset_frame']}: {d['primary']}, amplitude "
            f"{d['amplitude']:.3f}, confidence {d['confidence']:.2f}; nearest scripted "
            f"event: {d['near']}"
        )
    return "\n".join(lines)


def picture_check_table(recs: list[dict]) -> str:
    """Jerks found and false jerks on the clips, with the picture check (the default) and
    without it, on the same landmarks."""
    lines = [
        "| clips | jerks | found with / without | false jerks with / without |",
        "| --- | --- | --- | --- |",
    ]
    for label, rs in split_light([r for r in recs if "without_picture_check" in r]):
        counts = []
        for events in ([r["runs"][1.0]["events"] for r in rs],
                       [r["without_picture_check"] for r in rs]):  # fmt: skip
            comps = [compare_events(ev, r["truth"], TOLERANCE_S, r["fps"])
                     for ev, r in zip(events, rs, strict=True)]  # fmt: skip
            counts.append((sum(c.true_positives for c in comps),
                           sum(c.false_positives for c in comps)))  # fmt: skip
        n = sum(1 for r in rs for t in r["truth"] if t["kind"] == "jerk" and t.get("visible", True))
        (tp, fp), (tp0, fp0) = counts
        lines.append(f"| {label} | {n} | {tp} / {tp0} | {fp} / {fp0} |")
    return "\n".join(lines)


def persons_table(recs: list[dict], scored: dict) -> str:
    """Clips with two people: each person's jerks scored on their own, and how many
    detections that match a scripted jerk in time named the right person."""
    lines = [
        "| clip | person | jerks | found | false jerks | recall | precision | whose jerk right |",
        "| --- |" + " --- |" * 7,
    ]
    for r in recs:
        right, matched = scored[r["name"]]["attribution"]
        events = r["runs"][1.0]["events"]
        for who in sorted({t["person"] for t in r["truth"] if t.get("person")}):
            truth = [t for t in r["truth"] if t.get("person") in (None, who)]
            c = compare_events([e for e in events if e.get("person") == who], truth,
                               TOLERANCE_S, r["fps"])  # fmt: skip
            jerks, said = c.true_positives + c.false_negatives, c.true_positives + c.false_positives
            lines.append(
                f"| {r['name']} | {who} | {jerks} | {c.true_positives} | {c.false_positives} | "
                f"{pct(c.recall if jerks else None)} | {pct(c.precision if said else None)} | |"
            )
        lines.append(f"| {r['name']} | both | | | | | | {right} of {matched} |")
    return "\n".join(lines)


def video_info(recs: list[dict]) -> str:
    lines = [
        "| clip | s | render s | analyse s | pose coverage | pose-inferred frames | "
        "rotation | unseen regions |",
        "| --- |" + " --- |" * 7,
    ]
    for r in recs:
        i = r["info"]
        lines.append(
            f"| {r['name']} | {r['seconds']:.0f} | {num(i['render_s'], 0)} | "
            f"{i['wall_s']:.0f} ({i['how']}) | {pct(i['pose_coverage'])} | "
            f"{i['pose_frames']} / {i['frames']} | {i['rotation']} | "
            f"{', '.join(i['unseen']) or '–'} |"
        )
    return "\n".join(lines)


def stays(recs: list[dict], folder: Path) -> None:
    """Older truth files lack ``stay``: take it from the scenario's scripted events."""
    for r in recs:
        if all("stay" in t for t in r["truth"]):
            continue
        path = folder / f"{r['name']}.truth.json"
        if path.exists():
            events = json.loads(path.read_text())["scenario"]["events"]
            for t, ev in zip(r["truth"], events, strict=False):
                t.setdefault("stay", ev.get("stay", 0.0))


def details(recs: list[dict], scored: dict, sweep: bool) -> list[str]:
    out = [
        "Recall by amplitude (torso lengths, rows) and duration (columns), (count):",
        "",
        by_size(recs, scored),
        "",
        by_amplitude_bins(recs, scored),
        "",
        by_kind(recs, scored),
        "",
        "Distractors:",
        "",
        distractor_table(recs, scored),
        "",
        "Confidence calibration (detected jerks; true = matched to a scripted jerk):",
        "",
        calibration_table(recs, scored),
        "",
    ]
    if sweep:
        out += [
            "Sensitivity (`DetectorConfig(sensitivity=…)`), on the sweep subset (every other "
            "scenario with events):",
            "",
            sweep_table(recs),
            "",
        ]
    return out


def split_light(recs: list[dict]) -> list[tuple[str, list[dict]]]:
    parts = [
        ("normal light", [r for r in recs if r["tags"]["light"] == "light"]),
        ("dark", [r for r in recs if r["tags"]["light"] == "dark"]),
    ]
    return [(label, rs) for label, rs in parts if rs]


def report(
    lm: list[dict], vid: list[dict], command: str, took: float, quick: bool, sources=()
) -> str:
    lm_sc = {r["name"]: score(r) for r in lm}
    vid_sc = {r["name"]: score(r) for r in vid}
    n_lm_jerks = sum(len(s["jerks"]) for s in lm_sc.values())
    n_vid_jerks = sum(len(s["jerks"]) for s in vid_sc.values())
    machine = (
        f"{platform.node() or 'host'} ({platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()})"
    )
    runs = [f"`{command}` — {time.strftime('%Y-%m-%d %H:%M')}, {took / 60:.1f} min"]
    runs += [
        f"records from `{m['command']}` — {m.get('date', '?')}, {m.get('minutes', '?')} min"
        for m in sources
    ]
    out = [
        "## Benchmark results" + (" (quick subset)" if quick else ""),
        "",
        "Made by " + "; ".join(runs) + f". Machine: {machine}, shared with other work.",
        "",
        f"A detection matches a scripted jerk when their onsets differ by ≤ {TOLERANCE_S} s, "
        "one to one. Jerks under a blanket are not scored (nor are detections of them). Onset "
        'errors are absolute. "Distractors called jerks": scripted non-jerk movements '
        f"with a false jerk within their span ± {TOLERANCE_S} s. Quiet footage: more than "
        f"{QUIET_MARGIN_S} s from every scripted event. Target class: visible jerks of "
        f"amplitude ≥ {TARGET_AMPLITUDE} torso lengths in recordings of ≥ {TARGET_FPS:g} fps "
        "(precision for it leaves out detections of smaller jerks).",
        "",
    ]
    if lm:
        out += [
            f"### Landmark scenarios ({len(lm)} recordings, {n_lm_jerks} visible jerks, "
            f"{sum(r['seconds'] for r in lm) / 3600:.2f} h; MediaPipe-like jitter, no model)",
            "",
            table(lm, lm_sc, False),
            "",
            "Target class:",
            "",
            table(lm, lm_sc, False, True),
            "",
        ]
        for label, rs in split_light(lm):
            out += [f"#### Landmark scenarios in detail: {label}", ""]
            out += details(rs, lm_sc, sweep=True)
    if vid:
        out += [
            f"### Video clips ({len(vid)} clips, {n_vid_jerks} visible jerks, "
            f"{sum(r['seconds'] for r in vid) / 60:.1f} min; `vidmyo.pipeline.analyze`, "
            f"default settings, model {vid[0].get('model', 'full')})",
            "",
            video_info(vid),
            "",
            table(vid, vid_sc, True),
            "",
            "Target class:",
            "",
            table(vid, vid_sc, True, True),
            "",
            "A jerk must change the picture (`DetectorConfig.picture_check`): the same "
            "landmarks, with the check and without it.",
            "",
            picture_check_table(vid),
            "",
        ]
        pairs = [r for r in vid if r["tags"].get("persons", 1) > 1]
        if pairs:
            out += [
                "Two people in view (`--persons 2`; each detection named after the person "
                "whose landmark slot it came from, slots matched to the scripted people by "
                "where their shoulders and hips are). A detection counts only for its own "
                "person: a jerk put on the wrong person is one false and one missed.",
                "",
                persons_table(pairs, vid_sc),
                "",
            ]
        for label, rs in split_light(vid):
            out += [f"#### Video clips in detail: {label}", ""]
            out += details(rs, vid_sc, sweep=False)
    parts = {}
    for name, recs, sc in (("Landmark scenarios", lm, lm_sc), ("Video clips", vid, vid_sc)):
        parts[name] = (recs, sc)
        parts[f"{name}, normal light only"] = (
            [r for r in recs if r["tags"]["light"] == "light"],
            sc,
        )
    out += ["### Targets", targets_section(parts), "", "### Examples", ""]
    for name, recs, sc in (("Landmark scenarios", lm, lm_sc), ("Video clips", vid, vid_sc)):
        for label, rs in split_light(recs):
            out += [f"{name}, {label}. " + examples(rs, sc), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--set", type=Path, default=SET, help="evaluation set (default eval_set/)")
    ap.add_argument("--quick", action="store_true", help="a small subset, about a minute")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for the landmark part")
    ap.add_argument("--no-videos", dest="videos", action="store_false")
    ap.add_argument("--no-landmarks", dest="landmarks", action="store_false")
    ap.add_argument(
        "--reuse-landmarks",
        action="store_true",
        help="clips: re-run detection on the landmarks saved by the last run",
    )
    ap.add_argument(
        "--fresh",
        metavar="TEXT",
        action="append",
        help="with --reuse-landmarks: run pose afresh on the clips whose names contain TEXT "
        "(may be given again)",
    )
    ap.add_argument(
        "--doc",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"update {DOC.relative_to(REPO)} (default: yes for a full run, no with --quick)",
    )
    ap.add_argument(
        "--model",
        default="full",
        choices=["lite", "full", "heavy"],
        help="pose model for the clips (default full; another model keeps its landmarks in "
        "runs-MODEL and leaves the doc alone unless --doc is given)",
    )
    ap.add_argument("--json", type=Path, help="also save every detection and score as JSON")
    ap.add_argument(
        "--detector",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a DetectorConfig setting other than its default, for an ablation (may be given "
        "again; leaves the doc alone unless --doc is given)",
    )
    ap.add_argument(
        "--load",
        type=Path,
        action="append",
        help="take the records of a part left out (--no-landmarks / --no-videos) from a "
        "--json file of an earlier run (may be given twice)",
    )
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    from vidmyo.pose import keep_mediapipe_offline

    keep_mediapipe_offline()
    started = time.time()
    overrides = detector_overrides(args.detector)
    lm = (
        run_landmarks(args.set / "landmarks", args.quick, args.jobs, log, overrides)
        if args.landmarks
        else []
    )
    vid = []
    if args.videos and (args.set / "videos" / "index.json").exists():
        runs = args.set / ("runs-quick" if args.quick else "runs")
        if args.model != "full":
            runs = runs.with_name(f"{runs.name}-{args.model}")
        vid = run_videos(
            args.set / "videos",
            runs,
            args.quick,
            args.reuse_landmarks,
            log,
            args.model,
            overrides,
            args.fresh,
        )
    sources = []
    for path in args.load or []:
        earlier = json.loads(path.read_text())
        sources.append(earlier.get("meta", {"command": f"(records from {path})"}))
        for part in ("landmarks", "videos"):
            for r in earlier.get(part, []):
                r["runs"] = {float(k): v for k, v in r["runs"].items()}
        if not args.landmarks and earlier.get("landmarks"):
            lm = earlier["landmarks"]
        if not args.videos and earlier.get("videos"):
            vid = earlier["videos"]
    took = time.time() - started
    command = "python scripts/bench_accuracy.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    if lm and args.set.exists():
        stays(lm, args.set / "landmarks")
    text = report(lm, vid, command.strip(), took, args.quick, sources)
    print(text)
    if args.json:
        meta = {"command": command.strip(), "minutes": round(took / 60, 1),
                "date": time.strftime("%Y-%m-%d %H:%M")}  # fmt: skip
        args.json.write_text(
            json.dumps({"landmarks": lm, "videos": vid, "meta": meta}, default=str)
        )
    default_doc = not args.quick and args.model == "full" and not overrides
    if args.doc if args.doc is not None else default_doc:
        write_section(DOC, "bench-quick" if args.quick else "bench", text)
        log(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
