"""False jerks in real quiet footage with the pose model run on every frame: what the landmark
scenarios' quiet recordings simulate, measured on MediaPipe's own landmarks.

Each set's quiet clip (``upright-light-30fps-quiet``: five minutes of a person breathing,
built by ``scripts/make_eval_set.py``) goes once through ``vidmyo analyze --no-skip`` (cached
in ``--work``). The detector then runs on those landmarks twice: as vidmyo runs it (with the
picture check and picture jerks), and on the landmarks alone (changed pixels and flow left
out, as in the landmark scenarios). Every jerk is false: nothing was scripted. It also
reports how far the landmarks alone stray on a single frame: the largest excursion, in noise
units, of every burst of one or two frames above ``trigger_z`` (the pose model's one-frame
glitches, which ``DetectorConfig.brief_z`` must stay above).

    python scripts/measure_quiet.py
    python scripts/measure_quiet.py --detector brief_z=8   # an ablation (may be repeated)
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_accuracy import detector_overrides  # noqa: E402

from vidmyo.config import DetectorConfig  # noqa: E402
from vidmyo.events import detect_events  # noqa: E402
from vidmyo.landmarks import REGIONS, LandmarkSeries  # noqa: E402
from vidmyo.motion import MotionTracker  # noqa: E402

CLIP = "upright-light-30fps-quiet"
SETS = ["eval_set", "eval_set/holdout", "eval_set/holdout-200", "eval_set/holdout-300"]


def landmarks(folder: Path, work: Path) -> Path | None:
    """The quiet clip's landmarks, every frame through the pose model (cached)."""
    video = folder / "videos" / f"{CLIP}.mp4"
    if not video.exists():
        return None
    out = work / str(folder).replace("/", "_")
    path = out / "landmarks.npz"
    if not path.exists():
        print(f"{video}: pose on every frame …", file=sys.stderr)
        cmd = [sys.executable, "-m", "vidmyo", "analyze", str(video), "--no-skip"]
        subprocess.run([*cmd, "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return path


def without_picture(series: LandmarkSeries):
    """The frames as the landmark scenarios give them: no picture measures."""
    unknown = np.full(2, np.nan, np.float32)
    for f in series.frames():
        yield dataclasses.replace(
            f, changed_pixels=None, lighter_pixels=None, flow=None, shift=unknown
        )


def glitches(series: LandmarkSeries, cfg: DetectorConfig) -> list[float]:
    """Peak excursion (noise units) of every burst of one or two frames above ``trigger_z``
    of a region, from the motion core, landmarks alone."""
    video = series.meta["video"]
    tracker = MotionTracker(cfg, video["fps"], (video["width"], video["height"]))
    z = []
    for f in without_picture(series):
        s = tracker.update(f.index, f.t, f.xy[0], f.visibility[0], bool(f.present[0]),
                           f.brightness, f.shift)  # fmt: skip
        z.append(s.excursion_z)
    z = np.nan_to_num(np.array(z, dtype=float))
    peaks = []
    for r in range(len(REGIONS)):
        run_start = None
        for i, hit in enumerate(np.append(z[:, r] >= cfg.trigger_z, False)):
            if hit and run_start is None:
                run_start = i
            elif not hit and run_start is not None:
                if i - run_start <= 2:
                    peaks.append(float(z[run_start:i, r].max()))
                run_start = None
    return peaks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", nargs="*", default=SETS, help="evaluation sets with a quiet clip")
    ap.add_argument("--work", type=Path, default=ROOT / "eval_set" / "quiet-noskip")
    ap.add_argument("--detector", action="append", default=[], metavar="NAME=VALUE",
                    help="a DetectorConfig setting other than its default")  # fmt: skip
    args = ap.parse_args(argv)
    cfg = DetectorConfig(**detector_overrides(args.detector))

    hours, clips, with_picture, alone, peaks = 0.0, 0, [], [], []
    for folder in map(Path, args.sets):
        path = landmarks(folder, args.work)
        if path is None:
            print(f"{folder}: no {CLIP}.mp4, left out", file=sys.stderr)
            continue
        series = LandmarkSeries.load(path)
        video = series.meta["video"]
        size = (video["width"], video["height"])
        hours += len(series) / video["fps"] / 3600
        clips += 1
        for out, frames in ((with_picture, series.frames()), (alone, without_picture(series))):
            events, _ = detect_events(frames, cfg, video["fps"], size)
            out += [(folder, e) for e in events if e.kind == "jerk"]
        peaks += glitches(series, cfg)

    if not hours:
        raise SystemExit("no quiet clip found: build the set with scripts/make_eval_set.py")
    print(f"Quiet footage, pose model on every frame: {hours * 60:.1f} min "
          f"({clips} clips), settings: {args.detector or 'default'}")  # fmt: skip
    for label, found in (("as vidmyo runs", with_picture), ("landmarks alone", alone)):
        print(f"  false jerks, {label}: {len(found)} ({len(found) / hours:.1f} per hour)")
        for folder, e in found:
            print(f"    {folder} {e.onset_s:7.2f} s {e.primary_region:9s} amplitude "
                  f"{e.amplitude:.3f}, snr {e.snr:.1f}, evidence {e.evidence}")  # fmt: skip
    peaks = np.sort(np.array(peaks))[::-1]
    top = ", ".join(f"{p:.1f}" for p in peaks[:10])
    print(f"  bursts of one or two frames above trigger_z ({cfg.trigger_z:g}), landmarks "
          f"alone: {len(peaks)}; largest peaks (noise units): {top or '-'}; at or above "
          f"brief_z ({cfg.brief_z:g}): {int((peaks >= cfg.brief_z).sum())}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
