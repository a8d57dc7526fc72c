"""Frame-level measures that are not the body: brightness, camera motion, and "did anything move".

A camera shake or a light switched on makes the pose model's landmarks jump for a frame or
two, exactly like a jerk would. The background tells them apart: if the background moved, the
camera moved; if the brightness jumped, the light changed. These two numbers per frame are
stored with the landmarks, so ``vidmyo detect`` can use them without the video.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np
import numpy.typing as npt

from vidmyo.config import SkipConfig
from vidmyo.landmarks import REGION_ANCHOR, REGION_LANDMARKS, REGIONS
from vidmyo.sources import Frame, grey_thumbnail

SMALL_WIDTH = 192
"""Width of the grey thumbnail the measures are taken on: cheap, and enough for a shift."""


DRIFT_EVERY = 5
"""Frames between two slow-drift checks (drift is slow; the check costs a blur)."""


class PictureReading(NamedTuple):
    """What the motion gate read off one frame's picture, stored with its landmarks."""

    brightness: float
    """Mean luma of the frame, 0-255."""
    changed_pixels: float
    """Thumbnail pixels that changed since the previous frame inside the people's padded box
    (the gate's per-frame test); NaN for the first frame."""
    by_region: npt.NDArray[np.float32] | None = None
    """(P, 6): the same count inside each person's box around each body region (``REGIONS``
    order; NaN for a region whose landmarks are unknown), or None before the first pose. A
    jerk changes the picture where the limb is; a glitch of the pose model does not, and a
    movement elsewhere (the other arm, a bed partner) must not vouch for it (see
    ``DetectorConfig.picture_check``)."""
    lighter_by_region: npt.NDArray[np.float32] | None = None
    """(P, 6): of those, the pixels that got lighter. A moving limb lightens the picture on
    one edge and darkens it on the other; a light coming on, or a shadow, changes it one way
    (``DetectorConfig.picture_jerk_one_way``)."""
    flow: npt.NDArray[np.float32] | None = None
    """(P, 33, 2): how far the picture under each landmark moved since the last still frame,
    in original-frame pixels (see :class:`PictureFlow`); None before the first pose."""


STEADY_POSES = 5
"""The motion gate places its boxes, and the picture's flow its starting points, at the
per-landmark median of this many last poses (``FrameObserver.push``), so that a jump of the
pose model for a frame or two does not move them. Their left and right are therefore the
ones most of these poses gave, not the side-swap fix's (``MotionTracker`` names them)."""

REGION_BOX_LANDMARKS: tuple[tuple[int, ...], ...] = tuple(
    tuple(sorted(set(REGION_LANDMARKS[r]) | (set(REGION_ANCHOR[r]) if r != "head" else set())))
    for r in REGIONS
)
"""Landmarks that outline each region's box: a limb from its shoulder or hip to its end (the
whole limb moves in a jerk), the head by the face alone (the shoulders would make its box
most of the upper body)."""


class MotionGate:
    """The cheap test that decides whether pose inference is needed for a frame.

    Compares a small grey thumbnail with the previous frame's (sudden change: a jerk) and with
    the thumbnail of the last frame that went through pose (slow drift: a slow movement, a
    person creeping out of the picture), inside the people's padded box when known. A pixel
    counts as changed above both a fixed grey-level step and a multiple of the frame's own
    noise, so sensor grain and video-codec flicker do not count. Runs on every frame, so it
    is written for speed: uint8 differences and a histogram in OpenCV, no per-pixel Python;
    the per-region counts are taken only on frames where some pixel changed.
    """

    def __init__(self, config: SkipConfig):
        self.config = config
        self._prev: npt.NDArray[np.uint8] | None = None
        self._reference: npt.NDArray[np.uint8] | None = None
        self._last_hit = False
        self.one_frame_wake = False
        """The last frame moved on its own changes alone (see ``single_frame_factor``)."""
        self.changed_at_fixed_step = True
        """The last frame changed ``min_changed_pixels`` by ``pixel_threshold``, whatever the
        picture's contrast: where :class:`PictureFlow` goes on following rather than
        restarting. At the lower step of dark footage the frames on which a jerk holds
        still count as changed; the flow then follows it through its return and loses the
        limb, and a neighbour the pose model dragged along stays among the jerk's regions
        (``docs/accuracy.md``, twenty-first pass)."""
        self._frames = 0
        self._people: npt.NDArray[np.float32] | None = None
        self._box: tuple[slice, slice] = (slice(None), slice(None))
        self._region_boxes: list[list[tuple[slice, slice] | None]] | None = None
        self._base_step: float | None = None

    def _region(self, people_xy, small, scale) -> tuple[slice, slice]:
        """The people's padded bounding box in the thumbnail, each person's region boxes
        (``_region_boxes``; None for a person slot without a pose) and the grey-level step
        for the picture's contrast in the box (``_base_step``): cached per pose."""
        if people_xy is self._people and self._base_step is not None:
            return self._box
        shape = small.shape
        self._people = people_xy
        self._box = _padded_box(people_xy, shape, scale) if people_xy is not None else None
        self._box = self._box or (slice(None), slice(None))
        self._region_boxes = None
        if people_xy is not None:
            persons = people_xy.reshape(-1, *people_xy.shape[-2:])
            self._region_boxes = [
                [_padded_box(person[list(ids)], shape, scale) for ids in REGION_BOX_LANDMARKS]
                if np.isfinite(person).any()
                else None
                for person in persons
            ]
        self._base_step = self._step_for_contrast(small[self._box])
        return self._box

    def _step_for_contrast(self, picture: npt.NDArray[np.uint8]) -> float:
        """``pixel_threshold``, scaled down for a picture of low contrast (see
        ``SkipConfig.contrast_reference``)."""
        c = self.config
        if picture.size == 0 or not c.contrast_reference:
            return c.pixel_threshold
        cumulative = np.cumsum(cv2.calcHist([picture], [0], None, [256], [0, 256]).ravel())
        low, high = np.searchsorted(cumulative, [0.05 * cumulative[-1], 0.95 * cumulative[-1]])
        scale = min(1.0, float(high - low) / c.contrast_reference)
        return max(c.min_pixel_threshold, c.pixel_threshold * scale)

    def __call__(
        self, frame: Frame, people_xy: npt.NDArray[np.float32] | None
    ) -> tuple[PictureReading, bool]:
        """(what this frame's picture showed, something moved so that pose must run). Uses the
        thumbnail the source made, if it made one of the right width: the full picture is
        then never touched."""
        width = self.config.thumb_width
        small = frame.thumb
        if small is None or small.shape[1] != width:
            small = grey_thumbnail(frame.image, width)
        brightness = float(cv2.mean(small)[0])
        prev, self._prev = self._prev, small
        if prev is None or prev.shape != small.shape:
            self.changed_at_fixed_step = True
            return PictureReading(brightness, float("nan")), True
        box = self._region(people_xy, small, small.shape[1] / frame.width)
        diff = cv2.absdiff(small, prev)
        noise = self._noise(diff[box])
        step = self._step(noise)
        count = cv2.countNonZero(cv2.compare(diff[box], step, cv2.CMP_GT))
        fixed_step = self._step(noise, self.config.pixel_threshold)
        fixed_count = count
        if fixed_step > step:
            fixed_count = cv2.countNonZero(cv2.compare(diff[box], fixed_step, cv2.CMP_GT))
        self.changed_at_fixed_step = fixed_count >= self.config.min_changed_pixels
        by_region, lighter = self._by_region(small, prev, diff, step, count)
        # A movement changes the picture on consecutive frames (a jerk rises over 2-3), or
        # on one frame by far more than a noise burst does. A codec's key frame refreshes
        # the picture's noise all over the person at once; a jerk's one frame changes it
        # where the limb is.
        hit = count >= self.config.min_changed_pixels
        large = count >= self.config.single_frame_factor * self.config.min_changed_pixels
        if large and frame.key:
            large = self._concentrated(by_region, count)
        two_in_a_row = hit and self._last_hit
        moved = two_in_a_row or (hit and large)
        self.one_frame_wake = moved and not two_in_a_row
        self._last_hit = hit
        self._frames += 1
        drift_due = self._frames % DRIFT_EVERY == 0
        if (
            not moved
            and drift_due
            and self._reference is not None
            and (self._reference.shape == small.shape)
        ):
            # Slow drift: blurred, so that breathing's sub-pixel edge shifts do not count.
            blurred = cv2.GaussianBlur(small, (9, 9), 0)
            drift = cv2.absdiff(blurred[box], self._reference[box])
            over = cv2.compare(drift, self._step(self._noise(drift), factor=2.0), cv2.CMP_GT)
            moved = cv2.countNonZero(over) >= 5 * self.config.min_changed_pixels
        return PictureReading(brightness, float(count), by_region, lighter), moved

    @staticmethod
    def _noise(diff: npt.NDArray[np.uint8]) -> float:
        """The difference's robust spread (from its median), in grey levels."""
        if diff.size == 0:
            return 255.0
        hist = cv2.calcHist([diff], [0], None, [256], [0, 256]).ravel()
        median = int(np.searchsorted(np.cumsum(hist), diff.size / 2))
        return 1.4826 * median + 0.5

    def _step(self, noise: float, fixed: float | None = None, factor: float = 1.0) -> float:
        """Grey-level change above which a pixel counts as changed: ``factor`` times the
        ``fixed`` step (default: the one for the picture's contrast), or times
        ``noise_factor`` times the difference's ``noise`` if larger."""
        base = self._base_step if fixed is None else fixed
        return float(int(factor * max(base, self.config.noise_factor * noise)))

    def _by_region(
        self,
        small: npt.NDArray[np.uint8],
        prev: npt.NDArray[np.uint8],
        diff: npt.NDArray[np.uint8],
        step: float,
        count: int,
    ) -> tuple[npt.NDArray[np.float32] | None, npt.NDArray[np.float32] | None]:
        """Changed pixels in each person's region boxes, and how many of them got lighter
        (see ``PictureReading.by_region``, ``lighter_by_region``)."""
        if self._region_boxes is None:
            return None, None
        shape = (len(self._region_boxes), len(REGIONS))
        if count == 0:  # nothing changed anywhere in the box: no region changed either
            return np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        counts = np.full(shape, np.nan, np.float32)
        lighter = np.full(shape, np.nan, np.float32)
        changed = cv2.compare(diff, step, cv2.CMP_GT)
        lit = cv2.compare(cv2.subtract(small, prev), step, cv2.CMP_GT)  # saturates at 0
        for p, boxes in enumerate(self._region_boxes):
            if boxes is None:  # an empty slot: the people's box is all we know
                counts[p] = count
                continue
            for r, b in enumerate(boxes):
                if b is not None:
                    counts[p, r] = cv2.countNonZero(changed[b])
                    lighter[p, r] = cv2.countNonZero(lit[b])
        return counts, lighter

    def _concentrated(self, by_region: npt.NDArray[np.float32] | None, count: int) -> bool:
        """At least ``single_frame_share`` of the changed pixels lie in one body region's box
        of one person whose pose is known (an empty slot's "regions" are the whole box)."""
        if by_region is None or self._region_boxes is None:
            return False
        known = [p for p, boxes in enumerate(self._region_boxes) if boxes is not None]
        counts = by_region[known]
        if not np.isfinite(counts).any():
            return False
        return bool(np.nanmax(counts) >= self.config.single_frame_share * count)

    def set_reference(self) -> None:
        """Remember the current picture as the one the last pose was taken on."""
        if self._prev is not None:
            self._reference = cv2.GaussianBlur(self._prev, (9, 9), 0)


FLOW_SPAN_S = 1.0
"""Seconds of changing picture after which :class:`PictureFlow` stops following (a jerk is
over well before; a longer movement needs no flow, and the tracking would drift)."""
FLOW_WINDOW = (21, 21)
FLOW_LEVELS = 3
FLOW_RETURN_PX = 1.0
"""A landmark's flow counts only if following the picture back from where it went lands
within this many pixels of where it started: in a plain patch (a shirt, a blanket) the
tracking can slide off by tens of pixels (seen on the clips: a hip 52 px away on a frame
where 12 thumbnail pixels changed), and it does not come back."""


class PictureFlow:
    """Where the picture under each landmark has moved since the last still frame.

    The pose model follows some jerks at a fraction of their size, or not at all, while the
    picture shows them plainly (the picture jerks of ``DetectorConfig.picture_jerks``). The
    motion gate's pixel counts say that a region's box changed, not which limb moved: the
    trunk's box overlaps the arms and the head. Following the picture itself, at each
    landmark, from the last still frame does say it. Lucas-Kanade at full resolution, from
    the still frame's landmarks, checked by following it back (``FLOW_RETURN_PX``); only on
    frames where the picture changed (the still frame is kept, not converted, until then),
    and for at most ``FLOW_SPAN_S`` of change.
    """

    def __init__(self) -> None:
        self._ref_frame: Frame | None = None
        self._ref_xy: npt.NDArray[np.float32] | None = None
        self._ref_grey: npt.NDArray[np.uint8] | None = None

    def __call__(
        self, frame: Frame, people_xy: npt.NDArray[np.float32] | None, changed: bool
    ) -> npt.NDArray[np.float32] | None:
        """(P, 33, 2) displacements since the last still frame (zero on a still frame), NaN
        where unknown (a landmark not seen then, lost by the tracking, or followed too long);
        None before the first pose. ``changed``: the motion gate saw the picture change."""
        if people_xy is None:
            self._ref_frame = None
            return None
        if not changed:
            self._ref_frame, self._ref_xy, self._ref_grey = frame, people_xy, None
            return np.where(np.isfinite(people_xy), 0.0, np.nan).astype(np.float32)
        flow = np.full(people_xy.shape, np.nan, np.float32)
        ref, ref_xy = self._ref_frame, self._ref_xy
        if ref is None or frame.t - ref.t > FLOW_SPAN_S or ref_xy.shape != people_xy.shape:
            return flow
        grey = _grey(frame.image)
        if self._ref_grey is None:
            self._ref_grey = _grey(ref.image)
        if self._ref_grey.shape != grey.shape:
            return flow
        points = ref_xy.reshape(-1, 2)
        ok = np.isfinite(points).all(axis=1)
        if not ok.any():
            return flow
        start = np.ascontiguousarray(points[ok], np.float32).reshape(-1, 1, 2)
        moved, status, _ = cv2.calcOpticalFlowPyrLK(
            self._ref_grey, grey, start, None, winSize=FLOW_WINDOW, maxLevel=FLOW_LEVELS
        )
        back, status_back, _ = cv2.calcOpticalFlowPyrLK(
            grey, self._ref_grey, moved, None, winSize=FLOW_WINDOW, maxLevel=FLOW_LEVELS
        )
        returned = np.linalg.norm((back - start).reshape(-1, 2), axis=1) <= FLOW_RETURN_PX
        found = np.full(len(points), False)
        found[ok] = (status.ravel() == 1) & (status_back.ravel() == 1) & returned
        shifts = np.full(points.shape, np.nan, np.float32)
        shifts[ok] = moved.reshape(-1, 2) - start.reshape(-1, 2)
        shifts[~found] = np.nan
        return shifts.reshape(people_xy.shape)


def _grey(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


class SceneMeter:
    """Per frame: mean brightness, and the background's shift since the previous frame.

    The shift is the median Lucas-Kanade displacement of corner features outside the people's
    bounding boxes, in original-frame pixels; NaN when the background has too few features
    (a dark room) to say.
    """

    def __init__(self) -> None:
        self._prev: npt.NDArray[np.uint8] | None = None

    @property
    def still_shift(self) -> npt.NDArray[np.float32]:
        """The shift of a frame in which the motion gate saw nothing change."""
        return np.zeros(2, np.float32)

    def __call__(
        self, image_bgr: npt.NDArray[np.uint8], people_xy: npt.NDArray[np.float32]
    ) -> tuple[float, npt.NDArray[np.float32]]:
        h, w = image_bgr.shape[:2]
        grey = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY) if image_bgr.ndim == 3 else image_bgr
        brightness = float(grey.mean())
        scale = SMALL_WIDTH / w
        small = cv2.resize(grey, (SMALL_WIDTH, max(8, round(h * scale))), cv2.INTER_AREA)
        shift = np.full(2, np.nan, np.float32)
        prev, self._prev = self._prev, small
        if prev is None or prev.shape != small.shape:
            return brightness, shift
        mask = _background_mask(small.shape, people_xy * scale)
        pts = cv2.goodFeaturesToTrack(
            prev, maxCorners=60, qualityLevel=0.01, minDistance=4, mask=mask
        )
        if pts is None or len(pts) < 8:
            return brightness, shift
        nxt, status, _ = cv2.calcOpticalFlowPyrLK(
            prev, small, pts, None, winSize=(15, 15), maxLevel=2
        )
        good = status.ravel() == 1
        if good.sum() < 6:
            return brightness, shift
        moved = (nxt[good] - pts[good]).reshape(-1, 2)
        shift[:] = np.median(moved, axis=0) / scale
        return brightness, shift


def region_box_areas(person_xy: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """(6,) area of each region's box as the motion gate draws it (``REGION_BOX_LANDMARKS``,
    padded), in the frame's pixels; NaN where none. A codec's key frame changes each box by
    a count that grows with its area."""
    areas = np.full(len(REGIONS), np.nan)
    for r, ids in enumerate(REGION_BOX_LANDMARKS):
        box = _padded_box(person_xy[list(ids)], (1 << 20, 1 << 20), 1.0)
        if box is not None:
            areas[r] = (box[0].stop - box[0].start) * (box[1].stop - box[1].start)
    return areas


def _padded_box(
    people_xy: npt.NDArray[np.float32], shape: tuple[int, ...], scale: float
) -> tuple[slice, slice] | None:
    """Bounding box of the finite landmarks, padded by a quarter of its size, in a picture
    of ``shape`` that is ``scale`` times the landmarks' frame; None if there are none."""
    pts = people_xy.reshape(-1, 2) * scale
    pts = pts[np.isfinite(pts).all(axis=1)]
    if not len(pts):
        return None
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.25 * (hi - lo) + 4
    x0, y0 = np.maximum(np.floor(lo - pad).astype(int), 0)
    x1, y1 = np.ceil(hi + pad).astype(int)
    if x1 > x0 and y1 > y0:
        return (slice(y0, min(y1, shape[0])), slice(x0, min(x1, shape[1])))
    return None


def _background_mask(
    shape: tuple[int, int], people_xy: npt.NDArray[np.float32]
) -> npt.NDArray[np.uint8]:
    """255 outside every person's landmark box (padded by a quarter of its size), 0 inside."""
    mask = np.full(shape, 255, np.uint8)
    for pts in people_xy.reshape(-1, people_xy.shape[-2], 2):
        ok = np.isfinite(pts).all(axis=1)
        if not ok.any():
            continue
        lo, hi = pts[ok].min(axis=0), pts[ok].max(axis=0)
        pad = 0.25 * (hi - lo) + 4
        x0, y0 = np.floor(lo - pad).astype(int)
        x1, y1 = np.ceil(hi + pad).astype(int)
        mask[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = 0
    return mask
