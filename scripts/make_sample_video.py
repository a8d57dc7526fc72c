"""Make the sample clip ``sample_videos/sample_jerks.mp4`` and its truth file.

Why this exists
---------------
vidmyo needs a video of a real-looking person in which myoclonic jerks happen at known frames,
to demo the tool, to test it end to end and to benchmark it. Filming real jerks is not an
option, so this script animates one still photo: it moves the person's own limbs in the photo
at scripted times, with a scripted shape, and writes down exactly what it did
(``sample_jerks.truth.json``). Beside the jerks it scripts movements that are *not* jerks and
must not be reported as such (a slow voluntary arm raise, a 5 Hz tremor, a camera shake, a
lighting step), plus the small things that make a still photo look like video (breathing,
sensor noise), so that pose jitter and false alarms are realistic.

How it works
------------
1. The source photo is frame 0 of the Sports2D demo video, cropped to 640x480 (provenance and
   licence: ``sample_videos/README.md``). Its 33 MediaPipe pose landmarks and the person's
   segmentation mask are found once with the heavy pose bundle and cached beside the photo
   (``*.pose.json``, ``*.mask.png``), so a rerun gives the same clip and needs no model.
   ``--source`` animates another photo the same way: ``sample_videos/sources/`` also holds a
   second person, for holdout sets (``scripts/make_eval_set.py --source``).
2. A skeleton of 2D bones is built on the landmarks: trunk, head, upper arm / forearm / hand
   and thigh / shank / foot per side. Each bone rotates about its rest-pose joint (shoulder,
   elbow, wrist, hip, knee, ankle, neck; the trunk about mid-hip) and carries its children
   (rigidly: a trunk that shortens in a flexion does not shorten the arms and head).
   Every pixel gets soft skinning weights from its distance to the bones' capsules (the trunk
   is the polygon shoulders - base of the neck - hips), so joints bend smoothly.
3. Per frame, the scripted joint angles give each bone a 2D affine transform, and the person
   layer is warped with ``cv2.remap``. The inverse map is found per pixel by trying each bone's
   exact inverse and keeping the one whose forward skinning lands back on the pixel (limbs in
   front of the trunk win overlaps), refined by a short fixed-point iteration in the blended
   joint zones. Pixels no part of the body maps to (where a limb has just left), and pixels
   the skinning would smear (a thin band stretched over a gap), show a background plate in
   which the moving parts were inpainted away, so limbs move over the background instead of
   dragging it along.
4. Whole-frame effects come last: camera shake (sub-pixel translation of the whole frame),
   lighting gain, optional infrared-like look (``--dark``), sensor noise, rotation
   (``--rotate``; 90/270 give 480x640 portrait frames, nothing is cropped). Frames are written
   with OpenCV's ``mp4v`` codec at 600 kbit/s.

A jerk rises to full displacement in 2-3 frames, holds 0-2 frames and returns towards rest over
4-8 frames (200-400 ms in all). Its size is set as the peak displacement of the primary
region's most-moving landmark in torso lengths (mid-shoulder to mid-hip); the joint angles
that give that displacement are solved for. A region that rides on another (head and arms on
the trunk) may already be carried that far by it, and then gets little or no movement of its
own: the truth lists a region among a jerk's ``regions`` only if it moved on its own by at
least ``OWN_SHARE`` of its scripted size (``region_amplitudes_own``; ``regions_scripted``
lists all). Truth-file frame conventions: ``onset_frame`` is
the first frame in which the part is displaced from rest, ``peak_frame`` the first frame at
full displacement, ``offset_frame`` the first frame back at rest; times are frame / fps.

Run from the repo root (the default run makes the committed sample; 2-3 min on 2 cores):

    python scripts/make_sample_video.py
    python scripts/make_sample_video.py --rotate 90 --out /tmp/lying.mp4   # variants
    python scripts/make_sample_video.py --dark --seed 3 --duration 40 --out /tmp/ir.mp4
    python scripts/make_sample_video.py --pair --script random --out /tmp/two.mp4  # a partner
    python scripts/make_sample_video.py --script random --seed 3 --out /tmp/x.mp4 --truth-only

``--pair`` shows the photo's person twice, side by side (each keeps the half of the photo
centred on them), with a script of its own for each; camera shakes and light steps come from
the first script and touch both. Truth events carry ``person`` (``left`` / ``right``; None for
the whole-frame events) and ``persons`` gives each one's rest landmarks.

``--redetect`` recomputes the landmark/mask cache with ``models/pose_landmarker_heavy.task``.
The output is deterministic for a given seed and OpenCV/NumPy version.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SOURCE_IMAGE = REPO / "sample_videos" / "sources" / "sports2d_demo_frame0.png"
DEFAULT_OUT = REPO / "sample_videos" / "sample_jerks.mp4"
HEAVY_MODEL = REPO / "models" / "pose_landmarker_heavy.task"

FPS = 30.0
DEFAULT_DURATION_S = 51.0
DEFAULT_SEED = 0
TRUTH_SCHEMA = "vidmyo.truth/1"
OWN_SHARE = 0.5
"""A scripted region is among a jerk's regions if it moved on its own (not only carried by the
trunk) by at least this share of its scripted size. Own movements are either near zero (the
trunk carried the region past its scripted size) or 0.5-1.2 of it; in the four evaluation
sets' 420 jerks, 55 of 836 scripted regions had none and 3 less than half
(``make_eval_set.py --truth-only`` counts them)."""
BITRATE = 600_000  # bit/s for the mp4v encoder: ~4 MB for the default clip

# Mirrors vidmyo.landmarks (kept local so this script runs without the package installed).
REGIONS = ("head", "trunk", "left_arm", "right_arm", "left_leg", "right_leg")
REGION_LANDMARKS: dict[str, tuple[int, ...]] = {
    "head": tuple(range(0, 11)),
    "trunk": (11, 12, 23, 24),
    "left_arm": (13, 15, 17, 19, 21),
    "right_arm": (14, 16, 18, 20, 22),
    "left_leg": (25, 27, 29, 31),
    "right_leg": (26, 28, 30, 32),
}
REGION_ANCHOR: dict[str, tuple[int, ...]] = {
    "head": (11, 12),
    "trunk": (11, 12, 23, 24),
    "left_arm": (11,),
    "right_arm": (12,),
    "left_leg": (23,),
    "right_leg": (24,),
}

# Which bone carries each landmark.
LANDMARK_BONE: dict[int, str] = {i: "head" for i in range(11)}
LANDMARK_BONE.update({11: "trunk", 12: "trunk", 23: "trunk", 24: "trunk"})
for _side, _o in (("left", 0), ("right", 1)):
    LANDMARK_BONE.update(
        {
            13 + _o: f"{_side}_upper_arm",
            15 + _o: f"{_side}_forearm",
            17 + _o: f"{_side}_hand",
            19 + _o: f"{_side}_hand",
            21 + _o: f"{_side}_hand",
            25 + _o: f"{_side}_thigh",
            27 + _o: f"{_side}_shank",
            29 + _o: f"{_side}_foot",
            31 + _o: f"{_side}_foot",
        }
    )


# --------------------------------------------------------------------------------------------
# Still image, landmarks, mask
# --------------------------------------------------------------------------------------------


def detect_still(image_bgr: np.ndarray, model: Path) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks (33, 3: x px, y px, visibility) and person mask (H, W float 0-1) of a photo."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.IMAGE,
        output_segmentation_masks=True,
    )
    landmarker = vision.PoseLandmarker.create_from_options(opts)
    try:
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        res = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
    finally:
        landmarker.close()
    if not res.pose_landmarks:
        raise SystemExit("no pose found in the source image")
    h, w = image_bgr.shape[:2]
    lm = np.array([[p.x * w, p.y * h, p.visibility] for p in res.pose_landmarks[0]])
    mask = np.asarray(res.segmentation_masks[0].numpy_view(), dtype=np.float32).reshape(h, w)
    return lm, mask


def load_still(
    redetect: bool, source: Path = SOURCE_IMAGE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The source photo, its landmarks and mask; the latter two from the cache when present."""
    image = cv2.imread(str(source), cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f"cannot read {source}")
    pose_path = source.with_suffix(".pose.json")
    mask_path = source.with_suffix(".mask.png")
    if redetect or not (pose_path.exists() and mask_path.exists()):
        import mediapipe

        lm, mask = detect_still(image, HEAVY_MODEL)
        rows = ",\n  ".join(json.dumps([round(float(v), 2) for v in row]) for row in lm)
        head = {"image": source.name, "model": HEAVY_MODEL.name}
        head["mediapipe"] = mediapipe.__version__
        pose_path.write_text(json.dumps(head)[:-1] + f', "landmarks_px": [\n  {rows}\n]}}\n')
        cv2.imwrite(str(mask_path), np.round(mask * 255).astype(np.uint8))
        print(f"wrote {pose_path.name} and {mask_path.name}")
    lm = np.array(json.loads(pose_path.read_text())["landmarks_px"], dtype=np.float64)
    mask = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255.0
    return image, lm, mask


# --------------------------------------------------------------------------------------------
# Skeleton
# --------------------------------------------------------------------------------------------


@dataclass
class Bone:
    name: str
    parent: str | None
    pivot: np.ndarray  # rest-pose point the bone rotates about
    region: str
    priority: int  # who is in front where parts overlap (higher wins)
    capsule: list[np.ndarray] = field(default_factory=list)  # polyline, for the weights
    radius: float = 0.0
    polygon: np.ndarray | None = None  # filled polygon instead of a capsule


def affine(angle_deg: float = 0.0, pivot=(0.0, 0.0), sy: float = 1.0, dx=0.0, dy=0.0):
    """3x3 matrix: scale y by ``sy`` and rotate by ``angle_deg`` about ``pivot``, then shift.

    Image coordinates (y down): a positive angle turns a downward-pointing limb towards -x.
    """
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    px, py = float(pivot[0]), float(pivot[1])
    rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    scl = np.diag([1.0, sy, 1.0])
    to = np.array([[1.0, 0.0, px + dx], [0.0, 1.0, py + dy], [0.0, 0.0, 1.0]])
    back = np.array([[1.0, 0.0, -px], [0.0, 1.0, -py], [0.0, 0.0, 1.0]])
    return to @ rot @ scl @ back


def rigid_about(m: np.ndarray, point) -> np.ndarray:
    """``m``'s rotation and shift without its scaling, taking ``point`` where ``m`` takes it.

    A child bone rides on its parent this way: when the trunk shortens in a flexion (``sy``),
    the arms and head hanging from it follow the shoulders but keep their length. Carrying
    the full transform squashed them along with the trunk, so a focal trunk jerk moved the
    arms relative to their shoulders by as much as it moved the trunk."""
    u, _, vt = np.linalg.svd(m[:2, :2])
    rot = u @ vt  # the rotation of the polar decomposition: m = rot @ (a scaling)
    p = np.asarray(point, dtype=float)
    out = np.eye(3)
    out[:2, :2] = rot
    out[:2, 2] = m[:2, :2] @ p + m[:2, 2] - rot @ p
    return out


class Skeleton:
    """Bones built on the still's landmarks, and forward kinematics."""

    def __init__(self, lm: np.ndarray):
        p = lm[:, :2]
        self.rest = p.copy()
        mid_sh = (p[11] + p[12]) / 2
        mid_hip = (p[23] + p[24]) / 2
        self.torso = float(np.linalg.norm(mid_sh - mid_hip))
        t = self.torso
        head_c = p[0:11].mean(axis=0)
        up = head_c - mid_sh
        ear = float(np.linalg.norm(p[7] - p[8]))
        self.mid_hip = mid_hip
        self.mid_sh = mid_sh
        # +1 when the person's left side is on the image's right (facing the camera).
        self.side_sign = {"left": float(np.sign(p[11, 0] - p[12, 0]) or 1.0)}
        self.side_sign["right"] = -self.side_sign["left"]

        # Trunk: shoulders, the base of the neck (so the trapezius stays with it), hips.
        neck_l = mid_sh + 0.3 * up + 0.35 * (p[11] - mid_sh)
        neck_r = mid_sh + 0.3 * up + 0.35 * (p[12] - mid_sh)
        bones = [
            Bone(
                "trunk",
                None,
                mid_hip,
                "trunk",
                1,
                polygon=np.array([p[11], neck_l, neck_r, p[12], p[24], p[23]]),
            ),
            Bone(
                "head",
                "trunk",
                mid_sh + 0.15 * up,
                "head",
                2,
                capsule=[mid_sh + 0.7 * up, head_c + 0.55 * up],
                radius=0.7 * ear,
            ),
        ]
        for side, o in (("left", 0), ("right", 1)):
            sh, el, wr, hip, kn, an = (
                p[11 + o],
                p[13 + o],
                p[15 + o],
                p[23 + o],
                p[25 + o],
                p[27 + o],
            )
            hand_end = wr + 1.5 * (p[[17 + o, 19 + o, 21 + o]].mean(axis=0) - wr)
            toe = p[31 + o]
            bones += [
                # The capsule starts below the shoulder joint: what is above it (acromion,
                # trapezius) stays with the trunk when the arm swings out.
                Bone(
                    f"{side}_upper_arm",
                    "trunk",
                    sh,
                    f"{side}_arm",
                    3,
                    [sh + 0.3 * (el - sh), el],
                    0.1 * t,
                ),
                Bone(
                    f"{side}_forearm", f"{side}_upper_arm", el, f"{side}_arm", 3, [el, wr], 0.08 * t
                ),
                Bone(
                    f"{side}_hand",
                    f"{side}_forearm",
                    wr,
                    f"{side}_arm",
                    3,
                    [wr, hand_end],
                    0.07 * t,
                ),
                Bone(f"{side}_thigh", None, hip, f"{side}_leg", 1, [hip, kn], 0.14 * t),
                Bone(f"{side}_shank", f"{side}_thigh", kn, f"{side}_leg", 1, [kn, an], 0.10 * t),
                Bone(
                    f"{side}_foot",
                    f"{side}_shank",
                    an,
                    f"{side}_leg",
                    1,
                    [an, p[29 + o], toe],
                    0.06 * t,
                ),
            ]
        self.bones = bones
        self.index = {b.name: i for i, b in enumerate(bones)}

    def world(self, local: dict[str, dict[str, float]]) -> list[np.ndarray]:
        """World 3x3 transform of every bone for per-bone local parameters.

        ``local[bone]`` may hold ``angle`` (deg), ``sy`` (vertical scale about the pivot),
        ``dx``/``dy`` (pixels).
        """
        out: dict[str, np.ndarray] = {}
        for b in self.bones:  # parents come before children
            q = local.get(b.name, {})
            m = affine(
                q.get("angle", 0.0), b.pivot, q.get("sy", 1.0), q.get("dx", 0.0), q.get("dy", 0.0)
            )
            out[b.name] = m if b.parent is None else rigid_about(out[b.parent], b.pivot) @ m
        return [out[b.name] for b in self.bones]

    def landmarks(self, world: list[np.ndarray]) -> np.ndarray:
        """Landmark positions (33, 2) under bone transforms."""
        res = np.empty_like(self.rest)
        for i, pt in enumerate(self.rest):
            m = world[self.index[LANDMARK_BONE[i]]]
            res[i] = m[:2, :2] @ pt + m[:2, 2]
        return res


def add_local(dst: dict, src: dict, scale: float = 1.0) -> None:
    """dst += scale * src for nested {bone: {param: value}} dicts (``sy`` as an offset from 1)."""
    for bone, params in src.items():
        d = dst.setdefault(bone, {})
        for k, v in params.items():
            if k == "sy":
                d["sy"] = d.get("sy", 1.0) + scale * (v - 1.0)
            else:
                d[k] = d.get(k, 0.0) + scale * v


# --------------------------------------------------------------------------------------------
# Warping
# --------------------------------------------------------------------------------------------


class Warper:
    """Warps the person in the still by bone transforms (see the module docstring)."""

    TAU = 1.5  # px, softness of the skinning weights between neighbouring bones

    def __init__(self, image: np.ndarray, mask: np.ndarray, skel: Skeleton):
        h, w = image.shape[:2]
        self.skel = skel
        self.image = image.astype(np.float32)
        person = mask > 0.1
        disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
        cover = cv2.dilate(person.astype(np.uint8), disk)
        grown = cv2.dilate(cover, disk)
        # The person layer is opaque over ``cover`` (which holds every inpainted pixel of the
        # plates below), so the rest pose reproduces the photo exactly.
        alpha = cv2.GaussianBlur(grown.astype(np.float32), (0, 0), 1.0)
        self.alpha = np.maximum(alpha, cover.astype(np.float32))
        self.body = (mask > 0.5).astype(np.float32)

        # Work only inside a box around the person, wide enough for a raised arm.
        ys, xs = np.nonzero(grown)
        self.rest_box = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
        m = int(1.1 * skel.torso)
        self.x0, self.x1 = int(max(0, xs.min() - m)), int(min(w, xs.max() + m + 1))
        self.y0, self.y1 = int(max(0, ys.min() - m)), int(min(h, ys.max() + m // 3 + 1))
        gx, gy = np.meshgrid(
            np.arange(self.x0, self.x1, dtype=np.float32),
            np.arange(self.y0, self.y1, dtype=np.float32),
        )
        self.gx, self.gy = gx, gy

        # Skinning weights: softmin of the distance to each bone's capsule.
        dists = []
        for b in skel.bones:
            canvas = np.zeros((h, w), np.uint8)
            if b.polygon is not None:
                cv2.fillPoly(canvas, [np.round(b.polygon).astype(np.int32)], 255)
            else:
                pts = np.round(np.array(b.capsule)).astype(np.int32)
                cv2.polylines(canvas, [pts], False, 255, max(1, round(2 * b.radius)))
                for pt in pts:
                    cv2.circle(canvas, tuple(int(v) for v in pt), max(1, round(b.radius)), 255, -1)
            d = cv2.distanceTransform(255 - canvas, cv2.DIST_L2, 5)
            dists.append(d[self.y0 : self.y1, self.x0 : self.x1])
        d = np.stack(dists, axis=-1)
        wts = np.exp(-(d - d.min(axis=-1, keepdims=True)) / self.TAU)
        wts /= wts.sum(axis=-1, keepdims=True)
        for k in range(wts.shape[-1]):
            wts[..., k] = cv2.GaussianBlur(wts[..., k], (0, 0), 1.5)
        wts /= wts.sum(axis=-1, keepdims=True)
        self.weights = wts.astype(np.float32)  # (ROI h, ROI w, bones)
        self.priority = np.array([b.priority for b in skel.bones])
        self.parent_of = [skel.index[b.parent] if b.parent else -1 for b in skel.bones]

        roi = (slice(self.y0, self.y1), slice(self.x0, self.x1))
        self.roi = roi

        # Background plates: the photo with the moving parts replaced by an inpainted estimate
        # of the background, so that where a limb has just left, what was behind it shows. The
        # estimate is inpainted from the background alone (the whole person removed), so no
        # skin or clothing colour bleeds into it. The trunk always stays (it only breathes or
        # leans a little), and so do the limbs that are still in the current frame.
        dominant = np.full((h, w), -1, np.int32)
        dominant[roi] = wts.argmax(axis=-1)
        groups = {
            "upper": [
                i for i, b in enumerate(skel.bones) if b.region in ("head", "left_arm", "right_arm")
            ],
            "legs": [i for i, b in enumerate(skel.bones) if b.region.endswith("_leg")],
        }
        limbs = (person & (dominant != skel.index["trunk"])).astype(np.uint8)
        near_limb = cv2.dilate(limbs, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
        keep = person & (dominant == skel.index["trunk"]) & (near_limb == 0)
        backdrop = cv2.inpaint(image, cover * 255, 9, cv2.INPAINT_TELEA)
        self.plates = {}
        for key in ("upper", "legs", "upper+legs"):
            parts = np.isin(dominant, sum((groups[g] for g in key.split("+")), []))
            hole = cv2.dilate((person & parts).astype(np.uint8), disk).astype(bool) & ~keep
            self.plates[key] = np.where(hole[..., None], backdrop, image).astype(np.float32)
        self.plates["all"] = np.where(cover[..., None] > 0, backdrop, image).astype(np.float32)
        self.trunk_points = skel.rest[[11, 12, 23, 24]]
        self.group_of_bone = [
            "legs" if k in groups["legs"] else "upper" for k in range(len(skel.bones))
        ]
        self.image_roi = np.ascontiguousarray(self.image[roi])
        self.alpha_roi = np.ascontiguousarray(self.alpha[roi])
        self.body_roi = np.ascontiguousarray(self.body[roi])

    @staticmethod
    def _sample(arr: np.ndarray, qx: np.ndarray, qy: np.ndarray, ox: int, oy: int) -> np.ndarray:
        """Bilinear sample of ``arr`` (whose pixel 0,0 is image pixel ox,oy) at image coords."""
        mx = (qx - ox).astype(np.float32)
        my = (qy - oy).astype(np.float32)
        return cv2.remap(arr, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def _box(self, world: list[np.ndarray]) -> tuple[slice, slice]:
        """Part of the ROI this pose can touch: the person at rest and where its landmarks are."""
        moved = self.skel.landmarks(world)
        pad = 0.4 * self.skel.torso
        x0, y0, x1, y1 = self.rest_box
        x0 = min(x0, moved[:, 0].min() - pad) - self.x0
        x1 = max(x1, moved[:, 0].max() + pad) - self.x0
        y0 = min(y0, moved[:, 1].min() - pad) - self.y0
        y1 = max(y1, moved[:, 1].max() + pad) - self.y0
        hh, ww = self.gx.shape
        return (
            slice(int(max(0, y0)), int(min(hh, y1 + 1))),
            slice(int(max(0, x0)), int(min(ww, x1 + 1))),
        )

    def render(self, world: list[np.ndarray]) -> np.ndarray:
        """The frame (float32 BGR) with the person posed by the bone transforms ``world``."""
        by, bx = self._box(world)
        gx, gy = self.gx[by, bx], self.gy[by, bx]
        bx0, by0 = self.x0 + bx.start, self.y0 + by.start  # image coords of the box origin
        rx0, ry0 = self.x0, self.y0  # and of the ROI's
        # Forward displacement field of the skinned body on the rest-pose grid.
        delta = np.stack([m[:2, :] - np.eye(3)[:2, :] for m in world]).reshape(len(world), 6)
        wts = self.weights[by, bx].reshape(-1, len(world))
        g = (wts @ delta.astype(np.float32)).reshape(*gx.shape, 6)
        disp = np.empty((*gx.shape, 2), np.float32)
        disp[..., 0] = g[..., 0] * gx + g[..., 1] * gy + g[..., 2]
        disp[..., 1] = g[..., 3] * gx + g[..., 4] * gy + g[..., 5]

        # Candidate pre-images: each distinct bone transform's exact inverse.
        groups: dict[bytes, tuple[np.ndarray, int]] = {}
        for k, m in enumerate(world):
            key = np.round(m, 6).tobytes()
            prio = int(self.priority[k])
            if key not in groups or groups[key][1] < prio:
                groups[key] = (m, prio)
        best_key = np.full(gx.shape, -np.inf, np.float32)
        best_qx, best_qy = gx.copy(), gy.copy()
        best_res = np.full(gx.shape, np.inf, np.float32)
        for m, prio in groups.values():
            inv = np.linalg.inv(m)
            qx = (inv[0, 0] * gx + inv[0, 1] * gy + inv[0, 2]).astype(np.float32)
            qy = (inv[1, 0] * gx + inv[1, 1] * gy + inv[1, 2]).astype(np.float32)
            d = self._sample(disp, qx, qy, bx0, by0)
            res = np.hypot(qx + d[..., 0] - gx, qy + d[..., 1] - gy)
            opaque = self._sample(self.body_roi, qx, qy, rx0, ry0) > 0.5
            # Valid pre-images beat invalid ones, body beats background, front beats back;
            # among invalid ones the smallest residual wins.
            key = np.where(res < 0.75, 100.0 + 100.0 * opaque + prio, -res)
            better = key > best_key
            best_key = np.where(better, key, best_key)
            best_qx = np.where(better, qx, best_qx)
            best_qy = np.where(better, qy, best_qy)
            best_res = np.where(better, res, best_res)
        qx, qy, res = best_qx, best_qy, best_res

        # Blended joint zones: a few fixed-point steps q <- p - D(q), where still inexact.
        todo = np.flatnonzero(res > 0.05)
        if todo.size:
            # Gathered into a 2D block (remap's maps must be under 32k on each side).
            cols = 512
            pad = np.resize(todo, -(-todo.size // cols) * cols).reshape(-1, cols)
            px, py = gx.ravel()[pad], gy.ravel()[pad]
            cx, cy, cr = qx.ravel()[pad], qy.ravel()[pad], res.ravel()[pad]
            for _ in range(4):
                d = self._sample(disp, cx, cy, bx0, by0)
                nx, ny = px - d[..., 0], py - d[..., 1]
                d2 = self._sample(disp, nx, ny, bx0, by0)
                nres = np.hypot(nx + d2[..., 0] - px, ny + d2[..., 1] - py)
                take = nres < cr
                cx, cy, cr = (
                    np.where(take, nx, cx),
                    np.where(take, ny, cy),
                    np.where(take, nres, cr),
                )
            n = todo.size
            qx.ravel()[todo] = cx.ravel()[:n]
            qy.ravel()[todo] = cy.ravel()[:n]
            res.ravel()[todo] = cr.ravel()[:n]

        # Plate: which limbs are bent away from their parent bone in this frame.
        moving = set()
        for k, m in enumerate(world):
            ref = world[self.parent_of[k]] if self.parent_of[k] >= 0 else np.eye(3)
            if k != self.skel.index["trunk"] and not np.allclose(m, ref, atol=1e-6):
                moving.add(self.group_of_bone[k])
        tr = world[self.skel.index["trunk"]]
        trunk_shift = np.abs(self.trunk_points @ tr[:2, :2].T + tr[:2, 2] - self.trunk_points)
        if trunk_shift.max() > 1.5:  # more than breathing: the trunk leaves its place too
            plate = self.plates["all"]
        else:
            plate = self.plates["+".join(sorted(moving, reverse=True)) or "upper"]
        # Where the skinning stretches a thin band of pixels over a wide gap (a limb pulling
        # away from the trunk), the band is dropped and the plate shows instead.
        # Largest singular value of the forward map's Jacobian (1 for rigid motion).
        a, b, c, d = (
            cv2.Sobel(disp[..., ch], cv2.CV_32F, dx, 1 - dx, ksize=3) / 8.0
            for ch in (0, 1)
            for dx in (1, 0)
        )
        a += 1.0
        d += 1.0
        sq = a * a + b * b + c * c + d * d
        det = a * d - b * c
        sigma = np.sqrt(0.5 * (sq + np.sqrt(np.maximum(sq * sq - 4.0 * det * det, 0.0))))
        stretch = self._sample(sigma - 1.0, qx, qy, bx0, by0)
        color = self._sample(self.image_roi, qx, qy, rx0, ry0)
        alpha = (
            self._sample(self.alpha_roi, qx, qy, rx0, ry0)
            * np.clip(1.5 - res, 0.0, 1.0)
            * np.clip(2.0 - 2.0 * stretch, 0.0, 1.0)
        )
        frame = plate.copy()
        box = (slice(by0, by0 + gx.shape[0]), slice(bx0, bx0 + gx.shape[1]))
        bg = frame[box]
        frame[box] = bg + alpha[..., None] * (color - bg)
        return frame


# --------------------------------------------------------------------------------------------
# Script of events
# --------------------------------------------------------------------------------------------


def jerk_profile(rise: int, hold: int, decay: int) -> np.ndarray:
    """Displacement fraction per frame from onset: rise, hold at 1, decay; then rest (0)."""
    up = [math.sin(math.pi / 2 * (i + 1) / rise) ** 2 for i in range(rise)]
    down = [math.cos(math.pi / 2 * (j + 1) / (decay + 1)) ** 2 for j in range(decay)]
    return np.array(up + [1.0] * hold + down)


def min_jerk(s: np.ndarray) -> np.ndarray:
    s = np.clip(s, 0.0, 1.0)
    return 10 * s**3 - 15 * s**4 + 6 * s**5


def arm_shape(side: str, sign: float, upper: float, fore: float, hand: float = 0.0) -> dict:
    """Arm swung outwards (abduction) with the forearm and hand flicking further out."""
    out = -sign  # angle sign that turns a hanging limb outwards
    return {
        f"{side}_upper_arm": {"angle": out * upper},
        f"{side}_forearm": {"angle": out * fore},
        f"{side}_hand": {"angle": out * hand},
    }


def leg_shape(side: str, sign: float, thigh: float, shank: float) -> dict:
    """Lower leg kicks outwards about the knee, the thigh follows a little, the foot stays level."""
    out = -sign
    return {
        f"{side}_thigh": {"angle": out * thigh},
        f"{side}_shank": {"angle": out * shank},
        f"{side}_foot": {"angle": -out * 0.5 * shank},
    }


def head_shape() -> dict:
    """Head tilts to its right and drops a little (a nod seen from the front)."""
    return {"head": {"angle": -1.0, "dy": 0.3}}


def trunk_shape() -> dict:
    """Trunk leans to one side and shortens (flexion seen from the front)."""
    return {"trunk": {"angle": 1.0, "sy": 1.0 - 0.012}}


# Nominal script (seconds). Jerk onsets are jittered by the seed by up to +-0.2 s; every event
# stays >= 3 s clear of the others.
JERKS = [
    # onset, distribution, {region: target amplitude (torso lengths)}, primary
    (2.5, "focal", {"left_arm": 0.15}, "left_arm"),
    (6.5, "focal", {"right_arm": 0.22}, "right_arm"),
    (10.5, "focal", {"head": 0.12}, "head"),
    (22.0, "multifocal", {"left_arm": 0.18, "right_arm": 0.16}, "left_arm"),
    (26.0, "focal", {"left_leg": 0.15}, "left_leg"),
    (
        36.4,
        "generalized",
        {
            "trunk": 0.08,
            "head": 0.14,
            "left_arm": 0.2,
            "right_arm": 0.22,
            "left_leg": 0.1,
            "right_leg": 0.1,
        },
        "right_arm",
    ),
    (47.7, "focal", {"right_leg": 0.12}, "right_leg"),
]
ARM_RAISE = (14.4, 1.8, 0.5, 1.8, 40.0)  # onset, up s, hold s, down s, peak shoulder angle deg
TREMOR = (29.8, 3.0, 5.0, 0.05)  # onset, duration s, frequency Hz, fingertip amplitude (torso)
SHAKE = (40.2, 0.5, 2.5)  # onset, duration s, std of the shift in px
LIGHT = (44.2, 0.7)  # onset, brightness factor (held to the end)
BREATH_PERIOD_S = 4.0
NOISE = 2.0  # sensor noise, grey levels (std per pixel and channel)
# --dark: greyscale, gain, gamma (<1 lifts the dark subject a little, as a high-gain IR camera
# would) and stronger noise.
DARK_GAIN, DARK_GAMMA, DARK_NOISE = 0.45, 0.85, 3.0
BREATH_AMPLITUDE = 0.01  # shoulders' vertical motion, torso lengths


class Script:
    """Turns the event list into per-frame bone parameters and whole-frame effects."""

    def __init__(self, skel: Skeleton, n_frames: int, rng: np.random.Generator, fps: float = FPS):
        self.skel = skel
        self.n = n_frames
        self.rng = rng
        self.fps = fps
        self.local: list[dict] = [{} for _ in range(n_frames)]
        self.shift = np.zeros((n_frames, 2))
        self.gain = np.ones(n_frames)
        self.events: list[dict] = []
        self.jerk_frames = np.zeros(n_frames, bool)
        sgn = skel.side_sign
        self.region_shape = {
            "left_arm": arm_shape("left", sgn["left"], 1.0, 0.9, 0.6),
            "right_arm": arm_shape("right", sgn["right"], 0.7, 1.0, 0.8),
            "left_leg": leg_shape("left", sgn["left"], 0.3, 1.0),
            "right_leg": leg_shape("right", sgn["right"], 0.3, 1.0),
            "head": head_shape(),
            "trunk": trunk_shape(),
        }

    # -- helpers -----------------------------------------------------------------------------

    def frame(self, t: float) -> int:
        return int(round(t * self.fps))

    def _event(self, kind: str, onset: int, offset: int, **extra) -> dict:
        ev = {
            "kind": kind,
            "onset_frame": onset,
            "onset_s": round(onset / self.fps, 3),
            "offset_frame": offset,
            "offset_s": round(offset / self.fps, 3),
        }
        ev.update(extra)
        return ev

    def displacement(self, local: dict, regions=REGIONS) -> dict[str, float]:
        """Largest landmark displacement per region (torso lengths) for local parameters."""
        moved = self.skel.landmarks(self.skel.world(local))
        d = np.linalg.norm(moved - self.skel.rest, axis=1) / self.skel.torso
        return {r: float(d[list(REGION_LANDMARKS[r])].max()) for r in regions}

    def relative_displacement(self, local: dict) -> dict[str, float]:
        """As ``displacement`` but relative to each region's anchor (as vidmyo measures)."""
        moved = self.skel.landmarks(self.skel.world(local))
        rest = self.skel.rest
        out = {}
        for r in REGIONS:
            idx, anc = list(REGION_LANDMARKS[r]), list(REGION_ANCHOR[r])
            rel_m = moved[idx] - moved[anc].mean(axis=0)
            rel_r = rest[idx] - rest[anc].mean(axis=0)
            out[r] = float(np.linalg.norm(rel_m - rel_r, axis=1).max() / self.skel.torso)
        return out

    def own_displacement(self, scales: dict[str, float]) -> dict[str, float]:
        """Each region's movement of its own (torso lengths) at the pose of ``scales`` (each
        region's movement shape and its scale): how far its landmarks are from where the
        other regions' movements alone put them. A head riding on a trunk jerk moves in the
        picture without moving of its own."""
        full: dict = {}
        for r, k in scales.items():
            add_local(full, self.region_shape[r], k)
        moved = self.skel.landmarks(self.skel.world(full))
        out = {}
        for r in scales:
            others: dict = {}
            for q, k in scales.items():
                if q != r:
                    add_local(others, self.region_shape[q], k)
            carried = self.skel.landmarks(self.skel.world(others))
            idx = list(REGION_LANDMARKS[r])
            out[r] = float(np.linalg.norm(moved[idx] - carried[idx], axis=1).max())
        return {r: v / self.skel.torso for r, v in out.items()}

    def solve_pose(self, targets: dict[str, float]) -> tuple[dict, dict[str, float]]:
        """Joint parameters giving each region its target peak displacement, and each
        region's scale of its movement shape.

        Regions are solved trunk first (the others ride on it), each by bisection on the
        scale of its movement shape with the already solved regions in place.
        """
        local: dict = {}
        scales: dict[str, float] = {}
        order = [
            r
            for r in ("trunk", "head", "left_arm", "right_arm", "left_leg", "right_leg")
            if r in targets
        ]
        for r in order:
            lo, hi = 0.0, 60.0
            for _ in range(50):
                mid = (lo + hi) / 2
                trial: dict = {}
                add_local(trial, local)
                add_local(trial, self.region_shape[r], mid)
                if self.displacement(trial, (r,))[r] < targets[r]:
                    lo = mid
                else:
                    hi = mid
            scales[r] = (lo + hi) / 2
            add_local(local, self.region_shape[r], scales[r])
        return local, scales

    # -- events ------------------------------------------------------------------------------

    def add_breathing(self) -> None:
        phase = self.rng.uniform(0, 2 * math.pi)
        h = float(np.linalg.norm(self.skel.mid_sh - self.skel.mid_hip))
        amp = BREATH_AMPLITUDE * self.skel.torso / h
        for i in range(self.n):
            s = math.sin(2 * math.pi * i / self.fps / BREATH_PERIOD_S + phase)
            add_local(self.local[i], {"trunk": {"sy": 1.0 + amp * s}})

    def add_jerk(self, t: float, distribution: str, targets: dict, primary: str) -> None:
        rise = int(self.rng.integers(2, 4))
        hold = int(self.rng.integers(0, 3))
        decay = int(self.rng.integers(4, 9))
        decay = min(decay, 12 - rise - hold)  # at most 400 ms in all
        onset = self.frame(t + self.rng.uniform(-0.2, 0.2))
        if onset + rise + hold + decay >= self.n:
            return
        peak = self._place_jerk(onset, (rise, hold, decay), targets, primary, distribution)
        moved = self.skel.landmarks(self.skel.world(peak))
        lmd = np.linalg.norm(moved - self.skel.rest, axis=1) / self.skel.torso
        self.events[-1]["landmark_peak_displacement"] = {
            str(i): round(float(v), 4) for i, v in enumerate(lmd) if v >= 0.02
        }

    def _place_jerk(
        self,
        onset: int,
        frames: tuple[int, int, int],
        targets: dict[str, float],
        primary: str,
        distribution: str,
        **extra,
    ) -> dict:
        """Play a jerk from frame ``onset``: each region of ``targets`` to its peak
        displacement (torso lengths) over ``frames`` (rise, hold, decay), and record its
        truth. Returns the peak's parameters."""
        rise, hold, decay = frames
        prof = jerk_profile(rise, hold, decay)
        peak, scales = self.solve_pose(targets)
        for j, f in enumerate(prof):
            add_local(self.local[onset + j], peak, f)
        self.jerk_frames[onset : onset + len(prof)] = True
        amps = self.displacement(peak)
        rel = self.relative_displacement(peak)
        own = self.own_displacement(scales)
        scripted = [r for r in REGIONS if r in targets]
        regions = [r for r in scripted if own[r] >= OWN_SHARE * amps[r]]
        if regions != scripted:  # some only rode along
            extra["regions_scripted"] = scripted
            if primary not in regions:
                primary = max(regions, key=lambda r: amps[r])
            distribution = distribution_of(regions)
        self.events.append(
            self._event(
                "jerk",
                onset,
                onset + len(prof),
                peak_frame=onset + rise - 1,
                regions=regions,
                primary_region=primary,
                distribution=distribution,
                amplitude=round(amps[primary], 4),
                **extra,
                visible=True,
                region_amplitudes={r: round(amps[r], 4) for r in scripted},
                region_amplitudes_relative={r: round(rel[r], 4) for r in scripted},
                region_amplitudes_own={r: round(own[r], 4) for r in scripted},
                rise_frames=rise,
                hold_frames=hold,
                decay_frames=decay,
            )
        )
        return peak

    def add_arm_raise(self) -> None:
        t0, up, hold, down, deg = ARM_RAISE
        side = "right"
        shape = arm_shape(side, self.skel.side_sign[side], 1.0, 0.15, 0.1)
        onset = self.frame(t0)
        frames = (self.frame(up), self.frame(hold), self.frame(down))
        end = onset + sum(frames)
        if end >= self.n:
            return
        peak = self._raise_and_lower(shape, deg, onset, frames)
        self.events.append(
            self._event(
                "movement",
                onset,
                end,
                regions=[f"{side}_arm"],
                primary_region=f"{side}_arm",
                description=f"slow voluntary {side} arm raise (abduction, {deg:.0f} deg) and lower",
                amplitude=round(self.displacement(peak)[f"{side}_arm"], 4),
                up_s=up,
                hold_s=hold,
                down_s=down,
                visible=True,
            )
        )

    def _raise_and_lower(
        self, shape: dict, deg: float, onset: int, frames: tuple[int, int, int]
    ) -> dict:
        """Move ``shape`` to ``deg`` and back from frame ``onset``: a minimum-jerk rise over
        ``frames[0]`` frames, a hold, a minimum-jerk fall. Returns the peak's parameters."""
        n_up, n_hold, n_down = frames
        for k in range(sum(frames)):
            if k < n_up:
                s = min_jerk(np.array((k + 1) / n_up))
            elif k < n_up + n_hold:
                s = 1.0
            else:
                s = min_jerk(np.array(1.0 - (k - n_up - n_hold + 1) / n_down))
            add_local(self.local[onset + k], shape, deg * float(s))
        peak: dict = {}
        add_local(peak, shape, deg)
        return peak

    def _tremor_shape(self, side: str, amp: float) -> tuple[dict, float]:
        """A forearm and hand tremor's shape, and its angle scale for ``amp`` torso lengths at
        the fingertips."""
        shape = {f"{side}_forearm": {"angle": 1.0}, f"{side}_hand": {"angle": 0.5}}
        lo, hi = 0.0, 30.0
        for _ in range(50):
            mid = (lo + hi) / 2
            trial: dict = {}
            add_local(trial, shape, mid)
            lo, hi = (mid, hi) if self.displacement(trial)[f"{side}_arm"] < amp else (lo, mid)
        return shape, (lo + hi) / 2

    def _shake(self, onset: int, n: int, sd: float) -> None:
        """Shift the whole frame by random offsets (pixels, ``sd``) on ``n`` frames."""
        offs = np.clip(self.rng.normal(0.0, sd, (n, 2)), -2.5 * sd, 2.5 * sd)
        offs[np.all(np.abs(offs) < 0.5, axis=1)] = sd  # every shaken frame visibly moved
        self.shift[onset : onset + n] = offs
        self.events.append(
            self._event(
                "camera_shake",
                onset,
                onset + n,
                regions=[],
                amplitude_px=round(float(np.abs(offs).max()), 2),
                description="whole frame incl. background shifted randomly by a few pixels",
            )
        )

    def add_tremor(self) -> None:
        t0, dur, hz, amp = TREMOR
        side = "left"
        shape, scale = self._tremor_shape(side, amp)
        onset, n = self.frame(t0), self.frame(dur)
        if onset + n >= self.n:
            return
        ramp = 0.2 * self.fps
        first = last = None
        for k in range(n):
            env = min(1.0, (k + 1) / ramp, (n - k) / ramp)
            v = env * math.sin(2 * math.pi * hz * k / self.fps)
            if abs(v) > 1e-9:
                first = k if first is None else first
                last = k
            add_local(self.local[onset + k], shape, scale * v)
        self.events.append(
            self._event(
                "tremor",
                onset + first,
                onset + last + 1,
                regions=[f"{side}_arm"],
                primary_region=f"{side}_arm",
                frequency_hz=hz,
                amplitude=amp,
                visible=True,
                description=f"rhythmic {side} forearm/hand tremor",
            )
        )

    def add_shake(self) -> None:
        t0, dur, sd = SHAKE
        onset, n = self.frame(t0), self.frame(dur)
        if onset + n >= self.n:
            return
        self._shake(onset, n, sd)

    def add_light(self) -> None:
        t0, factor = LIGHT
        onset = self.frame(t0)
        if onset >= self.n:
            return
        self.gain[onset:] = factor
        self.events.append(
            self._event(
                "light_change",
                onset,
                onset + 1,
                regions=[],
                factor=factor,
                held=True,
                description=f"brightness step to {factor:.0%}, held to the end of the clip",
            )
        )

    def build(self) -> None:
        self.add_breathing()
        for t, dist, targets, primary in JERKS:
            self.add_jerk(t, dist, targets, primary)
        self.add_arm_raise()
        self.add_tremor()
        self.add_shake()
        self.add_light()
        self.events.sort(key=lambda e: e["onset_frame"])
        for a, b in zip(self.events, self.events[1:], strict=False):
            gap = (b["onset_frame"] - a["offset_frame"]) / self.fps
            if gap < 3.0:
                raise SystemExit(f"events too close ({gap:.2f} s): {a['kind']} / {b['kind']}")


# --------------------------------------------------------------------------------------------
# Benchmark clips: random and quiet scripts, blanket
# --------------------------------------------------------------------------------------------

AXIAL = {"head", "trunk"}


def distribution_of(regions) -> str:
    """As vidmyo.results.distribution_of: generalized = axial plus limbs of both sides."""
    involved = set(regions)
    if len(involved) <= 1:
        return "focal"
    left = involved & {"left_arm", "left_leg"}
    right = involved & {"right_arm", "right_leg"}
    return "generalized" if involved & AXIAL and left and right else "multifocal"


def random_regions(rng: np.random.Generator, focal: float, multifocal: float) -> list[str]:
    """The regions of a random jerk: one region with probability ``focal``, else two or three
    forming a multifocal jerk up to ``multifocal``, else generalized (all six, or an axial
    region with a limb of each side, half each). Also draws the landmark scenarios' jerks
    (``scripts/make_eval_set.py``)."""
    u = rng.random()
    if u < focal:
        return [str(rng.choice(REGIONS))]
    if u < multifocal:
        while True:
            k = int(rng.integers(2, 4))
            regions = [str(r) for r in rng.choice(REGIONS, size=k, replace=False)]
            if distribution_of(regions) == "multifocal":
                return regions
    if rng.random() < 0.5:
        return list(REGIONS)
    return [
        str(rng.choice(["head", "trunk"])),
        str(rng.choice(["left_arm", "left_leg"])),
        str(rng.choice(["right_arm", "right_leg"])),
    ]


class EvalScript(Script):
    """Scripts for the accuracy benchmark's clips (``--script random`` or ``quiet``).

    ``random``: from 2.5 s on, one event after another, each 3.2-4.5 s after the previous
    one ended: jerks (70%: focal 60%, multifocal 25%, generalized 15%; primary amplitude
    log-uniform 0.03-0.3 torso lengths, the other regions 0.4-0.75 of it; 100-400 ms) and
    distractors (slow arm or leg movements, tremor at 3-8 Hz, camera shakes, light steps).
    ``quiet``: breathing only. Breathing repeats exactly every ``round(4 s * fps)`` frames, so
    the renderer can reuse frames (the committed sample computes it slightly differently).
    """

    def __init__(self, skel, n_frames, rng, fps, hidden=()):
        super().__init__(skel, n_frames, rng, fps)
        self.period = max(1, int(round(BREATH_PERIOD_S * fps)))
        self.hidden = tuple(hidden)

    def add_breathing(self) -> None:
        phase = self.rng.uniform(0, 2 * math.pi)
        h = float(np.linalg.norm(self.skel.mid_sh - self.skel.mid_hip))
        amp = BREATH_AMPLITUDE * self.skel.torso / h
        for i in range(self.n):
            s = math.sin(2 * math.pi * (i % self.period) / self.period + phase)
            add_local(self.local[i], {"trunk": {"sy": 1.0 + amp * s}})

    # -- events ------------------------------------------------------------------------------

    def random_jerk(self, t: float) -> float | None:
        rng = self.rng
        regions = random_regions(rng, focal=0.6, multifocal=0.85)
        primary = str(rng.choice(regions))
        amp = float(math.exp(rng.uniform(math.log(0.03), math.log(0.3))))
        targets = {r: amp if r == primary else amp * float(rng.uniform(0.4, 0.75)) for r in regions}
        total = max(3, int(round(rng.uniform(0.1, 0.4) * self.fps)))
        rise = max(1, int(round(0.25 * total)))
        hold = int(rng.integers(0, 2)) if total - rise >= 3 else 0
        decay = total - rise - hold
        onset = self.frame(t)
        if onset + total + 1 >= self.n:
            return None
        self._place_jerk(onset, (rise, hold, decay), targets, primary, distribution_of(regions),
                         duration_ms=round(1000 * total / self.fps))  # fmt: skip
        return (onset + total) / self.fps

    def slow_movement(self, t: float, region: str) -> float | None:
        rng = self.rng
        side = region.split("_")[0]
        sign = self.skel.side_sign[side]
        if region.endswith("arm"):
            shape = arm_shape(side, sign, 1.0, 0.15, 0.1)
            deg = float(rng.uniform(25, 50))
        else:
            shape = {
                f"{side}_thigh": {"angle": -sign * 1.0},
                f"{side}_shank": {"angle": -sign * 0.3},
                f"{side}_foot": {"angle": sign * 0.15},
            }
            deg = float(rng.uniform(6, 12))
        up, hold, down = (float(rng.uniform(1.2, 2.0)), float(rng.uniform(0.3, 1.0)),
                          float(rng.uniform(1.2, 2.0)))  # fmt: skip
        onset = self.frame(t)
        frames = (self.frame(up), self.frame(hold), self.frame(down))
        end = onset + sum(frames)
        if end + 1 >= self.n:
            return None
        peak = self._raise_and_lower(shape, deg, onset, frames)
        self.events.append(
            self._event(
                "movement",
                onset,
                end,
                regions=[region],
                primary_region=region,
                description=f"slow voluntary {region.replace('_', ' ')} movement and back",
                amplitude=round(self.displacement(peak)[region], 4),
                visible=True,
            )
        )
        return end / self.fps

    def random_tremor(self, t: float) -> float | None:
        rng = self.rng
        side = str(rng.choice(["left", "right"]))
        hz = float(rng.uniform(3.0, 8.0))
        amp = float(rng.uniform(0.03, 0.08))
        dur = float(rng.uniform(2.0, 4.0))
        shape, scale = self._tremor_shape(side, amp)
        onset, n = self.frame(t), self.frame(dur)
        if onset + n + 1 >= self.n:
            return None
        ramp = 0.2 * self.fps
        for k in range(n):
            env = min(1.0, (k + 1) / ramp, (n - k) / ramp)
            add_local(self.local[onset + k], shape, scale * env * math.sin(2 * math.pi * hz * k /
                      self.fps))  # fmt: skip
        self.events.append(
            self._event(
                "tremor",
                onset,
                onset + n,
                regions=[f"{side}_arm"],
                primary_region=f"{side}_arm",
                frequency_hz=round(hz, 2),
                amplitude=round(amp, 4),
                visible=True,
                description=f"rhythmic {side} forearm/hand tremor",
            )
        )
        return (onset + n) / self.fps

    def random_shake(self, t: float) -> float | None:
        rng = self.rng
        dur, sd = float(rng.uniform(0.3, 0.8)), float(rng.uniform(1.5, 3.0))
        onset, n = self.frame(t), max(2, self.frame(dur))
        if onset + n + 1 >= self.n:
            return None
        self._shake(onset, n, sd)
        return (onset + n) / self.fps

    def random_light(self, t: float) -> float | None:
        onset = self.frame(t)
        if onset + 1 >= self.n:
            return None
        now = float(self.gain[onset])
        factor = float(self.rng.choice([0.6, 0.75, 1.3, 1.5]))
        if not 0.45 <= now * factor <= 1.6:
            factor = 1.0 / factor
        self.gain[onset:] = now * factor
        self.events.append(
            self._event(
                "light_change",
                onset,
                onset + 1,
                regions=[],
                factor=round(factor, 3),
                held=True,
                description=f"brightness step by x{factor:.2f}, held",
            )
        )
        return (onset + 1) / self.fps

    def build_random(self, whole_frame: bool = True, start_s: float = 2.5) -> None:
        """``whole_frame`` False leaves out camera shakes and light steps: a bed partner's
        script (``--pair``), whose picture shares the first person's camera and light."""
        self.add_breathing()
        t = start_s
        kinds = ["jerk", "arm", "leg", "tremor", "shake", "light"]
        weights = [0.70, 0.08, 0.04, 0.07, 0.06, 0.05]
        if not whole_frame:
            kinds, weights = kinds[:4], [w / sum(weights[:4]) for w in weights[:4]]
        while True:
            kind = str(self.rng.choice(kinds, p=weights))
            if kind == "jerk":
                end = self.random_jerk(t)
            elif kind in ("arm", "leg"):
                side = str(self.rng.choice(["left", "right"]))
                end = self.slow_movement(t, f"{side}_{kind}")
            elif kind == "tremor":
                end = self.random_tremor(t)
            elif kind == "shake":
                end = self.random_shake(t)
            else:
                end = self.random_light(t)
            if end is None:
                break
            t = end + float(self.rng.uniform(3.2, 4.5))
        self.finish()

    def build_quiet(self) -> None:
        self.add_breathing()
        self.finish()

    def finish(self) -> None:
        self.events.sort(key=lambda e: e["onset_frame"])
        hide_regions(self.events, self.hidden)


def hide_regions(events: list[dict], hidden) -> None:
    """Say what a camera can see of each event when ``hidden`` regions are under a blanket:
    an event of hidden regions only is ``visible: false``; one that also moves visible
    regions keeps those (``regions_scripted`` lists all)."""
    for ev in events:
        regions = ev.get("regions") or []
        covered = [r for r in regions if r in hidden]
        if not covered:
            continue
        seen = [r for r in regions if r not in hidden]
        ev.setdefault("regions_scripted", list(regions))
        if not seen:
            ev["visible"] = False
            continue
        ev["regions"] = seen
        if ev["kind"] == "jerk":
            amps = ev["region_amplitudes"]
            ev["primary_region"] = max(seen, key=lambda r: amps[r])
            ev["distribution"] = distribution_of(seen)
            ev["amplitude"] = amps[ev["primary_region"]]


class Blanket:
    """An opaque, textured blanket over the legs, from just below the hands (a little below
    the hips) down past the feet. It is static: the legs move under it unseen."""

    def __init__(self, skel: Skeleton, shape: tuple[int, int], seed: int = 0):
        h, w = shape
        legs = skel.rest[23:33]
        t = skel.torso
        top = float(skel.rest[[23, 24], 1].max() + 0.35 * t)
        left = float(legs[:, 0].min() - 0.55 * t)
        right = float(legs[:, 0].max() + 0.55 * t)
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        edge = top + 4.0 * np.sin(xs / 23.0)
        flare = 0.12 * np.maximum(ys - top, 0)
        inside = (ys >= edge) & (xs >= left - flare) & (xs <= right + flare)
        self.alpha = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), 1.2)[..., None]
        rng = np.random.default_rng([seed, 99])
        base = np.array([62.0, 84.0, 128.0], np.float32)  # BGR: a muted brick red
        plaid = 1.0 - 0.18 * ((np.floor(xs / 14) + np.floor(ys / 14)) % 2)
        stripes = 1.0 - 0.25 * ((xs % 42 < 4) | (ys % 42 < 4))
        folds = 0.85 + 0.15 * np.sin(xs / 31.0 + 0.6 * np.sin(ys / 47.0))
        grain = cv2.GaussianBlur(rng.normal(0, 6, (h, w)).astype(np.float32), (0, 0), 0.8)
        shade = (plaid * stripes * folds)[..., None]
        self.layer = (base * shade + grain[..., None]).astype(np.float32)

    def apply(self, frame: np.ndarray) -> np.ndarray:
        return frame * (1.0 - self.alpha) + self.layer * self.alpha


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def rotate_points(xy: np.ndarray, rotate: int, w: int, h: int) -> np.ndarray:
    x, y = xy[:, 0], xy[:, 1]
    if rotate == 90:  # clockwise
        return np.stack([h - 1 - y, x], axis=1)
    if rotate == 270:
        return np.stack([y, w - 1 - x], axis=1)
    return xy.copy()


def pixels(xy: np.ndarray) -> list[list[float]]:
    return [[round(float(x), 1), round(float(y), 1)] for x, y in xy]


def render(args, scripts: list[Script], skel: Skeleton, warper: Warper, crop: slice, size) -> None:
    """Write the video of ``scripts`` (the first one's camera shakes and light steps touch
    every person) to ``args.out``."""
    script = scripts[0]
    n = len(script.local)
    fps = script.fps
    h, w = warper.image.shape[:2]
    out_w, out_h = size
    blanket = Blanket(skel, (h, w), args.seed) if args.blanket else None
    # Benchmark scripts repeat frames exactly (periodic breathing): reuse the warped ones.
    cache: OrderedDict[bytes, np.ndarray] | None = None
    if args.script != "sample":
        cache = OrderedDict()
        cache_size = len(scripts) * (script.period + 8)

    def person_frame(local) -> np.ndarray:
        world = skel.world(local)
        if cache is None:
            return warper.render(world)
        key = b"".join(m.tobytes() for m in world)
        if key in cache:
            cache.move_to_end(key)
        else:
            cache[key] = warper.render(world)
            if len(cache) > cache_size:
                cache.popitem(last=False)
        return cache[key].copy()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    fourcc = cv2.VideoWriter_fourcc(*"mp4v")
    params = [cv2.VIDEOWRITER_PROP_BITRATE, BITRATE]
    writer = cv2.VideoWriter(str(args.out), cv2.CAP_FFMPEG, fourcc, fps, (out_w, out_h), params)
    if not writer.isOpened():  # an OpenCV without the bitrate property: its default rate
        writer = cv2.VideoWriter(str(args.out), fourcc, fps, (out_w, out_h))
    if not writer.isOpened():
        raise SystemExit(f"cannot open video writer for {args.out}")
    noise_sd = DARK_NOISE if args.dark else NOISE
    noise_rng = np.random.default_rng([args.seed, 1])
    try:
        for i in range(n):
            people = [person_frame(s.local[i]) for s in scripts]
            if blanket is not None:
                people = [blanket.apply(frame) for frame in people]
            frame = np.hstack([p[:, crop] for p in people]) if args.pair else people[0]
            dx, dy = script.shift[i]
            if dx or dy:
                shift = np.float32([[1, 0, dx], [0, 1, dy]])
                frame = cv2.warpAffine(
                    frame, shift, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101
                )
            frame *= script.gain[i]
            if args.dark:
                grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
                grey = DARK_GAIN * 255.0 * (np.clip(grey, 0, 255) / 255.0) ** DARK_GAMMA + 8.0
                grey = cv2.GaussianBlur(grey, (0, 0), 0.8)
                grey += noise_sd * noise_rng.standard_normal(grey.shape, dtype=np.float32)
                frame = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
            else:
                frame += noise_sd * noise_rng.standard_normal(frame.shape, dtype=np.float32)
            out = np.clip(frame + 0.5, 0, 255).astype(np.uint8)
            if args.rotate == 90:
                out = cv2.rotate(out, cv2.ROTATE_90_CLOCKWISE)
            elif args.rotate == 270:
                out = cv2.rotate(out, cv2.ROTATE_90_COUNTERCLOCKWISE)
            writer.write(out)
    finally:
        writer.release()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output .mp4 (truth file is written beside it as <name>.truth.json)",
    )
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument(
        "--duration",
        type=float,
        default=DEFAULT_DURATION_S,
        help="seconds; scripted events that do not fit are left out",
    )
    ap.add_argument(
        "--rotate",
        type=int,
        choices=(0, 90, 270),
        default=0,
        help="rotate frames clockwise by this many degrees (person lying); 90/270 "
        "give 480x640 portrait frames",
    )
    ap.add_argument("--dark", action="store_true", help="infrared-like: greyscale, darker, noisier")
    ap.add_argument(
        "--redetect",
        action="store_true",
        help="recompute the still's landmarks and mask with the heavy bundle",
    )
    ap.add_argument("--fps", type=float, default=FPS, help="frame rate (default 30)")
    ap.add_argument(
        "--source",
        type=Path,
        default=SOURCE_IMAGE,
        help="the photo to animate (default: the Sports2D frame; sample_videos/sources/ "
        "lists the others); its landmarks and mask are cached beside it",
    )
    ap.add_argument(
        "--script",
        choices=("sample", "random", "quiet"),
        default="sample",
        help="sample: the committed clip's events; random: events drawn from --seed (for "
        "the accuracy benchmark); quiet: breathing only (false alarms)",
    )
    ap.add_argument("--quiet", action="store_true", help="same as --script quiet")
    ap.add_argument(
        "--truth-only",
        action="store_true",
        help="write the truth file only, not the video (the video of the same options does "
        "not change: for a change in what the truth records)",
    )
    ap.add_argument(
        "--blanket",
        action="store_true",
        help="an opaque, textured blanket over the legs; leg jerks become visible: false",
    )
    ap.add_argument(
        "--pair",
        action="store_true",
        help="two people side by side (a bed partner): the photo's person twice, each with "
        "its own script; truth events say whose they are (person: left / right)",
    )
    args = ap.parse_args(argv)
    if args.quiet:
        args.script = "quiet"
    if args.pair and args.script == "sample":
        ap.error("--pair needs --script random or quiet")
    fps = float(args.fps)

    t_start = time.time()
    rng = np.random.default_rng(args.seed)
    source_image = args.source.resolve()
    image, lm, mask = load_still(args.redetect, source_image)
    h, w = image.shape[:2]
    skel = Skeleton(lm)
    n = int(round(args.duration * fps))
    hidden = ("left_leg", "right_leg") if args.blanket else ()
    if args.script == "sample":
        script = Script(skel, n, rng, fps)
        script.build()
        hide_regions(script.events, hidden)
    else:
        script = EvalScript(skel, n, rng, fps, hidden)
        script.build_random() if args.script == "random" else script.build_quiet()
    scripts = [script]
    crop = slice(None)
    if args.pair:
        # The partner: the same person, their own events (no camera or light events: those
        # come from the first script and touch both). Each keeps the half of the photo
        # centred on the person, and the halves sit side by side.
        partner = EvalScript(skel, n, np.random.default_rng([args.seed, 2]), fps, hidden)
        if args.script == "random":  # starting 2 s later, so that the two interleave
            partner.build_random(whole_frame=False, start_s=4.5)
        else:
            partner.build_quiet()
        scripts.append(partner)
        left, right = float(skel.rest[:, 0].min()), float(skel.rest[:, 0].max())
        if right - left > 0.8 * (w // 2):
            raise SystemExit(f"--pair: the person in {args.source.name} is too wide for half of it")
        centre = (left + right) / 2
        x0 = int(np.clip(round(centre - w / 4), 0, w - w // 2))
        crop = slice(x0, x0 + w // 2)
    out_w, out_h = (h, w) if args.rotate in (90, 270) else (w, h)
    if not args.truth_only:
        render(args, scripts, skel, Warper(image, mask, skel), crop, (out_w, out_h))

    rest = rotate_points(skel.rest, args.rotate, w, h)
    events = script.events
    if args.pair:
        sides = ("left", "right")
        for side, s in zip(sides, scripts, strict=True):
            for ev in s.events:  # a camera shake or light step is nobody's
                whole_frame = ev["kind"] in ("camera_shake", "light_change")
                ev["person"] = None if whole_frame else side
        events = sorted(scripts[0].events + scripts[1].events, key=lambda e: e["onset_frame"])
        placed = [skel.rest - [crop.start - k * (w // 2), 0] for k in range(2)]
        persons = [
            {"person": side, "rest_landmarks_px": pixels(rotate_points(xy, args.rotate, w, h))}
            for side, xy in zip(sides, placed, strict=True)
        ]
    try:
        source = str(source_image.relative_to(args.out.resolve().parent))
    except ValueError:
        source = str(source_image.relative_to(REPO))
    truth = {
        "schema": TRUTH_SCHEMA,
        "video": args.out.name,
        "fps": fps,
        "frame_count": n,
        "width": out_w,
        "height": out_h,
        "source_image": source,
        "generator": {
            "script": "scripts/make_sample_video.py",
            "seed": args.seed,
            "duration_s": args.duration,
            "rotate": args.rotate,
            "dark": args.dark,
        },
        "torso_length_px": round(skel.torso, 2),
        "rest_landmarks_px": pixels(rest),
        "events": events,
    }
    if args.script != "sample" or fps != FPS or args.blanket:  # the sample's file stays as is
        truth["generator"].update(script=args.script, fps=fps, blanket=args.blanket)
        truth["hidden_regions"] = list(hidden)
    if args.pair:
        truth["generator"]["pair"] = True
        del truth["rest_landmarks_px"]
        truth["persons"] = persons
    truth_path = args.out.with_suffix(".truth.json")
    truth_path.write_text(json.dumps(truth, indent=1) + "\n")
    took = time.time() - t_start
    if args.truth_only:
        print(f"wrote {truth_path} in {took:.0f} s")
        return 0
    size = args.out.stat().st_size / 1e6
    print(
        f"wrote {args.out} ({n} frames, {out_w}x{out_h}, {size:.1f} MB) and {truth_path.name} "
        f"in {took:.0f} s ({n / max(took, 1e-9):.1f} frames/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
