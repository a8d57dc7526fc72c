"""Measure MediaPipe's landmark jitter on still footage, and fit the simulator's jitter model.

Runs the pose model as vidmyo does (``FrameObserver``: full bundle, VIDEO mode, rotation
probe, dark-frame enhancement) with skipping disabled, over the quiet stretches (more than
0.5 s away from every scripted event) of the sample clip and of its ``--dark`` and
``--rotate 90`` variants, plus the sample clip at every other frame (15 fps, to see whether
the jitter is per inference or per second). Per landmark group it reports:

* the frame-to-frame change, in torso lengths: share of frames with no visible change
  (< 0.0002 torso lengths, 0.02 px here), median, 90th and 99th percentile, and the tail
  ratio p99 / median (2.6 for Gaussian jitter);
* the hold-then-step behaviour: runs of "held" frames (change < 1/4 of the group's median)
  and the size of the step that ends a run of 3 or more, in medians; and how much larger
  the change is on the video's key frames (the codec refreshes the picture every 12 frames);
* slow drift: the change over 3, 10 and 30 frames, and the spread of the 1-s moving mean
  (breathing, scripted at 0.25 Hz, is fitted and removed first);
* the correlation of the frame-to-frame changes between the landmarks of one body region.

``--fit`` fits :class:`vidmyo.simulate.JitterModel` to each condition (a grid search on
simulated series, numpy only) and prints the parameters to paste into
``vidmyo/simulate.py``; it then checks the fit where it matters, through vidmyo's own motion
core: the noise units and the share of quiet frames whose excursion crosses the detector's
thresholds, real against simulated (the model in use, the refitted one and the old AR(1)
one), and the false jerks the detector finds in the landmarks alone: in a few simulated
minutes of stillness per model, and in the clip's own quiet stretches. A short clip does not
pin the tail of the jitter down, and two fits that match its noise units equally well can
differ several-fold in false jerks, so a refit replaces the model in use only where it
comes closer to the real clip's false jerks. ``--write-doc`` puts the tables into
``docs/accuracy.md`` (between the ``jitter`` markers).

Variants are rendered into ``--work`` (default ``eval_set/jitter/``) when missing, 2-6 min
each on 2 cores; landmarks are cached there (delete the ``.landmarks.npz`` to recompute).

    python scripts/measure_jitter.py --fit --write-doc
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _docsection import write_section  # noqa: E402  (scripts/ is on sys.path when run)

from vidmyo.config import DetectorConfig, PoseConfig, SkipConfig  # noqa: E402
from vidmyo.landmarks import REGION_LANDMARKS, REGIONS  # noqa: E402
from vidmyo.simulate import JITTER_GROUPS, JITTER_MODELS, JitterModel  # noqa: E402

SAMPLE = REPO / "sample_videos" / "sample_jerks.mp4"
DOC = REPO / "docs" / "accuracy.md"
STILL = 2e-4  # torso lengths: "no visible change" (0.02 px for the sample's 111 px torso)
LAGS = (1, 3, 10, 30)
BREATH_HZ = 0.25


@dataclass
class Condition:
    name: str
    video: Path
    render: list[str] | None  # make_sample_video.py options, None for the committed clip
    stride: int = 1
    model_key: str = ""


def conditions(work: Path) -> list[Condition]:
    return [
        Condition("upright", SAMPLE, None, 1, "mediapipe"),
        Condition("dark", work / "sample_dark.mp4", ["--dark"], 1, "mediapipe_dark"),
        Condition("lying", work / "sample_rot90.mp4", ["--rotate", "90"], 1, "mediapipe_lying"),
        Condition("upright_15fps", SAMPLE, None, 2, ""),
    ]


# ---------------------------------------------------------------------------------------------
# Landmarks
# ---------------------------------------------------------------------------------------------


def render(cond: Condition) -> None:
    if cond.video.exists() or cond.render is None:
        return
    cond.video.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(REPO / "scripts" / "make_sample_video.py"), *cond.render]
    cmd += ["--out", str(cond.video)]
    print(f"rendering {cond.video.name} …", file=sys.stderr)
    subprocess.run(cmd, check=True)


def observe(cond: Condition, work: Path) -> dict:
    """Landmarks (pixels), visibility, times and the picture's change per frame, cached."""
    cache = work / f"{cond.video.stem}.stride{cond.stride}.landmarks.npz"
    if cache.exists():
        with np.load(cache) as data:
            return {k: data[k] for k in data.files}
    from vidmyo.observer import FrameObserver
    from vidmyo.sources import VideoFile

    source = VideoFile(cond.video)
    fps = source.info.fps / cond.stride
    rows: dict[str, list] = {"xy": [], "vis": [], "present": [], "t": [], "index": [], "diff": []}
    prev = None
    started = time.perf_counter()
    with FrameObserver(PoseConfig(), skip=SkipConfig(enabled=False), fps=fps) as obs:
        for frame in source:
            if frame.index % cond.stride:
                continue
            grey = frame.image.mean(axis=2)
            diff = float(np.abs(grey - prev).mean()) if prev is not None else float("nan")
            prev = grey
            (out,) = obs.push(frame)
            rows["xy"].append(out.xy[0])
            rows["vis"].append(out.visibility[0])
            rows["present"].append(bool(out.present[0]))
            rows["t"].append(frame.t)
            rows["index"].append(frame.index)
            rows["diff"].append(diff)
        rotation = obs.rotation
    took = time.perf_counter() - started
    data = {k: np.array(v) for k, v in rows.items()}
    data["fps"] = np.array(fps)
    data["rotation"] = np.array(-1 if rotation is None else rotation)
    data["seconds"] = np.array(took)
    work.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, **data)
    return data


def truth_of(cond: Condition) -> list[dict]:
    return json.loads(cond.video.with_suffix(".truth.json").read_text())["events"]


def quiet_mask(t: np.ndarray, events: list[dict], margin: float = 0.5) -> np.ndarray:
    busy = np.zeros(len(t), bool)
    for ev in events:
        end = ev["onset_s"] if ev["kind"] == "light_change" else ev["offset_s"]
        busy |= (t >= ev["onset_s"] - margin) & (t <= end + margin)
    return ~busy


def stretches(ok: np.ndarray, min_len: int) -> list[slice]:
    out, start = [], None
    for i, v in enumerate(np.append(ok, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start >= min_len:
                out.append(slice(start, i))
            start = None
    return out


def detrend(pos: np.ndarray, t: np.ndarray, parts: list[slice]) -> tuple[np.ndarray, np.ndarray]:
    """Remove breathing (a 0.25 Hz sinusoid, one per landmark and axis) and each stretch's
    mean. Returns the residual (NaN outside the stretches) and the breathing amplitude (33,)."""
    rows = np.concatenate([np.arange(s.start, s.stop) for s in parts])
    design = np.zeros((len(rows), len(parts) + 2))
    k = 0
    for j, s in enumerate(parts):
        design[k : k + s.stop - s.start, j] = 1.0
        k += s.stop - s.start
    design[:, -2] = np.sin(2 * math.pi * BREATH_HZ * t[rows])
    design[:, -1] = np.cos(2 * math.pi * BREATH_HZ * t[rows])
    y = pos[rows].reshape(len(rows), -1)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    out = np.full_like(pos, np.nan)
    out[rows] = (y - design @ coef).reshape(len(rows), *pos.shape[1:])
    amp = np.hypot(coef[-2], coef[-1]).reshape(pos.shape[1:])  # (33, 2)
    return out, np.linalg.norm(amp, axis=-1)


def lagged(pos: np.ndarray, parts: list[slice], lag: int) -> np.ndarray:
    """(M, 33) distances between positions ``lag`` frames apart within the stretches."""
    chunks = [
        np.linalg.norm(pos[s][lag:] - pos[s][:-lag], axis=-1)
        for s in parts
        if s.stop - s.start > lag
    ]
    return np.concatenate(chunks) if chunks else np.zeros((0, pos.shape[1]))


def run_lengths(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of runs of True."""
    out, start = [], None
    for i, v in enumerate(np.append(flags, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start, i - start))
            start = None
    return out


# ---------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------


PAIRS = ((11, 12), (13, 14), (15, 16), (23, 24), (25, 26), (27, 28))


def flips(xy: np.ndarray, quiet: np.ndarray) -> np.ndarray:
    """Frames in which the model swapped the person's left and right: most left/right pairs
    of landmarks lie nearer their partner's usual place (quiet median) than their own."""
    med = np.nanmedian(xy[quiet], axis=0)
    votes = np.zeros(len(xy))
    for a, b in PAIRS:
        own = np.linalg.norm(xy[:, a] - med[a], axis=1) + np.linalg.norm(xy[:, b] - med[b], axis=1)
        swap = np.linalg.norm(xy[:, a] - med[b], axis=1) + np.linalg.norm(xy[:, b] - med[a], axis=1)
        votes += swap < own
    return votes >= len(PAIRS) / 2


def fix_swaps(data: dict) -> tuple[np.ndarray, int]:
    """The landmarks as vidmyo's motion core sees them: with the pose model's sudden left/right
    swaps of an arm, a leg or the face undone (``vidmyo.motion.SideSwapFixer``), and how many
    side groups it swapped back."""
    from vidmyo.motion import SideSwapFixer

    cfg = DetectorConfig()
    fixer = SideSwapFixer(cfg.swap_ratio, cfg.swap_min_shift)
    xy = data["xy"].astype(np.float64).copy()
    for i in range(len(xy)):
        if not data["present"][i]:
            fixer.reset()
            continue
        visible = (data["vis"][i] >= cfg.min_visibility) & np.isfinite(xy[i]).all(axis=1)
        torso = float(np.linalg.norm((xy[i, 11] + xy[i, 12] - xy[i, 23] - xy[i, 24]) / 2))
        xy[i], _ = fixer(xy[i], visible, torso)
    return xy, fixer.swaps


def measure(data: dict, events: list[dict]) -> dict:
    raw = data["xy"].astype(np.float64)
    xy, swaps = fix_swaps(data)
    t = data["t"]
    fps = float(data["fps"])
    quiet = quiet_mask(t, events) & data["present"]
    mid_sh = (xy[:, 11] + xy[:, 12]) / 2
    mid_hip = (xy[:, 23] + xy[:, 24]) / 2
    torso = float(np.nanmedian(np.linalg.norm(mid_sh - mid_hip, axis=1)[quiet]))
    flipped = flips(raw, quiet) & quiet
    flip_runs = [length for _, length in run_lengths(flipped)]
    # The continuous jitter is measured away from flips (a flip and the frames next to it).
    near_flip = flipped | np.roll(flipped, 1) | np.roll(flipped, -1)
    parts = stretches(quiet & ~near_flip, int(round(1.0 * fps)))
    pos = xy / torso
    res, breath = detrend(pos, t, parts)
    steps = lagged(res, parts, 1)  # (M, 33)
    key = np.concatenate([data["diff"][s][1:] for s in parts])
    key = key > 5 * np.nanmedian(key)
    out: dict = {
        "torso_px": round(torso, 1),
        "fps": fps,
        "quiet_frames": int(sum(p.stop - p.start for p in parts)),
        "stretches": len(parts),
        "pose_found": round(float(data["present"].mean()), 4),
        "rotation": int(data["rotation"]),
        "flip_share": float(flipped.sum() / max(quiet.sum(), 1)),
        "flips_per_min": float(len(flip_runs) / max(quiet.sum(), 1) * fps * 60),
        "flip_frames": float(np.mean(flip_runs)) if flip_runs else 0.0,
        "flip_rate": float(len(flip_runs) / max(quiet.sum(), 1)),
        "side_swaps_per_min": float(swaps / max(len(xy), 1) * fps * 60),
        "groups": {},
        "regions": {},
    }
    lag_d = {lag: lagged(res, parts, lag) for lag in LAGS}
    for group, idx in JITTER_GROUPS.items():
        idx = list(idx)
        d1 = steps[:, idx]
        med = float(np.median(d1))
        flat = d1.ravel()
        # Hold-then-step: runs of nearly held frames per landmark, and the step that ends them.
        runs, after = [], []
        for j in range(d1.shape[1]):
            held = d1[:, j] < 0.25 * med
            for start, length in run_lengths(held):
                runs.append(length)
                if length >= 3 and start + length < len(held):
                    after.append(d1[start + length, j] / med)
        drift = []
        for s in parts:
            seg = res[s][:, idx]
            w = int(round(fps))
            if len(seg) >= 2 * w:
                kernel = np.ones(w) / w
                sm = np.apply_along_axis(lambda v, k=kernel: np.convolve(v, k, "valid"), 0, seg)
                drift.append(sm - sm.mean(axis=0))
        drift_sd = float(np.median(np.std(np.concatenate(drift), axis=0))) if drift else math.nan
        g = {
            "still_share": float((flat < STILL).mean()),
            "median": med,
            "p90": float(np.percentile(flat, 90)),
            "p99": float(np.percentile(flat, 99)),
            "tail_ratio": float(np.percentile(flat, 99) / med),
            "held_run_mean": float(np.mean(runs)) if runs else 0.0,
            "held_share_in_runs3": float(sum(r for r in runs if r >= 3) / flat.size),
            "step_after_hold": float(np.median(after)) if after else math.nan,
            "keyframe_ratio": float(np.median(d1[key]) / np.median(d1[~key]))
            if key.any() and (~key).any()
            else math.nan,
            "drift_sd": drift_sd,
            "breathing": float(np.median(breath[idx])),
            "visibility": float(np.median(data["vis"][quiet][:, idx])),
        }
        for lag in LAGS[1:]:
            dl = lag_d[lag][:, idx]
            g[f"lag{lag}_median"] = float(np.median(dl))
            g[f"lag{lag}_p99"] = float(np.percentile(dl, 99))
        out["groups"][group] = g
    inc = np.concatenate([np.diff(res[s], axis=0) for s in parts])  # (M, 33, 2)
    for region, idx in REGION_LANDMARKS.items():
        idx = list(idx)
        cs = []
        for ax in (0, 1):
            c = np.corrcoef(inc[:, idx, ax].T)
            cs.append(float(np.nanmean(c[np.triu_indices(len(idx), 1)])))
        out["regions"][region] = {"increment_correlation": float(np.mean(cs))}
    out["_residual"] = res
    out["_parts"] = parts
    return out


# ---------------------------------------------------------------------------------------------
# Fit
# ---------------------------------------------------------------------------------------------

HOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
JUMPS = (0.003, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.22)
RATIOS = (2.0, 3.0, 4.0, 6.0, 8.0, 11.0, 16.0, 25.0, 40.0)
TAUS = (2.0, 4.0, 7.0, 12.0, 20.0, 35.0, 60.0, 100.0)
QS = (5, 10, 25, 50, 75, 90, 99)


def _shape_stats(d1: np.ndarray, dl: dict[int, np.ndarray]) -> np.ndarray:
    """Scale-free statistics: log quantiles of the one-frame change over its median, and
    log of the median and p99 change over 3, 10 and 30 frames over the same median."""
    med = np.median(d1, axis=-1, keepdims=True)
    q = np.percentile(d1, QS, axis=-1).T / med
    extra = [np.median(dl[lag], axis=-1)[:, None] / med for lag in LAGS[1:]]
    extra += [np.percentile(dl[lag], 99, axis=-1)[:, None] / med for lag in LAGS[1:]]
    return np.log(np.concatenate([q, *extra], axis=1))


def _simulate_grid(shapes: list[tuple[float, float, float, float]], n: int, seed: int):
    """Statistics of one landmark (two axes) per candidate (hold, jump, ratio, tau) with unit
    step size: (scale-free statistics (K, S), median one-frame change (K,)). In chunks, so
    memory stays small."""
    rng = np.random.default_rng(seed)
    stats, med1 = [], []
    for c0 in range(0, len(shapes), 400):
        chunk = shapes[c0 : c0 + 400]
        k = len(chunk)
        hold = np.array([s[0] for s in chunk])
        jump = np.array([s[1] for s in chunk])
        ratio = np.array([s[2] for s in chunk])
        a = np.exp(-1.0 / np.array([s[3] for s in chunk])).astype(np.float32)[:, None]
        burn = 500
        x = np.zeros((k, 2), np.float32)
        out = np.empty((n, k, 2), np.float32)
        for i in range(n + burn):
            u = rng.random(k)
            gain = np.where(u < hold, 0.0, np.where(u < hold + jump, ratio, 1.0))
            x = a * x + gain.astype(np.float32)[:, None] * rng.standard_normal(
                (k, 2), dtype=np.float32
            )
            if i >= burn:
                out[i - burn] = x
        d = {lag: np.linalg.norm(out[lag:] - out[:-lag], axis=-1).T for lag in LAGS}
        stats.append(_shape_stats(d[1], {lag: d[lag] for lag in LAGS[1:]}))
        med1.append(np.median(d[1], axis=-1))
    return np.concatenate(stats), np.concatenate(med1)


def fit(meas: dict, name: str, seed: int = 0) -> JitterModel:
    """Grid search: one shape (hold, jump, ratio) for all groups, a time constant and a step
    size per group, a correlation per region (measured directly)."""
    res, parts = meas["_residual"], meas["_parts"]
    lag_d = {lag: lagged(res, parts, lag) for lag in LAGS}
    target = {}
    for group, idx in JITTER_GROUPS.items():
        idx = list(idx)
        d1 = lag_d[1][:, idx].ravel()[None]
        dl = {lag: lag_d[lag][:, idx].ravel()[None] for lag in LAGS[1:]}
        target[group] = _shape_stats(d1, dl)[0]
    shapes = [
        (h, j, r, tau) for h in HOLDS for j in JUMPS for r in RATIOS for tau in TAUS if h + j < 0.9
    ]
    stats, med1 = _simulate_grid(shapes, 8000, seed)  # (K, S), (K,)
    weights = np.ones(stats.shape[1])
    weights[len(QS) - 1] = 2.0  # p99: the tail is what makes false alarms
    best, best_err = None, math.inf
    by_shape: dict[tuple, list[int]] = {}
    for k, s in enumerate(shapes):
        by_shape.setdefault(s[:3], []).append(k)
    for shape, ks in by_shape.items():
        err, taus = 0.0, {}
        for group, tgt in target.items():
            e = [float(np.sum(weights * (stats[k] - tgt) ** 2)) for k in ks]
            j = int(np.argmin(e))
            err += e[j]
            taus[group] = ks[j]
        if err < best_err:
            best, best_err = (shape, taus), err
    (hold, jump, ratio), taus = best
    step, tau = {}, {}
    for group in JITTER_GROUPS:
        k = taus[group]
        tau[group] = shapes[k][3]
        step[group] = round(meas["groups"][group]["median"] / float(med1[k]), 5)
    rho = {
        r: round(float(np.clip(meas["regions"][r]["increment_correlation"], 0.0, 0.95)), 2)
        for r in REGIONS
    }
    return JitterModel(
        hold=hold,
        jump=jump,
        jump_ratio=ratio,
        step=step,
        tau_frames=tau,
        rho=rho,
        flip_rate=round(meas["flip_rate"], 4),
        flip_frames=round(meas["flip_frames"], 2) if meas["flip_frames"] else 1.5,
        source=f"scripts/measure_jitter.py, condition {name!r}",
    )


def model_literal(key: str, m: JitterModel) -> str:
    def d(values: dict) -> str:
        return "{" + ", ".join(f'"{k}": {v:g}' for k, v in values.items()) + "}"

    return (
        f'    "{key}": JitterModel(\n'
        f"        hold={m.hold:g}, jump={m.jump:g}, jump_ratio={m.jump_ratio:g},\n"
        f"        step={d(m.step)},\n"
        f"        tau_frames={d(m.tau_frames)},\n"
        f"        rho={d(m.rho)},\n"
        f"        flip_rate={m.flip_rate:g}, flip_frames={m.flip_frames:g},\n"
        f'        source="{m.source}",\n'
        f"    ),"
    )


# ---------------------------------------------------------------------------------------------
# Check through the motion core
# ---------------------------------------------------------------------------------------------


def motion_check(xy: np.ndarray, vis: np.ndarray, t: np.ndarray, ok: np.ndarray, fps: float):
    """Per region: median noise unit (torso lengths) and the share of usable frames whose
    excursion reaches 3 and 5.5 noise units (onset and trigger), over frames where ``ok``."""
    from vidmyo.motion import MotionTracker

    tracker = MotionTracker(DetectorConfig(), fps, (640, 480))
    z, noise = [], []
    for i in range(len(t)):
        s = tracker.update(i, float(t[i]), xy[i], vis[i], bool(np.isfinite(xy[i]).all()))
        if ok[i] and i > fps * 3:
            z.append(s.excursion_z)
            noise.append(s.noise)
    z, noise = np.array(z), np.array(noise)
    return {
        r: {
            "noise": float(np.nanmedian(noise[:, k])),
            "z3": float(np.nanmean(z[:, k] >= 3.0)),
            "z55": float(np.nanmean(z[:, k] >= 5.5)),
        }
        for k, r in enumerate(REGIONS)
    }


def simulated_quiet(key: str, fps: float, seconds: float, seed: int, rotation: float = 0.0):
    from vidmyo.simulate import Scenario, simulate

    scn = Scenario(duration_s=seconds, fps=fps, jitter=key, seed=seed, rotation=rotation,
                   torso_px=111.0, breathing=0.01)  # fmt: skip
    frames, _ = simulate(scn)
    xy = np.array([f.xy[0] for f in frames])
    vis = np.array([f.visibility[0] for f in frames])
    t = np.array([f.t for f in frames])
    return frames, xy, vis, t


def false_jerks(frames, fps: float, size: tuple[int, int] = (640, 480)) -> list:
    """The jerks vidmyo's detector finds in these landmarks alone (no picture)."""
    from vidmyo.events import detect_events

    events, _ = detect_events(frames, DetectorConfig(), fps, size)
    return [e for e in events if e.kind == "jerk"]


def real_false_jerks(cond: Condition, data: dict, quiet: np.ndarray) -> tuple[int, float]:
    """The detector on MediaPipe's own landmarks of the whole clip, without the picture, as
    the landmark scenarios are judged: its jerks that start in a quiet stretch, and the
    minutes of quiet. The check that matters most for a jitter model: its simulated
    stillness should give about as many."""
    from vidmyo.landmarks import FrameLandmarks
    from vidmyo.sources import VideoFile

    frames = [
        FrameLandmarks(index=i, t=float(t), xy=xy[None].astype(np.float32),
                       visibility=vis[None].astype(np.float32), present=np.array([present]))
        for i, (t, xy, vis, present) in enumerate(
            zip(data["t"], data["xy"], data["vis"], data["present"], strict=True))
    ]  # fmt: skip
    info = VideoFile(cond.video).info
    jerks = false_jerks(frames, float(data["fps"]), (info.width, info.height))
    t = data["t"]
    starts = np.searchsorted(t, [e.onset_s for e in jerks]).clip(0, len(t) - 1)
    minutes = float(quiet.sum()) / float(data["fps"]) / 60.0
    return int(quiet[starts].sum()), minutes


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def fmt(v: float, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{v:.{digits}f}"


def tables(results: dict) -> str:
    lines = []
    for name, m in results.items():
        lines.append(
            f"**{name}** ({m['video']}, {m['fps']:g} fps, torso {m['torso_px']} px, "
            f"rotation used {m['rotation']}°, pose in {100 * m['pose_found']:.1f}% of frames, "
            f"{m['quiet_frames']} quiet frames in {m['stretches']} stretches)\n"
        )
        if m["flip_share"]:
            lines.append(
                f"Left/right flips of the whole body: {100 * m['flip_share']:.1f}% of quiet "
                f"frames, {m['flips_per_min']:.0f} per minute, {m['flip_frames']:.1f} frames "
                "long on average (the statistics below leave them and their neighbours out).\n"
            )
        if m.get("side_swaps_per_min"):
            lines.append(
                f"vidmyo swapped an arm, a leg or the face back {m['side_swaps_per_min']:.0f} "
                "times a minute (`motion.SideSwapFixer`, whole-body flips included); the "
                "statistics below are of the corrected landmarks.\n"
            )
        lines.append(
            "| group | no change | median | p90 | p99 | p99/median | held run | step after "
            "hold | key-frame × | 3 fr median | 10 fr median / p99 | 30 fr median / p99 | "
            "1-s drift sd | breathing |"
        )
        lines.append("|" + " --- |" * 14)
        for group, g in m["groups"].items():
            lines.append(
                f"| {group} | {100 * g['still_share']:.1f}% | {fmt(g['median'])} | "
                f"{fmt(g['p90'])} | {fmt(g['p99'])} | {g['tail_ratio']:.1f} | "
                f"{g['held_run_mean']:.1f} fr | {fmt(g['step_after_hold'], 1)}× | "
                f"{fmt(g['keyframe_ratio'], 2)} | {fmt(g['lag3_median'])} | "
                f"{fmt(g['lag10_median'])} / {fmt(g['lag10_p99'])} | "
                f"{fmt(g['lag30_median'])} / {fmt(g['lag30_p99'])} | {fmt(g['drift_sd'])} | "
                f"{fmt(g['breathing'])} |"
            )
        corr = ", ".join(f"{r} {v['increment_correlation']:.2f}" for r, v in m["regions"].items())
        lines.append(f"\nCorrelation of frame-to-frame changes within a region: {corr}.\n")
        if "check" in m:
            lines.append(
                "Through vidmyo's motion core (quiet frames; noise unit in torso lengths; "
                "share of frames at ≥ 3 and ≥ 5.5 noise units):\n"
            )
            lines.append("| region | " + " | ".join(m["check"]) + " |")
            lines.append("| --- |" + " --- |" * len(m["check"]))
            for r in REGIONS:
                cells = []
                for c in m["check"].values():
                    v = c[r]
                    cells.append(f"{v['noise']:.4f}; {100 * v['z3']:.2f}% / {100 * v['z55']:.2f}%")
                lines.append(f"| {r} | " + " | ".join(cells) + " |")
            if "false_jerks" in m:
                fj = ", ".join(f"{k}: {v}" for k, v in m["false_jerks"].items())
                real = m["real_false_jerks"]
                per = real["jerks"] / real["minutes"] * m["sim_minutes"] if real["minutes"] else 0
                lines.append(
                    f"\nFalse jerks from the landmarks alone (no picture), in simulated "
                    f"stillness ({m['sim_minutes']:g} min per model): {fj}; on MediaPipe's own "
                    f"landmarks of this clip, {real['jerks']} in its {real['minutes']:.2f} min "
                    f"of quiet ({per:.1f} per {m['sim_minutes']:g} min).\n"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--work", type=Path, default=REPO / "eval_set" / "jitter")
    ap.add_argument("--only", nargs="*", help="condition names (default: all)")
    ap.add_argument("--fit", action="store_true", help="fit JitterModel parameters and check")
    ap.add_argument("--sim-minutes", type=float, default=3.0,
                    help="simulated stillness per model for the false-jerk check")  # fmt: skip
    ap.add_argument("--write-doc", action="store_true", help=f"update {DOC.relative_to(REPO)}")
    ap.add_argument("--json", type=Path, help="also write the measurements as JSON")
    args = ap.parse_args(argv)

    started = time.time()
    results: dict = {}
    fitted: dict[str, JitterModel] = {}
    for cond in conditions(args.work):
        if args.only and cond.name not in args.only:
            continue
        render(cond)
        data = observe(cond, args.work)
        meas = measure(data, truth_of(cond))
        meas["video"] = cond.video.name + (f", every {cond.stride}nd frame" if cond.stride > 1
                                           else "")  # fmt: skip
        meas["pose_seconds"] = round(float(data["seconds"]), 1)
        if args.fit and cond.model_key:
            model = fit(meas, cond.name)
            fitted[cond.model_key] = model
            JITTER_MODELS[cond.model_key + "_fitted"] = model
            # At least 1 s after any event, so the detector's rest window holds no movement.
            quiet = quiet_mask(data["t"], truth_of(cond), 1.0) & data["present"]
            fps = float(data["fps"])
            check = {"MediaPipe": motion_check(data["xy"], data["vis"], data["t"], quiet, fps)}
            found, minutes = real_false_jerks(cond, data, quiet_mask(data["t"], truth_of(cond)))
            meas["real_false_jerks"] = {"jerks": found, "minutes": minutes}
            seconds = 60.0 * args.sim_minutes
            rot = 90.0 if cond.name == "lying" else 0.0
            meas["false_jerks"] = {}
            models = (("model in use", cond.model_key), ("refitted", cond.model_key + "_fitted"),
                      ("AR(1)", "ar1"))  # fmt: skip
            for label, key in models:
                frames, xy, vis, t = simulated_quiet(key, fps, seconds, 1, rot)
                check[label] = motion_check(xy, vis, t, np.ones(len(t), bool), fps)
                meas["false_jerks"][label] = len(false_jerks(frames, fps))
            meas["check"] = check
            meas["sim_minutes"] = args.sim_minutes
        results[cond.name] = meas
        print(f"{cond.name}: done ({time.time() - started:.0f} s)", file=sys.stderr)

    for m in results.values():
        m.pop("_residual")
        m.pop("_parts")
    text = tables(results)
    print(text)
    if fitted:
        print("\n# Paste into vidmyo/simulate.py (JITTER_MODELS):")
        for key, model in fitted.items():
            print(model_literal(key, model))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float))
    if args.write_doc:
        head = (
            "## MediaPipe's jitter on still footage\n\n"
            f"Measured by `python scripts/measure_jitter.py --fit --write-doc` on "
            f"{time.strftime('%Y-%m-%d')} ({platform.machine()}, {platform.system()}), "
            "full model, VIDEO mode, every frame inferred. All sizes in torso lengths "
            '(mid-shoulder to mid-hip). "No change": frame-to-frame change under '
            f'{STILL} torso lengths. "Held run": mean length of runs of frames changing by '
            'less than a quarter of the group\'s median; "step after hold": the change that '
            'ends a run of 3 or more, in medians. "Key-frame ×": median change on the '
            "codec's key frames over the other frames. Breathing (scripted, 0.01 torso "
            "lengths at the shoulders) is fitted and removed first, and its fitted amplitude "
            "is shown.\n"
        )
        write_section(DOC, "jitter", head + "\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
