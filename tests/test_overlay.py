"""The overlay drawing function on a synthetic frame (no window)."""

from __future__ import annotations

import numpy as np

from vidmyo.outputs.overlay import HIGHLIGHT_BGR, SKELETON_BGR, draw_overlay, region_edges
from vidmyo.simulate import Scenario, simulate


def midpoint(xy, a, b):
    x, y = ((xy[a] + xy[b]) / 2).round().astype(int)
    return y, x


def test_skeleton_highlight_and_text_are_drawn():
    (lm, *_), _ = simulate(Scenario(duration_s=0.1))
    image = np.zeros((480, 640, 3), np.uint8)
    out = draw_overlay(image, lm.xy, lm.visibility, highlight=["left_arm"],
                       lines=["jerks 3", "dropped 0"])  # fmt: skip
    assert out is image  # drawn in place, returned for chaining
    xy = lm.xy[0]
    assert tuple(image[midpoint(xy, 13, 15)]) == HIGHLIGHT_BGR  # left forearm, highlighted
    assert tuple(image[midpoint(xy, 24, 26)]) == SKELETON_BGR  # right thigh, plain
    assert image[2:20, 2:60].any()  # the text panel
    assert (11, 13) in region_edges("left_arm")  # shoulder to elbow belongs to the arm


def test_invisible_landmarks_are_not_drawn():
    (lm, *_), _ = simulate(Scenario(duration_s=0.1))
    image = np.zeros((480, 640, 3), np.uint8)
    draw_overlay(image, lm.xy, np.zeros_like(lm.visibility))
    assert not image.any()
    nan = np.full((33, 2), np.nan, np.float32)
    draw_overlay(image, nan)  # nobody found: nothing to draw, no error
    assert not image.any()
