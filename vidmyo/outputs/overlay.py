"""Landmarks drawn on a frame: the skeleton, the regions that just moved, a few lines of text.

Used by the monitor's live view (``--show``); written as a plain function on numpy images so
that an annotated-video writer can reuse it.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np
import numpy.typing as npt

from vidmyo.landmarks import POSE_EDGES, REGION_ANCHOR, REGION_LANDMARKS

SKELETON_BGR = (90, 210, 90)
HIGHLIGHT_BGR = (40, 40, 255)
TEXT_BGR = (255, 255, 255)
PANEL_BGR = (30, 30, 30)


def region_edges(region: str) -> list[tuple[int, int]]:
    """Skeleton edges that belong to a region, including the joint to its anchor (an arm's
    edges include shoulder–elbow)."""
    points = set(REGION_LANDMARKS[region]) | set(REGION_ANCHOR[region])
    return [(a, b) for a, b in POSE_EDGES if a in points and b in points]


def draw_overlay(
    image: npt.NDArray[np.uint8],
    xy: npt.NDArray[np.float32],
    visibility: npt.NDArray[np.float32] | None = None,
    *,
    highlight: Iterable[str] = (),
    lines: Iterable[str] = (),
    min_visibility: float = 0.5,
) -> npt.NDArray[np.uint8]:
    """Draw on ``image`` (BGR, modified in place and returned).

    Parameters
    ----------
    xy : (33, 2) or (P, 33, 2) landmark positions in the image's pixels; NaN where unknown.
    visibility : matching (33,) or (P, 33) scores; landmarks below ``min_visibility`` are not
        drawn. None: draw every finite landmark.
    highlight : regions (``left_arm`` …) drawn thick and red, e.g. the ones that just jerked.
    lines : text shown top-left on a dark panel (counts, state).
    """
    h, w = image.shape[:2]
    thick = max(1, round(max(h, w) / 320))
    people = np.asarray(xy, np.float32).reshape(-1, xy.shape[-2], 2)
    if visibility is None:
        vis = np.ones(people.shape[:2], np.float32)
    else:
        vis = np.asarray(visibility, np.float32).reshape(people.shape[:2])
    hot = {edge for region in highlight for edge in region_edges(region)}
    hot_points = {i for region in highlight for i in REGION_LANDMARKS[region]}
    for pts, v in zip(people, vis, strict=True):
        ok = np.isfinite(pts).all(axis=1) & (v >= min_visibility)
        p = np.where(ok[:, None], pts, 0).round().astype(np.int32)
        for a, b in POSE_EDGES:
            if ok[a] and ok[b]:
                edge_hot = (a, b) in hot
                colour = HIGHLIGHT_BGR if edge_hot else SKELETON_BGR
                width = 2 * thick + 1 if edge_hot else thick
                cv2.line(image, tuple(p[a]), tuple(p[b]), colour, width, cv2.LINE_AA)
        for i in np.flatnonzero(ok):
            colour = HIGHLIGHT_BGR if i in hot_points else SKELETON_BGR
            cv2.circle(image, tuple(p[i]), thick + 1, colour, -1, cv2.LINE_AA)
    _text_panel(image, list(lines), thick)
    return image


def _text_panel(image: npt.NDArray[np.uint8], lines: list[str], thick: int) -> None:
    if not lines:
        return
    scale = 0.45 * thick
    sizes = [cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)[0] for line in lines]
    step = max(s[1] for s in sizes) + 6 * thick
    width = max(s[0] for s in sizes) + 8 * thick
    cv2.rectangle(image, (0, 0), (width, step * len(lines) + 4 * thick), PANEL_BGR, -1)
    for k, line in enumerate(lines):
        origin = (4 * thick, step * (k + 1))
        cv2.putText(image, line, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, TEXT_BGR, thick,
                    cv2.LINE_AA)  # fmt: skip
