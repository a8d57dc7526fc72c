"""What the pose model is given: the picture prepared for inference."""

from __future__ import annotations

import numpy as np

from vidmyo.config import PoseConfig
from vidmyo.pose import prepare


def grainy_frame(level: int, seed: int = 0) -> np.ndarray:
    """A grey frame at ``level`` with a brighter limb across it and sensor grain on top."""
    rng = np.random.default_rng(seed)
    image = np.full((480, 640), level, np.float64)
    image[200:240, 100:540] += 40  # the limb
    image += rng.normal(0.0, 6.0, image.shape)  # grain, new in every frame
    grey = np.clip(image, 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def grain(image: np.ndarray) -> float:
    """Pixel-to-pixel spread in a flat patch of background."""
    patch = image[20:120, 20:300, 0].astype(np.float64)
    return float(np.std(np.diff(patch, axis=1)))


def test_a_dark_frame_is_brightened_and_its_grain_smoothed_a_lit_one_left_alone():
    """CLAHE lifts a dark picture and its grain with it; the pose model follows grain that
    changes every frame (docs/accuracy.md: the dark clips' landmarks jumped far less once
    it was smoothed). The limb must stay as distinct as it was."""
    config = PoseConfig()
    dark = grainy_frame(level=50)
    out = prepare(dark, config)
    assert out.mean() > dark.mean() + 5  # brightened
    assert grain(out) < grain(dark)  # smoother than even the unlifted input
    limb, background = out[205:235, 150:500].mean(), out[300:400, 150:500].mean()
    assert limb - background > 30
    lit = grainy_frame(level=140)
    assert np.array_equal(prepare(lit, config), lit)
    off = PoseConfig(enhance_dark=False)
    assert np.array_equal(prepare(dark, off), dark)
