"""Landmark trajectories → body-scale-normalised motion per region, against a measured noise floor.

Three ideas carry the detector:

1. **Body scale.** Positions are divided by the torso length (mid-shoulder to mid-hip, a
   running median), so one threshold works for a child far away and an adult close up.
2. **Region-relative positions.** Each region is measured against its anchor (an arm against
   its shoulder, the head against the shoulders, the trunk against its own centre), the head
   and arms in the trunk's own frame. A camera shake or the whole body sliding moves no
   region; a trunk jerk that carries the arms is not also an arm jerk. Before that, the pose
   model's left/right swaps (dark footage) are undone (:class:`SideSwapFixer`).
3. **A noise floor from the recording itself.** The pose model's jitter differs between
   landmarks (hands far more than shoulders), lighting and models. Each landmark's noise unit
   is a robust quantile of its own excursion from rest over the recent past; thresholds are
   multiples of it, never fixed constants.

The *excursion* of a landmark is its distance from its rest position (median over the half
second before, ending a few frames back). Against jitter it is a far stronger signal than the
frame-to-frame speed: a 0.05 torso-length jerk is ~5 noise units of excursion but only ~2 of
one-frame speed.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from vidmyo.config import DetectorConfig
from vidmyo.landmarks import (
    MIN_VISIBLE_LANDMARKS,
    MIRROR,
    N_LANDMARKS,
    REGION_ANCHOR,
    REGION_LANDMARKS,
    REGIONS,
    RIDES_ON_TRUNK,
    SIDE_GROUPS,
)
from vidmyo.scene import REGION_BOX_LANDMARKS, STEADY_POSES, region_box_areas

N_REGIONS = len(REGIONS)
UNKNOWN_PICTURE = np.full(N_REGIONS, np.nan, np.float32)
UNKNOWN_PICTURE.flags.writeable = False
"""``changed_pixels`` of landmarks that came without a picture (read-only: shared)."""
SHOULDER_TO_TORSO = 1.3
"""Torso length ≈ 1.3 shoulder widths: the fallback scale when the hips cannot be seen."""
NOISE_QUANTILE = 0.3
RAYLEIGH_Q30_TO_MEDIAN = 0.717
"""The noise unit is the 30th percentile of recent excursions divided by this ratio (its value
for pure jitter), i.e. the median jitter excursion even when up to ~70% of the window is real
movement."""
WARMUP_S = 1.0
"""Noise is first estimated after this much pose (at least 10 frames): from fewer frames the
estimate is too unsteady to judge anything by, and dark footage's jitter then passes for
jerks."""
TRUNK_DEADBAND = 0.02
"""Radians (about 1°) of trunk turn that do not rotate the frame the head and arms are
measured in."""


def frames_for(seconds: float, fps: float) -> int:
    return max(1, int(round(seconds * fps)))


def known_and_still(values: npt.NDArray[np.floating]) -> bool:
    """All of ``values`` known (no NaN) and zero: the picture measurably did not change (a
    flow of zero, no pixel changed), which unknown values cannot say."""
    return bool(np.isfinite(values).all() and not values.any())


def second_largest(values: npt.NDArray[np.float64], usable: npt.NDArray[np.bool_]) -> float:
    """The second largest usable value: a single landmark that glitches does not set a
    region's amplitude."""
    v = values[usable]
    if v.size < 2:
        return float("nan")
    return float(np.partition(v, -2)[-2])


_MEMBERS = np.zeros((N_REGIONS, N_LANDMARKS))
for _r, _region in enumerate(REGIONS):
    _MEMBERS[_r, list(REGION_LANDMARKS[_region])] = 1.0
_MIN_COUNT = np.array([MIN_VISIBLE_LANDMARKS[r] for r in REGIONS])
_TRUNK = REGIONS.index("trunk")
_SHOULDERS, _HIPS = [11, 12], [23, 24]
_RIDE_ON_TRUNK = {REGIONS.index(r) for r in RIDES_ON_TRUNK}
_LEFT_BONES = {
    "arm": np.array([(11, 13), (13, 15), (15, 17), (15, 19), (15, 21)]),
    "leg": np.array([(23, 25), (25, 27), (27, 29), (29, 31), (27, 31)]),
}
_LIMB_BONES = {
    REGIONS.index(f"{side}_{limb}"): bones if side == "left" else MIRROR[bones]
    for limb, bones in _LEFT_BONES.items()
    for side in ("left", "right")
}
"""Each limb's bones, from its shoulder or hip out to the fingers or toes: pairs of landmarks."""


def region_vectors(delta: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """(6, 2) coherent displacement of each region from per-landmark displacements (33, 2).

    A limb or the head moves its landmarks together, so their mean displacement keeps the
    signal while independent jitter shrinks by the square root of their number. The trunk's
    landmarks are relative to their own centre, whose mean is always zero; its vector is the
    shoulders' displacement relative to the hips' (bending, flexion, a shrug).
    """
    finite = np.isfinite(delta[:, 0])
    counts = _MEMBERS @ finite
    sums = _MEMBERS @ np.where(finite[:, None], delta, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = sums / counts[:, None]
        out[counts < _MIN_COUNT] = np.nan
        sh, hp = finite[_SHOULDERS], finite[_HIPS]
        if sh.any() and hp.any():
            out[_TRUNK] = delta[_SHOULDERS][sh].mean(axis=0) - delta[_HIPS][hp].mean(axis=0)
        else:
            out[_TRUNK] = np.nan
    return out


def region_amplitude(delta: npt.NDArray[np.float64], region: int) -> float:
    """How far a region is from rest, in torso lengths, from per-landmark displacements (33, 2).

    A limb or the head: its second-largest landmark displacement (one glitching landmark does
    not set it). The trunk: the shoulders' displacement relative to the hips, since its
    landmarks are measured from their own centre, which a bend moves by only half as much.
    """
    if region == _TRUNK:
        return float(np.linalg.norm(region_vectors(delta)[_TRUNK]))
    idx = list(REGION_LANDMARKS[REGIONS[region]])
    d = np.linalg.norm(delta[idx], axis=1)
    return second_largest(d, np.isfinite(d))


_ANCHORED = [
    (np.array(REGION_LANDMARKS[r]), list(REGION_ANCHOR[r]), r in RIDES_ON_TRUNK)
    for r in REGIONS
    if r != "trunk"
]
"""Per region but the trunk: its landmarks, its anchor, and whether it rides on the trunk."""


def limb_gaps(xy: npt.NDArray[np.floating], scale: float, region: int) -> npt.NDArray[np.float64]:
    """(6,) how close each other limb's landmarks come to limb ``region``'s bones, in torso
    lengths (``xy`` in pixels, NaN where not usable; ``scale`` a torso length in pixels). NaN
    for the head and the trunk, and where unknown."""
    out = np.full(N_REGIONS, np.nan)
    bones = _LIMB_BONES.get(region)
    if bones is None or not scale > 0:
        return out
    start = xy[bones[:, 0]].astype(np.float64)
    along = xy[bones[:, 1]].astype(np.float64) - start
    for other in _LIMB_BONES:
        if other == region:
            continue
        points = xy[list(REGION_LANDMARKS[REGIONS[other]])].astype(np.float64)
        offset = points[:, None, :] - start[None]  # (points, bones, 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.clip((offset * along).sum(axis=2) / (along * along).sum(axis=1), 0.0, 1.0)
        gap = np.linalg.norm(offset - t[..., None] * along, axis=2)
        if np.isfinite(gap).any():
            out[other] = float(np.nanmin(gap)) / scale
    return out


def limbs_lying_on(
    xy: npt.NDArray[np.floating], scale: float, region: int, reach: float
) -> npt.NDArray[np.bool_]:
    """(6,) the other limbs that come within ``reach`` torso lengths of limb ``region``'s
    bones (:func:`limb_gaps`). Where limbs touch or cross, the picture at one's landmarks may
    be the other's, and the flow there follows the other's movement."""
    return limb_gaps(xy, scale, region) <= reach  # NaN compares False


def picture_excursion(
    xy: npt.NDArray[np.float32],
    flow: npt.NDArray[np.float32] | None,
    usable: npt.NDArray[np.bool_],
    scale: float,
    still: float = DetectorConfig.picture_region_floor,
    slack: float = DetectorConfig.picture_carriage_slack,
) -> npt.NDArray[np.float64]:
    """(6,) how far each region moved in the picture since the last still frame, in torso
    lengths: the length of :func:`picture_vectors`, less the part of the trunk's movement
    that its flow missed and left on the head and arms (:func:`less_trunk_shortfall`)."""
    vectors = picture_vectors(xy, flow, usable, scale, still)
    return np.linalg.norm(less_trunk_shortfall(vectors, slack), axis=1)


def less_trunk_shortfall(vectors: npt.NDArray[np.float64], slack: float) -> npt.NDArray[np.float64]:
    """(6, 2) region movements (:func:`picture_vectors`) with each head's and arm's movement
    along the trunk's taken off, up to ``slack`` of the trunk's movement, on a frame where
    the trunk moved most. Where the trunk's picture is plain (a dark shirt), Lucas-Kanade
    follows the shoulders' movement only in part (it sees the edge, not the cloth), so the
    carriage taken off the head and arms falls short along the trunk's movement, and a
    small focal trunk jerk gained the head or an arm (``DetectorConfig.picture_carriage_slack``).
    Only along it and only up to ``slack``: a rider that moved across the trunk's movement,
    or further along it, moved of its own. Only where the trunk moved most: in a limb's jerk
    the limb leads, and its movement is its own."""
    trunk = vectors[_TRUNK]
    size = float(np.hypot(*trunk))
    if not size > 0:  # a still or unknown trunk: most frames of a night end here
        return vectors
    others = np.delete(np.linalg.norm(vectors, axis=1), _TRUNK)
    if size < np.nanmax(others, initial=0.0):
        return vectors
    along = trunk / size
    out = vectors.copy()
    for r in _RIDE_ON_TRUNK:
        out[r] -= np.clip(out[r] @ along, 0.0, slack * size) * along  # NaN stays NaN
    return out


def picture_vectors(
    xy: npt.NDArray[np.float32],
    flow: npt.NDArray[np.float32] | None,
    usable: npt.NDArray[np.bool_],
    scale: float,
    still: float = DetectorConfig.picture_region_floor,
) -> npt.NDArray[np.float64]:
    """(6, 2) how each region moved in the picture since the last still frame, in torso
    lengths, from the picture's flow at its landmarks (``FrameLandmarks.flow``), measured as
    the landmarks are (``MotionTracker._relative``): the trunk as shoulders against hips, a
    leg against its hip, the head and arms against their shoulders with the trunk's turn
    (hips to shoulders) taken out. A trunk jerk leans and shortens the trunk and carries the
    head and arms along rigidly; a similarity transform fitted to the trunk's four points
    cannot follow a lean about the hips and left about half the trunk's movement on the arms
    (a focal trunk jerk read as generalized). A leg whose hip the flow lost (a hand crossed
    it) is measured against the other hip. Each landmark also moved no further than it
    moved in the picture: a hand or head resting on the bed stays put while the trunk jerks
    under it, which against its shoulders reads as the trunk's whole movement. This is
    decided per landmark, before the region's mean: where the flow slips off a hand onto
    the sheet, the hand's points that stayed and those that rode along each moved of their
    own by nothing, but their mean against either reference is a third of the trunk's
    movement. A shoulder the flow lost while the trunk moved less than ``still`` torso
    lengths moved with the other one (dark grain loses still points too): the head and arm
    are measured against where the trunk's shift and turn put it, not left unknown, which
    would leave the pose model's word on them final. In a trunk jerk a shoulder is lost
    because it moved fast, the trunk bends, and no rigid guess holds. NaN where unknown."""
    out = np.full((N_REGIONS, 2), np.nan)
    if flow is None or not np.isfinite(scale):
        return out
    if not (np.abs(flow) > 0).any():  # a still frame (NaN compares false): runs every frame
        return np.zeros((N_REGIONS, 2)) if np.isfinite(flow).any() else out
    flow = np.where(usable[:, None], flow, np.nan).astype(np.float64)
    xy = xy.astype(np.float64)
    turn = complex("nan")
    seen = np.isfinite(flow[:, 0])
    shoulders, hips = [i for i in _SHOULDERS if seen[i]], [i for i in _HIPS if seen[i]]
    # without the hips, the shoulder line; without a shoulder, the other against the hips
    for a, b in ((_SHOULDERS, _HIPS), ([11], [12]), (shoulders, hips)):
        if not a or not b:
            continue
        axis = xy[a].mean(axis=0) - xy[b].mean(axis=0)
        moved = axis + flow[a].mean(axis=0) - flow[b].mean(axis=0)
        if np.isfinite(moved).all() and np.hypot(*moved) > 1e-6 and np.hypot(*axis) > 1e-6:
            turned = complex(*moved) / complex(*axis)
            turn = turned / abs(turned)
            break
    anchors = flow  # where the head's and arms' shoulders went
    if len(shoulders) == 1 and hips and np.isfinite(turn):
        bend = flow[shoulders].mean(axis=0) - flow[hips].mean(axis=0)
        if np.hypot(*bend) < still * scale:
            (known,) = shoulders
            lost = _SHOULDERS[1 - _SHOULDERS.index(known)]
            guess = complex(*flow[known]) + (turn - 1) * complex(*(xy[lost] - xy[known]))
            anchors = flow.copy()
            anchors[lost] = guess.real, guess.imag
    delta = flow.copy()
    for idx, anchor, rides in _ANCHORED:
        base = (anchors if rides else flow)[anchor].mean(axis=0)
        if not rides and not np.isfinite(base).all():  # the other hip
            known = np.isfinite(flow[_HIPS, 0])
            base = flow[_HIPS][known].mean(axis=0) if known.any() else base
        delta[idx] -= base
        if rides:  # the turn carries the region about its anchor
            offset = xy[idx] - xy[anchor].mean(axis=0)
            carried = (turn - 1) * (offset[:, 0] + 1j * offset[:, 1])
            delta[idx] -= np.stack([carried.real, carried.imag], axis=1)
    # The trunk's landmarks are their own reference: there ``delta`` is ``flow``.
    stayed = np.linalg.norm(flow, axis=1) < np.linalg.norm(delta, axis=1)
    return region_vectors(np.where(stayed[:, None], flow, delta) / scale)


_SIDE_PAIRS = [(np.array(left), MIRROR[np.array(left)]) for left in SIDE_GROUPS]


def _limb_regions(left: tuple[int, ...]) -> tuple[int, int] | None:
    """The (left, right) regions whose boxes a side group outlines; None for the face (the
    head's box holds both sides)."""
    for limb in ("arm", "leg"):
        region = REGIONS.index(f"left_{limb}")
        if set(left) <= set(REGION_BOX_LANDMARKS[region]):
            return region, REGIONS.index(f"right_{limb}")
    return None


_SIDE_REGIONS = [_limb_regions(left) for left in SIDE_GROUPS]


def _side_orders(
    swapped: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """(33,) landmark and (6,) region index orders that swap the given side groups."""
    landmarks, regions = np.arange(N_LANDMARKS), np.arange(N_REGIONS)
    for g in np.flatnonzero(swapped):
        lt, rt = _SIDE_PAIRS[g]
        landmarks[lt], landmarks[rt] = rt, lt
        if _SIDE_REGIONS[g] is not None:
            a, b = _SIDE_REGIONS[g]
            regions[a], regions[b] = b, a
    return landmarks, regions


def _travel(a, b, from_a, from_b) -> float:
    """Mean distance landmarks ``a`` and ``b`` (n, 2 each) travelled from the given places."""
    return float(np.mean(np.linalg.norm(a - from_a, axis=1) + np.linalg.norm(b - from_b, axis=1)))


def facing_camera(xy: npt.NDArray[np.floating]) -> float:
    """+1 where the landmarks have the person facing the camera, -1 facing away, NaN where
    unknown: on which side of the trunk's axis (hips to shoulders) the left shoulder lies,
    whatever the person's rotation. MediaPipe names left and right from which way it takes
    the person to face."""
    shoulders, hips = xy[_SHOULDERS], xy[_HIPS]
    axis = shoulders.mean(axis=0) - hips.mean(axis=0)
    across = shoulders[0] - shoulders[1]  # right shoulder to left
    turn = float(across[0] * axis[1] - across[1] * axis[0])  # image y points down
    return -math.copysign(1.0, turn) if np.isfinite(turn) and turn != 0 else math.nan


class SideSwapFixer:
    """Undoes the pose model's sudden swaps of a person's left and right.

    In dark or infrared-grey footage MediaPipe swaps the two arms, legs or sides of the face
    for a frame or two (measured: several per cent of frames), and every swap would look like
    both limbs jerking and coming back. A side group whose landmarks sit much closer to their
    counterparts' recent place (median over the last few frames, so that one odd frame does
    not mislead it) than to their own is swapped back: real limbs never trade places within
    one frame. Labels stay continuous with the first frames of a stretch of pose.
    """

    REFERENCE_FRAMES = 7

    def __init__(self, ratio: float, min_shift: float):
        self.ratio = ratio
        self.min_shift = min_shift
        self._recent: deque[npt.NDArray[np.float64]] = deque(maxlen=self.REFERENCE_FRAMES)
        self.swaps = 0
        """Side groups swapped back so far."""
        self.swapped = np.zeros(len(_SIDE_PAIRS), bool)
        """Which side groups (``SIDE_GROUPS``) the last call swapped back."""
        self.facing = np.zeros(2, np.int64)
        """Frames the pose model read the person as facing the camera, and as facing away
        (:func:`facing_camera`, before any swap back). Both large: it could not tell, and
        the names of left and right are uncertain."""

    def reset(self) -> None:
        self._recent.clear()

    def __call__(
        self, xy: npt.NDArray[np.float32], visible: npt.NDArray[np.bool_], scale: float
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        self.swapped = np.zeros(len(_SIDE_PAIRS), bool)
        if visible[_SHOULDERS + _HIPS].all():
            facing = facing_camera(xy)
            if not math.isnan(facing):
                self.facing[0 if facing > 0 else 1] += 1
        if self._recent and np.isfinite(scale):
            recent = np.stack(self._recent)
            ref = np.median(recent, axis=0)
            gaps = np.isnan(ref[:, 0])
            if gaps.any():  # nanmedian is slow: only for landmarks unseen in some frames
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    ref[gaps] = np.nanmedian(recent[:, gaps], axis=0)
            known = np.isfinite(ref[:, 0])
            shift = self.min_shift * scale
            for g, (lt, rt) in enumerate(_SIDE_PAIRS):
                ok = visible[lt] & visible[rt] & known[lt] & known[rt]
                if ok.sum() < 2:
                    continue
                a, b = lt[ok], rt[ok]
                apart = float(np.mean(np.linalg.norm(ref[a] - ref[b], axis=1)))
                own = _travel(xy[a], xy[b], ref[a], ref[b])
                crossed = _travel(xy[a], xy[b], ref[b], ref[a])
                if apart > 2 * shift and own > 2 * shift and crossed < self.ratio * own:
                    self.swaps += 1
                    self.swapped[g] = True
            order = _side_orders(self.swapped)[0]
            xy, visible = xy[order], visible[order]
        self._recent.append(np.where(visible[:, None], xy, np.nan))
        return xy, visible


@dataclass
class MotionSample:
    """One person's motion in one frame.

    Attributes
    ----------
    index, t : frame number and time (s).
    present : a pose was found.
    scale : torso length in pixels used to normalise this frame (NaN if unknown).
    xy : (33, 2) landmark positions in the picture, pixels, after the side-swap fix; NaN
        where not usable.
    pos : (33, 2) landmark positions relative to their region's anchor, in torso lengths;
        NaN where not usable (not visible, or anchor not visible).
    usable : (33,) bool, landmark usable in this frame.
    region_seen : (6,) bool, enough landmarks of the region visible (order: ``REGIONS``).
    baseline : (33, 2) rest position (same units as ``pos``).
    noise : (6,) noise unit of each region's coherent excursion, torso lengths.
    excursion : (6,) second-largest landmark distance from rest per region, torso lengths:
        the region's amplitude.
    excursion_z : (6,) coherent excursion from rest in noise units (NaN in warm-up or unseen).
    speed : (6,) second-largest landmark speed per region, torso lengths per second.
    speed_z : (6,) coherent displacement over the stillness window (``still_window_s``) in
        noise units: low when the region is still, high through a slow movement too.
    light_change, camera_moved : frame-level artefact flags.
    changed_pixels : (6,) pixels of the picture that changed since the previous frame in
        each region's box (NaN unknown); see :class:`vidmyo.scene.PictureReading`.
    picture_moved : (6,) how far each region moved in the picture since the last still
        frame, torso lengths (NaN unknown); see :func:`picture_excursion`. Both name left
        and right as ``xy`` does (``MotionTracker._picture_named_as_fixed``).
    key : the codec's key frame (see ``FrameLandmarks.key``).
    box_areas : (6,) on a key frame, the area of each region's box in the picture (see
        :func:`vidmyo.scene.region_box_areas`); None on other frames.
    """

    index: int
    t: float
    present: bool
    scale: float
    xy: npt.NDArray[np.float32]
    pos: npt.NDArray[np.float64]
    usable: npt.NDArray[np.bool_]
    region_seen: npt.NDArray[np.bool_]
    baseline: npt.NDArray[np.float64]
    noise: npt.NDArray[np.float64]
    excursion: npt.NDArray[np.float64]
    excursion_z: npt.NDArray[np.float64]
    speed: npt.NDArray[np.float64]
    speed_z: npt.NDArray[np.float64]
    light_change: bool = False
    camera_moved: bool = False
    changed_pixels: npt.NDArray[np.float32] = field(default_factory=lambda: UNKNOWN_PICTURE)
    picture_moved: npt.NDArray[np.float64] = field(default_factory=lambda: UNKNOWN_PICTURE)
    key: bool = False
    box_areas: npt.NDArray[np.float64] | None = None

    def region_excursion(
        self, region: int, reference: npt.NDArray[np.float64]
    ) -> tuple[float, float]:
        """(amplitude, coherent excursion in noise units) of a region from a rest position."""
        delta = self.pos - reference
        z = float(np.linalg.norm(region_vectors(delta)[region])) / self.noise[region]
        return region_amplitude(delta, region), z


class MotionTracker:
    """Streaming: feed one person's landmarks frame by frame, get :class:`MotionSample` back.

    Holds only fixed-size windows (rest position, scale, noise), so memory does not grow with
    the length of the recording.
    """

    def __init__(self, config: DetectorConfig, fps: float, frame_size: tuple[int, int]):
        self.config = config
        self.fps = fps
        self.frame_long_side = float(max(frame_size))
        self._gap = config.baseline_gap_frames
        self._history: deque[npt.NDArray[np.float64]] = deque(
            maxlen=frames_for(config.baseline_s, fps) + self._gap
        )
        self._scales: deque[float] = deque(maxlen=frames_for(config.scale_window_s, fps))
        noise_len = frames_for(config.noise_window_s, fps)
        self._exc_hist: deque[npt.NDArray[np.float64]] = deque(maxlen=noise_len)
        self._spd_hist: deque[npt.NDArray[np.float64]] = deque(maxlen=noise_len)
        self._noise = np.full(N_REGIONS, np.nan)
        self._warmup_frames = max(10, frames_for(WARMUP_S, fps))
        self._speed_noise = np.full(2 * N_REGIONS, np.nan)
        self._since_noise = 0
        self.still_frames = max(2, frames_for(config.still_window_s, fps))
        self._prev_pos: deque[npt.NDArray[np.float64]] = deque(maxlen=self.still_frames)
        self._prev_t: deque[float] = deque(maxlen=self.still_frames)
        self._prev_brightness = float("nan")
        self._last: MotionSample | None = None
        self._prev_xy: npt.NDArray[np.float32] | None = None
        self._held_run = 0
        self._settle_frames = self._history.maxlen + self.still_frames + 2
        """Held frames after which every window contains only the held pose."""
        self.side_swaps = SideSwapFixer(config.swap_ratio, config.swap_min_shift)
        self._pose_swaps: deque[npt.NDArray[np.bool_] | None] = deque(maxlen=STEADY_POSES)
        """Side groups the fix swapped back in each of the last poses (None: no pose)."""
        self._flow_swaps = np.zeros(len(SIDE_GROUPS), bool)
        """Side groups named the other way round at the flow's starting points."""
        self._fixed_xy: npt.NDArray[np.float32] | None = None
        self.box_regions = np.arange(N_REGIONS)
        """Which of the motion gate's region boxes is each region's on the last frame (see
        :meth:`_picture_named_as_fixed`)."""
        self._to_trunk = np.eye(2)
        self._trunk_dirs: deque[tuple[float, float]] = deque(
            maxlen=frames_for(config.baseline_s, fps)
        )

    # -- per-frame geometry -------------------------------------------------------------------
    def _scale(self, xy: npt.NDArray[np.float32], visible: npt.NDArray[np.bool_]) -> float:
        if visible[[11, 12, 23, 24]].all():
            torso = float(np.linalg.norm((xy[11] + xy[12]) / 2 - (xy[23] + xy[24]) / 2))
        elif visible[[11, 12]].all():
            torso = SHOULDER_TO_TORSO * float(np.linalg.norm(xy[11] - xy[12]))
        else:
            torso = float("nan")
        if np.isfinite(torso) and torso > 1.0:
            self._scales.append(torso)
        return float(np.median(self._scales)) if self._scales else float("nan")

    def _trunk_frame(
        self, xy: npt.NDArray[np.float32], visible: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.float64]:
        """(2, 2) rotation that turns the image into the trunk's frame (mid-hip to mid-shoulder
        pointing up). Without the hips (under a blanket) the shoulder line sets it; with
        neither, the last known frame is kept. Turns of the trunk within ``TRUNK_DEADBAND`` of
        its recent direction are ignored: an arm flung out drags the shoulders a little, and
        that must not rotate the other arm."""
        if visible[[11, 12, 23, 24]].all():
            axis = (xy[11] + xy[12]) / 2 - (xy[23] + xy[24]) / 2
        elif visible[[11, 12]].all():
            across = xy[11] - xy[12]  # the person's left shoulder is image-right when upright
            axis = np.array([across[1], -across[0]])
        else:
            return self._to_trunk
        if float(np.hypot(*axis)) < 1e-6:
            return self._to_trunk
        angle = math.atan2(axis[0], -axis[1])  # 0 when upright, in image coordinates
        if self._trunk_dirs:
            rest = np.mean(self._trunk_dirs, axis=0)
            rest_angle = math.atan2(rest[1], rest[0])
            turn = (angle - rest_angle + math.pi) % (2 * math.pi) - math.pi
            turn = math.copysign(max(0.0, abs(turn) - TRUNK_DEADBAND), turn)
            used = rest_angle + turn
        else:
            used = angle
        self._trunk_dirs.append((math.cos(angle), math.sin(angle)))
        c, s = math.cos(used), math.sin(used)
        self._to_trunk = np.array([[c, s], [-s, c]])
        return self._to_trunk

    def _relative(
        self, xy: npt.NDArray[np.float32], visible: npt.NDArray[np.bool_], scale: float
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        pos = np.full((N_LANDMARKS, 2), np.nan)
        usable = np.zeros(N_LANDMARKS, bool)
        seen = np.zeros(N_REGIONS, bool)
        if not np.isfinite(scale):
            return pos, usable, seen
        to_trunk = self._trunk_frame(xy, visible)
        for r, region in enumerate(REGIONS):
            anchor = list(REGION_ANCHOR[region])
            idx = list(REGION_LANDMARKS[region])
            if not visible[anchor].sum() >= min(len(anchor), 3):
                continue
            origin = xy[anchor][visible[anchor]].mean(axis=0)
            ok = visible[idx]
            if ok.sum() < MIN_VISIBLE_LANDMARKS[region]:
                continue
            rel = (xy[idx] - origin) / scale
            # The head and arms ride on the trunk: measured in its frame, a bend that carries
            # them is not also a movement of theirs. Trunk and legs meet at the hips and are
            # measured as the camera sees them.
            pos[idx] = rel @ to_trunk.T if r in _RIDE_ON_TRUNK else rel
            usable[idx] = ok
            seen[r] = True
        pos[~usable] = np.nan
        return pos, usable, seen

    # -- the streaming step -----------------------------------------------------------------------
    def update(
        self,
        index: int,
        t: float,
        xy: npt.NDArray[np.float32],
        visibility: npt.NDArray[np.float32],
        present: bool,
        brightness: float = float("nan"),
        shift: npt.NDArray[np.float32] | None = None,
        inferred: bool = True,
        changed_pixels: npt.NDArray[np.float32] = UNKNOWN_PICTURE,
        flow: npt.NDArray[np.float32] | None = None,
        key: bool = False,
    ) -> MotionSample:
        """One frame. ``inferred`` False marks landmarks held through a still stretch: they
        enter the rest position (the body did not move) but not the noise estimate (their
        zero jitter would make ordinary jitter look like movement afterwards)."""
        cfg = self.config
        changed_pixels, flow = self._picture_named_as_fixed(changed_pixels, flow)
        self._held_run = 0 if inferred else self._held_run + 1
        last = self._last
        if self._held_run > self._settle_frames and last is not None and last.present == present:
            # Deep in a still stretch every window holds the same pose: nothing to compute.
            self._history.append(last.pos)
            self._prev_pos.append(last.pos)
            self._prev_t.append(t)
            self._prev_brightness = brightness
            self._last = dataclasses.replace(
                last,
                index=index,
                t=t,
                light_change=False,
                camera_moved=False,
                changed_pixels=changed_pixels,
                picture_moved=picture_excursion(
                    self._fixed_xy,
                    flow,
                    last.usable,
                    last.scale,
                    cfg.picture_region_floor,
                    cfg.picture_carriage_slack,
                ),
                key=key,
                box_areas=region_box_areas(xy) if key else None,
            )
            return self._last
        repeat = (
            not inferred
            and last is not None
            and last.present == present
            and self._prev_xy is not None
            and np.array_equal(xy, self._prev_xy, equal_nan=True)
        )
        if repeat:
            # Held landmarks: the body is where it was, so is its geometry. The geometry
            # windows (scale, trunk direction, swap reference) keep inferred frames only.
            scale, pos, usable, seen = last.scale, last.pos, last.usable, last.region_seen
            placed, xy = last.xy, self._fixed_xy
        else:
            self._prev_xy = xy
            visible = present & (visibility >= cfg.min_visibility) & np.isfinite(xy).all(axis=1)
            scale = self._scale(xy, visible) if present else float("nan")
            if present:
                xy, visible = self.side_swaps(xy, visible, scale)
            else:
                self.side_swaps.reset()
            if inferred:
                self._pose_swaps.append(self.side_swaps.swapped if present else None)
            self._fixed_xy = xy
            pos, usable, seen = self._relative(xy, visible, scale)
            placed = np.where(usable[:, None], xy, np.nan).astype(np.float32)

        light = False
        if np.isfinite(brightness) and np.isfinite(self._prev_brightness):
            light = abs(brightness - self._prev_brightness) / max(self._prev_brightness, 10.0) > (
                cfg.light_change
            )
        self._prev_brightness = brightness
        # A camera that moved changes the picture on the person too: a shift measured on a
        # frame where the motion gate saw no pixel change there is the background's feature
        # tracking gone wrong (``docs/accuracy.md``, twenty-fourth pass).
        moved = False
        if shift is not None and np.isfinite(shift).all():
            moved = float(np.hypot(*shift)) > cfg.camera_shift * self.frame_long_side
            moved = moved and not known_and_still(changed_pixels)

        if not present:  # after the pose is lost, rest and speed start afresh
            self._history.clear()
            self._trunk_dirs.clear()
            self._prev_pos.clear()
            self._prev_t.clear()

        # Rest position: median over the window that ends `gap` frames ago, for landmarks that
        # were usable through most of it (a stale rest would turn a reappearance into a jerk).
        past = list(self._history)[: max(0, len(self._history) - self._gap)]
        baseline = np.full((N_LANDMARKS, 2), np.nan)
        if len(past) >= 3:
            stack = np.stack(past)
            baseline = np.median(stack, axis=0)  # NaN wherever a landmark was ever unusable
            finite = np.isfinite(stack[:, :, 0]).mean(axis=0)
            patchy = (finite >= 0.8) & (finite < 1.0)
            if patchy.any():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    baseline[patchy] = np.nanmedian(stack[:, patchy], axis=0)
        self._history.append(pos)

        delta = pos - baseline  # NaN where unusable
        coherent = np.linalg.norm(region_vectors(delta), axis=1)
        # Displacement over the stillness window: robust to one-frame jitter, and large through
        # a slow movement, so a slow movement is not cut into brief pieces.
        d1 = np.full(N_LANDMARKS, np.nan)
        dk = np.full(2 * N_REGIONS, np.nan)
        dt1 = float("nan")
        if self._prev_pos:
            d1 = np.linalg.norm(pos - self._prev_pos[-1], axis=1)
            dt1 = t - self._prev_t[-1]
        if len(self._prev_pos) == self.still_frames:
            # Two windows: the long one keeps slow movements "moving", the two-frame one keeps
            # fast oscillations (tremor) moving when the long window spans a whole period.
            dk = np.concatenate([
                np.linalg.norm(region_vectors(pos - self._prev_pos[0]), axis=1),
                np.linalg.norm(region_vectors(pos - self._prev_pos[-2]), axis=1),
            ])  # fmt: skip
        self._prev_pos.append(pos)
        self._prev_t.append(t)

        if inferred:
            self._update_noise(coherent, dk)
        warm = np.isfinite(self._noise).all() and np.isfinite(self._speed_noise).all()
        excursion = np.full(N_REGIONS, np.nan)
        speed = np.full(N_REGIONS, np.nan)
        for r, region in enumerate(REGIONS):
            if not seen[r]:
                continue
            idx = list(REGION_LANDMARKS[region])
            excursion[r] = region_amplitude(delta, r)
            if dt1 > 0:
                speed[r] = second_largest(d1[idx] / dt1, np.isfinite(d1[idx]))
        nan = np.full(N_REGIONS, np.nan)
        excursion_z = np.where(seen, coherent / self._noise, np.nan) if warm else nan
        if warm:
            z = dk / self._speed_noise
            speed_z = np.where(seen, np.fmax(z[:N_REGIONS], z[N_REGIONS:]), np.nan)
        else:
            speed_z = nan

        self._last = MotionSample(
            index=index,
            t=t,
            present=bool(present),
            scale=scale,
            xy=placed,
            pos=pos,
            usable=usable,
            region_seen=seen,
            baseline=baseline,
            noise=self._noise,
            excursion=excursion,
            excursion_z=excursion_z,
            speed=speed,
            speed_z=speed_z,
            light_change=light,
            camera_moved=moved,
            changed_pixels=changed_pixels,
            picture_moved=picture_excursion(
                xy, flow, usable, scale, cfg.picture_region_floor, cfg.picture_carriage_slack
            ),
            key=key,
            box_areas=region_box_areas(xy) if key else None,
        )
        return self._last

    def _picture_named_as_fixed(
        self, changed_pixels: npt.NDArray[np.float32], flow: npt.NDArray[np.float32] | None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
        """The motion gate's region counts and the flow, with left and right named as the
        side-swap fix names them. Both were placed at the median of the poses before this
        frame (``STEADY_POSES``), whose sides are the ones most of those poses gave: where the
        pose model cannot tell which way the person faces it swaps them every other frame
        (a face it cannot see), and a flow named the other way round put an arm's movement on
        the other arm, or on the trunk (``docs/accuracy.md``, twenty-eighth pass). The flow
        keeps the names of its still frame, where it started."""
        seen = [g for g in self._pose_swaps if g is not None]
        steady = np.sum(seen, axis=0) * 2 > len(seen) if seen else np.zeros(len(SIDE_GROUPS), bool)
        if flow is not None and np.isfinite(flow).any() and not (np.abs(flow) > 0).any():
            self._flow_swaps = steady  # a still frame: the flow starts afresh from here
        self.box_regions = _side_orders(steady)[1]
        changed_pixels = changed_pixels[self.box_regions]
        if flow is not None and self._flow_swaps.any():
            flow = flow[_side_orders(self._flow_swaps)[0]]
        return changed_pixels, flow

    def _update_noise(self, coherent: npt.NDArray[np.float64], dk: npt.NDArray[np.float64]) -> None:
        """Noise units per region: a low quantile of the recent coherent excursions (and of the
        stillness-window displacements), so that brief events barely move it."""
        exc = coherent
        if np.isfinite(exc).any():
            self._exc_hist.append(exc)
        if np.isfinite(dk).any():
            self._spd_hist.append(dk)
        self._since_noise += 1
        warm = np.isfinite(self._noise).all()
        if warm and self._since_noise < self.config.noise_update_every:
            return
        if min(len(self._exc_hist), len(self._spd_hist)) < self._warmup_frames:
            return
        self._since_noise = 0
        floor = self.config.min_noise
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            e = np.nanquantile(np.stack(self._exc_hist), NOISE_QUANTILE, axis=0)
            s = np.nanquantile(np.stack(self._spd_hist), NOISE_QUANTILE, axis=0)
        # A region never seen yet gets the median noise of the others, so it is usable at once.
        for arr in (e, s):
            fill = np.nanmedian(arr) if np.isfinite(arr).any() else floor
            arr[~np.isfinite(arr)] = fill
        self._noise = np.maximum(e / RAYLEIGH_Q30_TO_MEDIAN, floor)
        self._speed_noise = np.maximum(s / RAYLEIGH_Q30_TO_MEDIAN, floor)
