"""Build the accuracy benchmark's evaluation set in ``eval_set/`` (rebuilt, never committed).

Two parts, both deterministic:

1. **Landmark scenarios** (``eval_set/landmarks/``, no model, about a minute): synthetic
   33-landmark recordings from :mod:`vidmyo.simulate` with MediaPipe's measured jitter
   (``Scenario(jitter="mediapipe…")``, see ``scripts/measure_jitter.py``). Every combination of
   posture (standing, sitting, lying at 90 and 270 degrees), frame rate (15, 25, 30, 60) and
   light (normal; dark, with the dark footage's jitter and left/right flips) gets a few
   scenarios, plus some with a blanket over the legs and a few long quiet recordings for false
   alarms. A scenario holds four or five jerks (focal of every region, multifocal,
   generalized; primary amplitude 0.02-0.3 torso lengths; 50-400 ms; some that do not return
   all the way) and one or two distractors (slow limb movement, turning over, tremor at
   3-8 Hz, camera shake with or without a measured background shift, a dropout of the pose
   or of one region, a light change), each in its own time slot. Each is stored as
   ``<name>.npz`` (a ``landmarks.npz``, so ``vidmyo detect`` reads it) and
   ``<name>.truth.json`` (truth records, condition tags, the scenario).
2. **Video clips** (``eval_set/videos/``): rendered by ``scripts/make_sample_video.py`` with
   random event scripts (``--script random``), upright and lying, normal and dark, 15-30 fps,
   with a blanket, two people side by side (``--pair``: a bed partner, upright and lying;
   analysed with ``--persons 2`` and scored per person), plus a quiet clip (breathing only)
   for false alarms; and the committed sample clip, by reference. Render times go into
   ``eval_set/videos/index.json``.

    python scripts/make_eval_set.py              # both parts (videos: ~20-30 min on 2 cores)
    python scripts/make_eval_set.py --only landmarks
    python scripts/make_eval_set.py --only videos --jobs 1
    python scripts/make_eval_set.py --holdout    # the same clip recipes with other seeds, in
                                                 # eval_set/holdout/ (no sample clip, no doc):
                                                 # a check of rules chosen on the main clips
    python scripts/make_eval_set.py --holdout --seed-offset 200   # a third set, in
                                                 # eval_set/holdout-200/
    python scripts/make_eval_set.py --holdout --seed-offset 1900 \
        --source sample_videos/sources/pose2sim_demo_cam02_frame0.png
                                                 # another person: eval_set/holdout-1900-pose2sim/

Clips already rendered with the same options are kept (``--force`` renders them again;
``--truth-only`` rewrites their truth files without rendering).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _docsection import write_section  # noqa: E402  (scripts/ is on sys.path when run)
from make_sample_video import OWN_SHARE, random_regions  # noqa: E402

from vidmyo.landmarks import REGIONS, LandmarkSeries  # noqa: E402
from vidmyo.simulate import Scenario, Scripted, simulate  # noqa: E402

OUT = REPO / "eval_set"
DOC = REPO / "docs" / "accuracy.md"
SAMPLE = REPO / "sample_videos" / "sample_jerks.mp4"
SEED = 2026

POSTURES = {  # name: (posture, rotation)
    "standing": ("standing", 0.0),
    "sitting": ("sitting", 0.0),
    "lying90": ("standing", 90.0),
    "lying270": ("standing", 270.0),
}
FPS = (15.0, 25.0, 30.0, 60.0)
LIGHTS = ("light", "dark")
PER_CONDITION = 4
QUICK = {  # (posture, light, fps) whose first scenario is in the --quick subset
    ("standing", "light", 30.0), ("standing", "dark", 25.0), ("sitting", "light", 15.0),
    ("sitting", "dark", 60.0), ("lying90", "light", 25.0), ("lying90", "dark", 30.0),
    ("lying270", "light", 60.0), ("lying270", "dark", 15.0),
}  # fmt: skip
AMPLITUDES = (0.02, 0.03, 0.05, 0.08, 0.12, 0.2, 0.3)
DURATIONS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4)
DISTRACTORS = (
    "movement",
    "turn",
    "tremor",
    "camera_shake",
    "dropout",
    "region_dropout",
    "light_change",
)


def jitter_key(posture: str, light: str) -> str:
    if light == "dark":
        return "mediapipe_dark"
    return "mediapipe_lying" if posture.startswith("lying") else "mediapipe"


# ---------------------------------------------------------------------------------------------
# Landmark scenarios
# ---------------------------------------------------------------------------------------------


def random_jerk(rng: np.random.Generator, t: float) -> Scripted:
    regions = random_regions(rng, focal=0.55, multifocal=0.8)
    primary = str(rng.choice(regions))
    amp = float(rng.choice(AMPLITUDES))
    amps = {r: round(amp * float(rng.uniform(0.4, 0.75)), 4) for r in regions if r != primary}
    amps[primary] = amp
    stay = 0.5 if rng.random() < 0.15 else 0.0
    duration = float(rng.choice(DURATIONS))
    ordered = tuple(r for r in REGIONS if r in regions)
    return Scripted("jerk", t, ordered, amp, duration, amplitudes=amps, stay=stay)


def random_distractor(rng: np.random.Generator, t: float, kind: str) -> Scripted:
    limb = str(rng.choice(["left_arm", "right_arm", "left_leg", "right_leg"]))
    if kind == "movement":
        return Scripted(kind, t, (limb,), float(rng.uniform(0.2, 0.6)), float(rng.uniform(1.5, 4)))
    if kind == "turn":
        return Scripted(kind, t, (), 0.5, float(rng.uniform(2.0, 5.0)))
    if kind == "tremor":
        amp, dur, hz = rng.uniform(0.03, 0.1), rng.uniform(2.0, 5.0), rng.uniform(3.0, 8.0)
        return Scripted(kind, t, (limb,), float(amp), float(dur), freq_hz=float(hz))
    if kind == "camera_shake":
        return Scripted(kind, t, (), float(rng.uniform(0.01, 0.05)), float(rng.uniform(0.3, 1.0)))
    if kind == "dropout":
        return Scripted(kind, t, (), 0.0, float(rng.uniform(0.3, 3.0)))
    if kind == "region_dropout":
        region = str(rng.choice(REGIONS[2:]))
        return Scripted("dropout", t, (region,), 0.0, float(rng.uniform(0.2, 2.0)))
    sign = 1 if rng.random() < 0.5 else -1
    return Scripted("light_change", t, (), sign * float(rng.uniform(0.2, 0.5)), 0.04)


def scenario_spec(
    rng: np.random.Generator, posture: str, fps: float, light: str, blanket: bool, seed: int
) -> tuple[Scenario, dict]:
    shape, rotation = POSTURES[posture]
    lying = rotation in (90.0, 270.0)
    torso = float(rng.uniform(60, 170 if lying else 130))
    size = (640, 480)
    center = (float(rng.uniform(260, 380)), float(rng.uniform(200, 280)))
    n_jerks = int(rng.integers(4, 6))
    n_dis = int(rng.integers(1, 3))
    kinds = ["jerk"] * n_jerks + [str(k) for k in rng.choice(DISTRACTORS, n_dis, replace=False)]
    rng.shuffle(kinds)
    events, t = [], 3.0
    for kind in kinds:
        ev = random_jerk(rng, t) if kind == "jerk" else random_distractor(rng, t, kind)
        events.append(ev)
        t += ev.duration_s + float(rng.uniform(3.0, 4.0))
    measured = rng.random() < (0.3 if light == "dark" else 0.8)
    scn = Scenario(
        duration_s=round(t + 1.0, 2),
        fps=fps,
        rotation=rotation,
        torso_px=round(torso, 1),
        center=center,
        frame_size=size,
        breathing=float(rng.uniform(0.005, 0.02)),
        events=events,
        hidden=("left_leg", "right_leg") if blanket else (),
        seed=seed,
        jitter=jitter_key(posture, light),
        posture=shape,
        shift_measured=bool(measured),
    )
    tags = {
        "posture": posture,
        "lying": lying,
        "light": light,
        "fps": fps,
        "blanket": blanket,
        "background_measured": bool(measured),
        "quiet": False,
    }
    return scn, tags


def quiet_spec(posture: str, fps: float, light: str, minutes: float, seed: int):
    shape, rotation = POSTURES[posture]
    scn = Scenario(
        duration_s=60.0 * minutes,
        fps=fps,
        rotation=rotation,
        torso_px=100.0,
        breathing=0.012,
        seed=seed,
        jitter=jitter_key(posture, light),
        posture=shape,
        shift_measured=light != "dark",
    )
    tags = {
        "posture": posture,
        "lying": rotation in (90.0, 270.0),
        "light": light,
        "fps": fps,
        "blanket": False,
        "background_measured": light != "dark",
        "quiet": True,
    }
    return scn, tags


def landmark_specs() -> list[tuple[str, Scenario, dict]]:
    """Every landmark scenario of the set, in a fixed order (names are stable)."""
    rng = np.random.default_rng(SEED)
    specs = []
    k = 0
    for posture in POSTURES:
        for fps in FPS:
            for light in LIGHTS:
                for j in range(PER_CONDITION):
                    k += 1
                    scn, tags = scenario_spec(rng, posture, fps, light, False, SEED + k)
                    tags["quick"] = j == 0 and (posture, light, fps) in QUICK
                    specs.append((f"{posture}-{light}-{fps:g}fps-{j}", scn, tags))
    for posture in ("standing", "lying90"):
        for fps in (25.0, 30.0):
            for light in LIGHTS:
                for j in range(2):
                    k += 1
                    scn, tags = scenario_spec(rng, posture, fps, light, True, SEED + k)
                    tags["quick"] = j == 0 and fps == 30.0 and light == "light" and k % 2 == 0
                    specs.append((f"{posture}-{light}-{fps:g}fps-blanket-{j}", scn, tags))
    for posture, fps, light, minutes in (
        ("standing", 30.0, "light", 10.0),
        ("lying90", 25.0, "light", 10.0),
        ("sitting", 15.0, "light", 10.0),
        ("standing", 30.0, "dark", 5.0),
        ("lying270", 30.0, "dark", 5.0),
    ):
        k += 1
        scn, tags = quiet_spec(posture, fps, light, minutes, SEED + k)
        tags["quick"] = False
        specs.append((f"quiet-{posture}-{light}-{fps:g}fps", scn, tags))
    k += 1
    scn, tags = quiet_spec("standing", 30.0, "light", 2.0, SEED + k)
    tags["quick"] = True
    tags["quick_only"] = True
    specs.append(("quiet-quick-standing-light-30fps", scn, tags))
    return specs


def scenario_dict(scn: Scenario) -> dict:
    d = asdict(scn)
    d["events"] = [asdict(e) for e in scn.events]
    return d


def write_scenario(item: tuple[str, Scenario, dict], folder: Path) -> dict:
    name, scn, tags = item
    frames, truth = simulate(scn)
    meta = {
        "video": {
            "path": f"{name}.synthetic",
            "fps": scn.fps,
            "frame_count": len(frames),
            "duration_s": len(frames) / scn.fps,
            "width": scn.frame_size[0],
            "height": scn.frame_size[1],
        },
        "synthetic": True,
    }
    LandmarkSeries.from_frames(frames, meta).save(folder / f"{name}.npz")
    doc = {"name": name, "tags": tags, "events": truth, "scenario": scenario_dict(scn)}
    (folder / f"{name}.truth.json").write_text(json.dumps(doc, indent=1) + "\n")
    return {"name": name, "frames": len(frames), "seconds": len(frames) / scn.fps, **tags}


def make_landmarks(out: Path, jobs: int) -> None:
    folder = out / "landmarks"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    specs = landmark_specs()
    started = time.time()
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            rows = list(pool.map(write_scenario, specs, [folder] * len(specs)))
    else:
        rows = [write_scenario(s, folder) for s in specs]
    took = time.time() - started
    (folder / "index.json").write_text(
        json.dumps({"seconds": round(took, 1), "scenarios": rows}, indent=1) + "\n"
    )
    frames = sum(r["frames"] for r in rows)
    hours = sum(r["seconds"] for r in rows) / 3600
    print(f"landmarks: {len(rows)} scenarios, {frames} frames ({hours:.2f} h) in {took:.0f} s")


# ---------------------------------------------------------------------------------------------
# Video clips
# ---------------------------------------------------------------------------------------------

CLIPS = [
    # name, options, tags; seeds differ so every clip has its own events
    ("upright-light-30fps-a", ["--seed", "101", "--duration", "60"], {}),
    ("upright-light-25fps", ["--seed", "102", "--duration", "45", "--fps", "25"], {}),
    ("upright-light-15fps", ["--seed", "103", "--duration", "45", "--fps", "15"], {}),
    ("upright-dark-30fps", ["--seed", "104", "--duration", "45", "--dark"], {}),
    ("upright-dark-25fps", ["--seed", "105", "--duration", "40", "--dark", "--fps", "25"], {}),
    ("lying90-light-30fps", ["--seed", "106", "--duration", "60", "--rotate", "90"], {}),
    (
        "lying270-light-25fps",
        ["--seed", "107", "--duration", "45", "--rotate", "270", "--fps", "25"],
        {},
    ),
    ("lying90-dark-30fps", ["--seed", "108", "--duration", "45", "--rotate", "90", "--dark"], {}),
    (
        "lying270-dark-30fps",
        ["--seed", "109", "--duration", "40", "--rotate", "270", "--dark"],
        {},
    ),
    ("upright-light-30fps-blanket", ["--seed", "110", "--duration", "45", "--blanket"], {}),
    (
        "lying90-light-30fps-blanket",
        ["--seed", "111", "--duration", "45", "--rotate", "90", "--blanket"],
        {},
    ),
    ("upright-light-30fps-quiet", ["--seed", "112", "--duration", "300", "--quiet"], {}),
    # two people side by side (a bed partner): analysed with --persons 2, scored per person
    ("pair-upright-light-30fps", ["--seed", "113", "--duration", "45", "--pair"], {}),
    (
        "pair-lying90-light-30fps",
        ["--seed", "114", "--duration", "45", "--rotate", "90", "--pair"],
        {},
    ),
]
QUICK_CLIP = "upright-light-25fps"
HOLDOUT_SEED_OFFSET = 100


def clip_tags(options: list[str]) -> dict:
    def value(flag, default):
        return options[options.index(flag) + 1] if flag in options else default

    rotate = int(value("--rotate", 0))
    return {
        "lying": rotate in (90, 270),
        "posture": "lying" if rotate else "upright",
        "light": "dark" if "--dark" in options else "light",
        "fps": float(value("--fps", 30)),
        "blanket": "--blanket" in options,
        "quiet": "--quiet" in options,
        "persons": 2 if "--pair" in options else 1,
    }


def render_clip(
    item: tuple[str, list[str], dict], folder: Path, force: bool, truth_only: bool = False
) -> dict:
    name, options, extra = item
    video = folder / f"{name}.mp4"
    truth = video.with_suffix(".truth.json")
    options = [*options, "--script", "random"] if "--quiet" not in options else options
    stamp = folder / f"{name}.options.json"
    done = video.exists() and truth.exists() and stamp.exists()
    if truth_only and done and json.loads(stamp.read_text()).get("options") == options:
        script = str(REPO / "scripts" / "make_sample_video.py")
        cmd = [sys.executable, script, *options, "--out", str(video), "--truth-only"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
        return json.loads(stamp.read_text())
    if done and not force and json.loads(stamp.read_text()).get("options") == options:
        return json.loads(stamp.read_text())
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "make_sample_video.py"),
        *options,
        "--out",
        str(video),
    ]
    started = time.time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    took = time.time() - started
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    doc = json.loads(truth.read_text())
    row = {
        "name": name,
        "video": video.name,
        "options": options,
        "render_s": round(took, 1),
        "render_cpu_s": round(cpu, 1),
        "seconds": doc["frame_count"] / doc["fps"],
        "frames": doc["frame_count"],
        **clip_tags(options),
        **extra,
        "quick": name == QUICK_CLIP,
    }
    stamp.write_text(json.dumps(row, indent=1) + "\n")
    print(f"  {name}: {row['frames']} frames in {took:.0f} s ({cpu:.0f} s CPU)", flush=True)
    return row


def holdout_clips(
    offset: int = HOLDOUT_SEED_OFFSET, source: Path | None = None
) -> list[tuple[str, list[str], dict]]:
    """The clip recipes with every seed moved by ``offset``: other events and times, the
    same conditions. ``source``: another photo to animate (a path in the repo); the two-person
    recipes are left out, as the pair needs a person narrower than half the photo."""

    def reseed(options: list[str]) -> list[str]:
        at = options.index("--seed") + 1
        out = [*options[:at], str(int(options[at]) + offset), *options[at + 1 :]]
        return out if source is None else [*out, "--source", str(source)]

    recipes = CLIPS if source is None else [c for c in CLIPS if "--pair" not in c[1]]
    return [(name, reseed(options), extra) for name, options, extra in recipes]


def make_videos(
    out: Path,
    jobs: int,
    force: bool,
    holdout: int = 0,
    truth_only: bool = False,
    source: Path | None = None,
) -> None:
    """Render the clips; ``holdout``: a seed offset for a holdout set (0: the main set);
    ``truth_only``: rewrite the truth files of clips already rendered, not the videos;
    ``source``: with ``holdout``, another photo (see :func:`holdout_clips`)."""
    folder = out / "videos"
    folder.mkdir(parents=True, exist_ok=True)
    clips = holdout_clips(holdout, source) if holdout else CLIPS
    started = time.time()
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            n = len(clips)
            rows = list(pool.map(render_clip, clips, [folder] * n, [force] * n, [truth_only] * n))
    else:
        rows = [render_clip(c, folder, force, truth_only) for c in clips]
    if not holdout:
        sample = json.loads(SAMPLE.with_suffix(".truth.json").read_text())
        rows.insert(
            0,
            {
                "name": "sample_jerks",
                "video": str(SAMPLE.relative_to(REPO)),
                "options": ["(committed sample clip)"],
                "render_s": 0.0,
                "seconds": sample["frame_count"] / sample["fps"],
                "frames": sample["frame_count"],
                **clip_tags([]),
                "quick": False,
            },
        )
    took = time.time() - started
    index = {
        "seconds": round(took, 1),
        "render_s_total": round(sum(r["render_s"] for r in rows)),
        "render_cpu_s_total": round(sum(r.get("render_cpu_s", 0.0) for r in rows)),
        "clips": rows,
    }
    (folder / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    minutes = sum(r["seconds"] for r in rows) / 60
    print(
        f"videos: {len(rows)} clips, {minutes:.1f} min of video; this run {took:.0f} s, "
        f"render time of all {index['render_s_total']} s"
    )
    jerks, scripted, carried = carried_regions(folder)
    print(
        f"truth: {jerks} jerks, {scripted} scripted regions; {carried} of them only carried by "
        f"another region (own movement below {OWN_SHARE} of their size), so not listed"
    )


def carried_regions(folder: Path) -> tuple[int, int, int]:
    """Over the clips' truth files (not the committed sample's): jerks, scripted regions,
    and scripted regions that only rode along (``make_sample_video.OWN_SHARE``)."""
    jerks = scripted = carried = 0
    for path in sorted(folder.glob("*.truth.json")):
        for ev in json.loads(path.read_text())["events"]:
            own = ev.get("region_amplitudes_own")
            if ev["kind"] != "jerk" or own is None:
                continue
            size = ev["region_amplitudes"]
            jerks += 1
            scripted += len(own)
            carried += sum(own[r] < OWN_SHARE * size[r] for r in own)
    return jerks, scripted, carried


def describe(out: Path) -> str:
    """The set's composition and generation times, for docs/accuracy.md."""
    lines = ["## The evaluation set", ""]
    lm_index = out / "landmarks" / "index.json"
    if lm_index.exists():
        doc = json.loads(lm_index.read_text())
        rows = [r for r in doc["scenarios"] if not r.get("quick_only")]
        kinds: Counter = Counter()
        jerks = 0
        for r in rows:
            truth = json.loads((out / "landmarks" / f"{r['name']}.truth.json").read_text())
            for ev in truth["events"]:
                if ev["kind"] == "jerk":
                    jerks += 1
                else:
                    one = ev["kind"] == "dropout" and ev.get("regions")
                    kinds[ev["kind"].replace("_", " ") + (" (one region)" if one else "")] += 1
        quiet = [r for r in rows if r["quiet"]]
        lines += [
            f"**Landmark scenarios**: {len(rows)} recordings, {sum(r['frames'] for r in rows)} "
            f"frames, {sum(r['seconds'] for r in rows) / 3600:.2f} h, generated in "
            f"{doc['seconds']:.0f} s: {len(rows) - len(quiet)} with events "
            f"({len(POSTURES)} postures × {len(FPS)} frame rates × 2 lights × {PER_CONDITION}, "
            f"plus 16 with a blanket over the legs), {jerks} jerks, distractors: "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
            + f"; and {len(quiet)} quiet recordings "
            f"({sum(r['seconds'] for r in quiet) / 60:.0f} min, breathing only).",
            "",
        ]
    vid_index = out / "videos" / "index.json"
    if vid_index.exists():
        doc = json.loads(vid_index.read_text())
        lines += [
            f"**Video clips**: {len(doc['clips'])} clips, "
            f"{sum(c['seconds'] for c in doc['clips']) / 60:.1f} min of video. Rendering took "
            f"{doc['render_s_total']} s wall clock ({doc.get('render_cpu_s_total', '?')} s CPU) "
            "on this 2-core machine, shared with other developers' jobs (a clip already "
            "rendered with the same options is kept, so the times are from the run that "
            "rendered it). The CPU time is the better guide to the cost; `--jobs 2` renders "
            "two clips at once. The 5-minute quiet clip reuses its frames (breathing repeats "
            "every 4 s), which made it 2-3 times cheaper per frame than the others; a "
            "two-person clip renders the person twice per frame.",
            "",
            "| clip | options | s | frames | render s (CPU s) |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in doc["clips"]:
            lines.append(
                f"| {c['name']} | `{' '.join(c['options'])}` | {c['seconds']:.0f} | "
                f"{c['frames']} | {c['render_s']:.0f} ({c.get('render_cpu_s', 0):.0f}) |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--only", choices=("landmarks", "videos"))
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--force", action="store_true", help="render clips again")
    ap.add_argument(
        "--truth-only",
        action="store_true",
        help="rewrite the clips' truth files from their recipes, without rendering (their "
        "videos would not change): after a change in what the truth records",
    )
    ap.add_argument(
        "--no-doc",
        dest="doc",
        action="store_false",
        help="do not update the set's description in docs/accuracy.md",
    )
    ap.add_argument(
        "--holdout",
        action="store_true",
        help="only the clips, with other seeds, in eval_set/holdout/ (unless --out); no doc",
    )
    ap.add_argument(
        "--seed-offset",
        type=int,
        default=HOLDOUT_SEED_OFFSET,
        help=f"with --holdout: added to every clip's seed (default {HOLDOUT_SEED_OFFSET}; "
        "another offset goes to eval_set/holdout-OFFSET/)",
    )
    ap.add_argument(
        "--source",
        type=Path,
        help="with --holdout: animate this photo (in sample_videos/sources/) instead of the "
        "Sports2D frame, another person; no two-person clips; the set goes to "
        "eval_set/holdout-OFFSET-NAME/, NAME the photo's name up to its first '_'",
    )
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    source = None
    if args.source is not None:
        if not args.holdout:
            ap.error("--source needs --holdout")
        if not args.source.is_file():
            ap.error(f"no photo at {args.source}")
        try:
            source = args.source.resolve().relative_to(REPO)
        except ValueError:
            ap.error(f"{args.source} is not in the repository (the truth files name it)")
    if args.holdout:
        offset = args.seed_offset
        name = "holdout" if offset == HOLDOUT_SEED_OFFSET else f"holdout-{offset}"
        if source is not None:
            name += "-" + source.stem.split("_")[0]
        out = args.out if args.out != OUT else OUT / name
        make_videos(out, args.jobs, args.force, args.seed_offset, args.truth_only, source)
        return 0
    if args.only in (None, "landmarks"):
        make_landmarks(args.out, args.jobs)
    if args.only in (None, "videos"):
        make_videos(args.out, args.jobs, args.force, truth_only=args.truth_only)
    if args.doc:
        write_section(DOC, "set", describe(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
