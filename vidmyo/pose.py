"""Frames → pose landmarks. The only module that imports mediapipe.

MediaPipe's result is converted at once into plain arrays in the coordinates of the original,
unrotated frame, so everything downstream can be tested without a model.

Sleep footage needs three things the model does not do by itself: a person lying down is
rotated relative to the camera (we try the four right-angle rotations and keep the best), the
picture is often dark or infrared-grey (we brighten it with CLAHE before inference), and the
person is small (we lower the detection confidences, see :class:`vidmyo.config.PoseConfig`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from vidmyo.config import PoseConfig
from vidmyo.errors import ModelError
from vidmyo.landmarks import N_LANDMARKS

log = logging.getLogger(__name__)

# MediaPipe's C++ logging would otherwise fill stderr with INFO lines.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TELEMETRY_SINK = "http://127.0.0.1:9"
"""A closed port on this machine. MediaPipe's Tasks API (from 0.10.30) uploads usage metrics
to Google over HTTPS in background threads and offers no switch to turn that off; it honours
``https_proxy``, so pointing that here keeps every byte on the machine (checked with strace
in ``tests/test_privacy.py``)."""


def keep_mediapipe_offline() -> None:
    """Route MediaPipe's metrics upload to a dead end on this machine before any landmarker
    exists. vidmyo's own network clients (alerts) must not use the environment's proxy."""
    for name in ("https_proxy", "HTTPS_PROXY"):
        os.environ[name] = TELEMETRY_SINK
    for name in ("no_proxy", "NO_PROXY"):
        os.environ.pop(name, None)


ROTATE_CODES = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


def models_dir() -> Path:
    """Where the pose bundles are: ``$VIDMYO_MODELS`` if set, the installed package's copy, or
    the source checkout's ``models/`` (editable install)."""
    env = os.environ.get("VIDMYO_MODELS")
    if env:
        return Path(env)
    installed = Path(str(resources.files("vidmyo"))) / "models"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "models"


def model_path(name: str) -> Path:
    path = models_dir() / f"pose_landmarker_{name}.task"
    if not path.is_file():
        raise ModelError(
            f"pose model {path} is missing; reinstall vidmyo or set VIDMYO_MODELS to the "
            "folder holding pose_landmarker_*.task"
        )
    return path


@dataclass
class PoseResult:
    """Landmarks of up to ``P`` people in one frame, in original-frame pixels.

    ``xy`` (P, 33, 2) float32, NaN where nobody; ``visibility`` (P, 33) float32;
    ``present`` (P,) bool.
    """

    xy: npt.NDArray[np.float32]
    visibility: npt.NDArray[np.float32]
    present: npt.NDArray[np.bool_]

    @classmethod
    def empty(cls, persons: int) -> PoseResult:
        return cls(
            xy=np.full((persons, N_LANDMARKS, 2), np.nan, np.float32),
            visibility=np.zeros((persons, N_LANDMARKS), np.float32),
            present=np.zeros(persons, bool),
        )


def prepare(image: npt.NDArray[np.uint8], config: PoseConfig) -> npt.NDArray[np.uint8]:
    """Downscale to the processing size and brighten dark frames. Returns BGR."""
    h, w = image.shape[:2]
    scale = config.processing_size / max(h, w)
    if scale < 1.0:
        image = cv2.resize(
            image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA
        )
    if config.enhance_dark:
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        if float(grey.mean()) < config.dark_luma:
            image = _enhance(image)
    return image


def _enhance(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """CLAHE on the lightness channel: lifts a dim or infrared-grey picture without blowing
    out the bright parts (a plain gain would). Then a 5×5 Gaussian blur: CLAHE lifts the
    sensor's grain with the picture, and the pose model follows the grain, which changes
    every frame (on the still stretches of the dark sample clip the blur cut the landmarks'
    median frame-to-frame change by 35-62%, the largest changes and the whole-body
    left/right flips by more; ``docs/accuracy.md``). A jerk moves a whole limb, far more
    than the blur's few pixels."""
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB)
    clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
    lab[..., 0] = clahe.apply(lab[..., 0])
    return cv2.GaussianBlur(cv2.cvtColor(lab, cv2.COLOR_LAB2BGR), (5, 5), 0)


def unrotate(uv: npt.NDArray[np.float32], rotation: int) -> npt.NDArray[np.float32]:
    """Map normalised (u, v) coordinates in a frame rotated clockwise by ``rotation`` degrees
    back to the unrotated frame."""
    u, v = uv[..., 0], uv[..., 1]
    if rotation == 0:
        return uv
    if rotation == 90:
        out = (v, 1.0 - u)
    elif rotation == 180:
        out = (1.0 - u, 1.0 - v)
    elif rotation == 270:
        out = (1.0 - v, u)
    else:
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {rotation}")
    return np.stack(out, axis=-1).astype(np.float32)


class PoseEstimator:
    """One reusable PoseLandmarker in VIDEO mode, plus the rotation logic.

    Call it frame after frame with strictly increasing times. Use as a context manager, or call
    :meth:`close` (mediapipe 1.2 raises at interpreter exit if a landmarker is left open).
    """

    def __init__(self, config: PoseConfig, persons: int = 1):
        self.config = config
        self.persons = persons
        self._path = model_path(config.model)
        keep_mediapipe_offline()
        try:
            import mediapipe as mp  # noqa: F401  (imported here so the rest loads without it)
            from mediapipe.tasks.python import vision
            from mediapipe.tasks.python.core.base_options import BaseOptions
        except ImportError as exc:  # pragma: no cover - dependency problem
            raise ModelError(f"mediapipe cannot be imported: {exc}") from exc
        self._vision = vision
        self._base = BaseOptions
        self._video = None
        self._probe = None
        self._last_ms = -1
        self.rotation: int | None = None if config.rotation == "auto" else int(config.rotation)
        self._lost_since: float | None = None
        self._next_probe_t = 0.0

    # -- landmarker lifecycle -------------------------------------------------------------
    def _create(self, mode) -> object:
        options = self._vision.PoseLandmarkerOptions(
            base_options=self._base(model_asset_path=str(self._path)),
            running_mode=mode,
            num_poses=self.persons,
            min_pose_detection_confidence=self.config.min_detection_confidence,
            min_pose_presence_confidence=self.config.min_presence_confidence,
            min_tracking_confidence=self.config.min_tracking_confidence,
            output_segmentation_masks=False,
        )
        try:
            return self._vision.PoseLandmarker.create_from_options(options)
        except Exception as exc:
            raise ModelError(f"cannot load pose model {self._path}: {exc}") from exc

    def _video_landmarker(self):
        if self._video is None:
            self._video = self._create(self._vision.RunningMode.VIDEO)
            self._last_ms = -1
        return self._video

    def close(self) -> None:
        for lm in (self._video, self._probe):
            if lm is not None:
                lm.close()
        self._video = self._probe = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- inference --------------------------------------------------------------------------
    def _to_mp(self, image_bgr: npt.NDArray[np.uint8]):
        import mediapipe as mp

        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))

    def _convert(self, result, rotation: int, width: int, height: int) -> PoseResult:
        out = PoseResult.empty(self.persons)
        for p, pose in enumerate(result.pose_landmarks[: self.persons]):
            uv = np.array([(lm.x, lm.y) for lm in pose], dtype=np.float32)
            vis = np.array([lm.visibility or 0.0 for lm in pose], dtype=np.float32)
            uv = unrotate(uv, rotation)
            out.xy[p] = uv * np.array([width, height], dtype=np.float32)
            out.visibility[p] = vis
            out.present[p] = True
        return out

    def _probe_rotation(self, small: npt.NDArray[np.uint8]) -> int | None:
        """Find the person with the image-mode model at any of the four rotations, then pick
        the rotation that makes them upright (head above hips), which is how the model was
        trained to see people. Mean visibility breaks ties between equally upright choices."""
        if self._probe is None:
            self._probe = self._create(self._vision.RunningMode.IMAGE)
        h, w = small.shape[:2]
        axes, scores = [], []
        for rotation in (0, 90, 180, 270):
            img = small if rotation == 0 else cv2.rotate(small, ROTATE_CODES[rotation])
            result = self._probe.detect(self._to_mp(img))
            if not result.pose_landmarks:
                continue
            pose = result.pose_landmarks[0]
            uv = unrotate(np.array([(lm.x, lm.y) for lm in pose], np.float32), rotation)
            xy = uv * np.array([w, h], np.float32)
            vis = float(np.mean([lm.visibility or 0.0 for lm in pose]))
            axes.append((xy[0] - (xy[23] + xy[24]) / 2) * vis)  # hips → nose, weighted
            scores.append((rotation, vis))
        if not scores:
            log.debug("rotation probe: nobody found")
            return None
        dx, dy = np.sum(axes, axis=0)
        upness = {0: -dy, 90: -dx, 180: dy, 270: dx}  # the axis' upward part after rotating
        best = max(upness, key=upness.get)
        log.debug("rotation probe: body axis (%.0f, %.0f) px → rotate %d°", dx, dy, best)
        return best

    def __call__(self, image_bgr: npt.NDArray[np.uint8], t: float) -> PoseResult:
        """Landmarks of the people in one frame (original-frame pixels)."""
        height, width = image_bgr.shape[:2]
        small = prepare(image_bgr, self.config)
        auto = self.config.rotation == "auto"
        lost_long = self._lost_since is not None and (
            t - self._lost_since >= self.config.reprobe_after_s
        )
        if auto and (self.rotation is None or lost_long) and t >= self._next_probe_t:
            found = self._probe_rotation(small)
            self._next_probe_t = t + 1.0  # at most one probe a second while nobody is found
            if found is not None and found != self.rotation:
                if self._video is not None:  # tracking state belongs to the old rotation
                    self._video.close()
                    self._video = None
                self.rotation = found
            if found is not None:
                self._lost_since = None
        rotation = self.rotation or 0
        img = small if rotation == 0 else cv2.rotate(small, ROTATE_CODES[rotation])
        landmarker = self._video_landmarker()
        ms = max(int(round(t * 1000.0)), self._last_ms + 1)  # VIDEO mode needs increasing ms
        self._last_ms = ms
        result = landmarker.detect_for_video(self._to_mp(img), ms)
        out = self._convert(result, rotation, width, height)
        if out.present.any():
            self._lost_since = None
        elif self._lost_since is None:
            self._lost_since = t
        return out
