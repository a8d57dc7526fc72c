"""Check that MediaPipe sees what ``make_sample_video.py`` scripted.

Runs the pose landmarker (full bundle, VIDEO mode) over every frame of a generated clip and
compares with its truth file:

* the fraction of frames in which a pose is found;
* per scripted jerk, the displacement MediaPipe measures at the peak frame (largest over the
  region's landmarks, relative to the median pose of the 0.5 s before onset, in torso lengths)
  next to the scripted one, both absolute and relative to the region's anchor (shoulder, hip,
  shoulders' midpoint) as vidmyo measures it;
* the still-period jitter: the standard deviation of each landmark's position, in torso
  lengths, over stretches at least 1 s away from any scripted event.

Usage (from the repo root):

    python scripts/check_sample_video.py [sample_videos/sample_jerks.mp4] [--model full]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from vidmyo.landmarks import REGION_ANCHOR, REGION_LANDMARKS

REPO = Path(__file__).resolve().parents[1]


def track(video: Path, model: Path) -> tuple[np.ndarray, float]:
    """Landmarks (N, 33, 3: x px, y px, visibility; NaN where no pose) and fps of a video."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    opts = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.VIDEO,
    )
    landmarker = vision.PoseLandmarker.create_from_options(opts)
    out = []
    try:
        i = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            h, w = frame.shape[:2]
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            res = landmarker.detect_for_video(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(round(i * 1000 / fps))
            )
            if res.pose_landmarks:
                pts = res.pose_landmarks[0]
                out.append([[p.x * w, p.y * h, p.visibility] for p in pts])
            else:
                out.append(np.full((33, 3), np.nan).tolist())
            i += 1
    finally:
        landmarker.close()
        cap.release()
    return np.array(out, dtype=np.float64), fps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("video", type=Path, nargs="?", default=REPO / "sample_videos/sample_jerks.mp4")
    ap.add_argument("--model", default="full", choices=("lite", "full", "heavy"))
    ap.add_argument("--save", type=Path, help="also save the tracked landmarks (.npy)")
    args = ap.parse_args(argv)

    truth = json.loads(args.video.with_suffix(".truth.json").read_text())
    model = REPO / "models" / f"pose_landmarker_{args.model}.task"
    lm, fps = track(args.video, model)
    if args.save:
        np.save(args.save, lm)
    n = len(lm)
    found = np.isfinite(lm[:, 0, 0])
    print(f"{args.video.name}: {n} frames decoded (truth says {truth['frame_count']}), "
          f"pose found in {found.mean():.1%}")  # fmt: skip

    xy = lm[..., :2]
    mid_sh = (xy[:, 11] + xy[:, 12]) / 2
    mid_hip = (xy[:, 23] + xy[:, 24]) / 2
    torso = float(np.nanmedian(np.linalg.norm(mid_sh - mid_hip, axis=1)))
    print(f"torso length: {torso:.1f} px measured, {truth['torso_length_px']} px scripted")

    # Quiet stretches: at least 1 s from any event.
    busy = np.zeros(n, bool)
    for ev in truth["events"]:
        a = max(0, ev["onset_frame"] - int(fps))
        b = ev["offset_frame"] + int(fps) if ev["kind"] != "light_change" else ev["onset_frame"]
        busy[a : min(n, b + int(fps))] = True
    quiet = ~busy & found
    jitter = np.nanstd(xy[quiet], axis=0) / torso  # (33, 2)
    jit = np.linalg.norm(jitter, axis=1)
    print(f"still-period jitter over {quiet.sum()} quiet frames (std, torso lengths): "
          f"median landmark {np.median(jit):.4f}, worst {jit.max():.4f} (landmark "
          f"{int(jit.argmax())})")  # fmt: skip
    # Frame-to-frame part only (breathing removed): std of successive differences / sqrt(2).
    pairs = quiet[1:] & quiet[:-1]
    step = np.diff(xy, axis=0)[pairs]
    jit_ff = np.linalg.norm(np.nanstd(step, axis=0), axis=1) / np.sqrt(2) / torso
    for r, idx in REGION_LANDMARKS.items():
        i = list(idx)
        print(f"  {r:10s} median std {np.median(jit[i]):.4f}, frame-to-frame "
              f"{np.median(jit_ff[i]):.4f}")  # fmt: skip

    print("\njerks: measured / scripted peak displacement, torso lengths (abs | rel. anchor)")
    for ev in truth["events"]:
        if ev["kind"] != "jerk":
            continue
        on, pk = ev["onset_frame"], ev["peak_frame"]
        base = np.nanmedian(xy[max(0, on - int(fps / 2)) : on], axis=0)
        line = [f"  f{on:5d} {ev['distribution']:11s} {'+'.join(ev['regions']):s}"]
        for r in ev["regions"]:
            idx, anc = list(REGION_LANDMARKS[r]), list(REGION_ANCHOR[r])
            # The peak frame and its neighbours (the codec may smear a frame).
            best_abs = best_rel = 0.0
            for f in range(pk - 1, min(n, pk + 2)):
                d = np.linalg.norm(xy[f, idx] - base[idx], axis=1).max() / torso
                rel_now = xy[f, idx] - xy[f, anc].mean(axis=0)
                rel_base = base[idx] - base[anc].mean(axis=0)
                dr = np.linalg.norm(rel_now - rel_base, axis=1).max() / torso
                best_abs, best_rel = max(best_abs, d), max(best_rel, dr)
            s_abs = ev["region_amplitudes"][r]
            s_rel = ev["region_amplitudes_relative"][r]
            line.append(f"    {r:10s} {best_abs:.3f} / {s_abs:.3f} | {best_rel:.3f} / {s_rel:.3f}")
        print("\n".join(line))

    # Largest excursion during the non-jerk events, for reference.
    print("\nother events: largest landmark excursion from the pre-event pose (torso lengths)")
    for ev in truth["events"]:
        if ev["kind"] == "jerk":
            continue
        on, off = ev["onset_frame"], min(n, max(ev["offset_frame"], ev["onset_frame"] + 15))
        base = np.nanmedian(xy[max(0, on - int(fps / 2)) : on], axis=0)
        d = np.nanmax(np.linalg.norm(xy[on:off] - base, axis=2)) / torso
        print(f"  f{on:5d} {ev['kind']:13s} {d:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
