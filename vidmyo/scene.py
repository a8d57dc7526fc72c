"""Frame-level measures that are not the body: brightness and camera motion.

A camera shake or a light switched on makes the pose model's landmarks jump for a frame or
two, exactly like a jerk would. The background tells them apart: if the background moved, the
camera moved; if the brightness jumped, the light changed. These two numbers per frame are
stored with the landmarks, so ``vidmyo detect`` can use them without the video.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

SMALL_WIDTH = 192
"""Width of the grey thumbnail the measures are taken on: cheap, and enough for a shift."""


class SceneMeter:
    """Per frame: mean brightness, and the background's shift since the previous frame.

    The shift is the median Lucas-Kanade displacement of corner features outside the people's
    bounding boxes, in original-frame pixels; NaN when the background has too few features
    (a dark room) to say.
    """

    def __init__(self) -> None:
        self._prev: npt.NDArray[np.uint8] | None = None

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
