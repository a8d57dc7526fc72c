"""Landmark types, body regions, and the landmarks file that ``vidmyo detect`` re-reads.

MediaPipe's 33 pose landmarks are grouped into the six regions of the output contract. Left
and right are the person's own (MediaPipe's convention), not the image's.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidmyo.errors import InputError, OutputError

N_LANDMARKS = 33
REGIONS: tuple[str, ...] = ("head", "trunk", "left_arm", "right_arm", "left_leg", "right_leg")

REGION_LANDMARKS: dict[str, tuple[int, ...]] = {
    "head": tuple(range(0, 11)),
    "trunk": (11, 12, 23, 24),
    "left_arm": (13, 15, 17, 19, 21),
    "right_arm": (14, 16, 18, 20, 22),
    "left_leg": (25, 27, 29, 31),
    "right_leg": (26, 28, 30, 32),
}
"""Landmark indices of each region."""

REGION_ANCHOR: dict[str, tuple[int, ...]] = {
    "head": (11, 12),
    "trunk": (11, 12, 23, 24),
    "left_arm": (11,),
    "right_arm": (12,),
    "left_leg": (23,),
    "right_leg": (24,),
}
"""Each region moves relative to the mean of these landmarks: an arm relative to its shoulder,
the head relative to the shoulders, the trunk relative to its own centre. A camera shake or the
whole body sliding therefore moves no region, and a trunk jerk is not also counted as an arm
jerk because the arms were carried along."""

MIN_VISIBLE_LANDMARKS: dict[str, int] = {
    "head": 3,
    "trunk": 3,
    "left_arm": 2,
    "right_arm": 2,
    "left_leg": 2,
    "right_leg": 2,
}
"""A region counts as seen in a frame when at least this many of its landmarks are visible."""

LANDMARKS_SCHEMA = "vidmyo.landmarks/1"

# Skeleton edges for drawing.
POSE_EDGES: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 23), (12, 24), (23, 24),
    (11, 13), (13, 15), (15, 17), (15, 19), (15, 21), (17, 19),
    (12, 14), (14, 16), (16, 18), (16, 20), (16, 22), (18, 20),
    (23, 25), (25, 27), (27, 29), (27, 31), (29, 31),
    (24, 26), (26, 28), (28, 30), (28, 32), (30, 32),
    (0, 2), (2, 7), (0, 5), (5, 8), (9, 10),
)  # fmt: skip


@dataclass
class FrameLandmarks:
    """Everything the motion stage needs about one frame.

    Attributes
    ----------
    index : frame number in the video (0 = first decoded frame).
    t : time in seconds from the first frame, from the stream's timestamps.
    xy : (P, 33, 2) float32 landmark positions in pixels of the original, unrotated frame;
        NaN where no pose was found. ``P`` is the number of person slots.
    visibility : (P, 33) float32 MediaPipe visibility in [0, 1]; 0 where no pose was found.
    present : (P,) bool, a pose was found for that person slot.
    brightness : mean luma of the frame, 0-255.
    shift : (2,) float32 background shift since the previous frame in analysis-frame pixels;
        NaN when it could not be measured (featureless background, first frame).
    """

    index: int
    t: float
    xy: npt.NDArray[np.float32]
    visibility: npt.NDArray[np.float32]
    present: npt.NDArray[np.bool_]
    brightness: float = float("nan")
    shift: npt.NDArray[np.float32] = field(
        default_factory=lambda: np.full(2, np.nan, dtype=np.float32)
    )

    def __post_init__(self) -> None:
        p = self.present.shape[0]
        if self.xy.shape != (p, N_LANDMARKS, 2) or self.visibility.shape != (p, N_LANDMARKS):
            raise ValueError(
                f"FrameLandmarks shapes disagree: xy {self.xy.shape}, "
                f"visibility {self.visibility.shape}, present {self.present.shape}"
            )

    @classmethod
    def empty(cls, index: int, t: float, persons: int = 1) -> FrameLandmarks:
        """A frame in which nobody was found."""
        return cls(
            index=index,
            t=t,
            xy=np.full((persons, N_LANDMARKS, 2), np.nan, dtype=np.float32),
            visibility=np.zeros((persons, N_LANDMARKS), dtype=np.float32),
            present=np.zeros(persons, dtype=bool),
        )


@dataclass
class LandmarkSeries:
    """Landmarks of a whole recording, as stored in ``landmarks.npz``.

    Arrays have one row per analysed frame (``N``): ``index`` (N,) int64, ``t`` (N,) float64
    seconds, ``xy`` (N, P, 33, 2) float32 pixels, ``visibility`` (N, P, 33) float32,
    ``present`` (N, P) bool, ``brightness`` (N,) float32, ``shift`` (N, 2) float32.
    ``meta`` holds the video description and how the landmarks were made.
    """

    index: npt.NDArray[np.int64]
    t: npt.NDArray[np.float64]
    xy: npt.NDArray[np.float32]
    visibility: npt.NDArray[np.float32]
    present: npt.NDArray[np.bool_]
    brightness: npt.NDArray[np.float32]
    shift: npt.NDArray[np.float32]
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.t.shape[0]
        shapes_ok = (
            self.index.shape == (n,)
            and self.xy.ndim == 4
            and self.xy.shape[0] == n
            and self.xy.shape[2:] == (N_LANDMARKS, 2)
            and self.visibility.shape == self.xy.shape[:3]
            and self.present.shape == self.xy.shape[:2]
            and self.brightness.shape == (n,)
            and self.shift.shape == (n, 2)
        )
        if not shapes_ok:
            raise InputError("landmarks file is inconsistent (array shapes disagree)")

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def persons(self) -> int:
        return int(self.xy.shape[1])

    def frames(self):
        """Yield the stored frames one at a time, as the pipeline produced them."""
        for i in range(len(self)):
            yield FrameLandmarks(
                index=int(self.index[i]),
                t=float(self.t[i]),
                xy=self.xy[i],
                visibility=self.visibility[i],
                present=self.present[i],
                brightness=float(self.brightness[i]),
                shift=self.shift[i],
            )

    @classmethod
    def from_frames(cls, frames: list[FrameLandmarks], meta: dict) -> LandmarkSeries:
        persons = max((f.present.shape[0] for f in frames), default=1)
        if not frames:
            return cls(
                index=np.zeros(0, np.int64),
                t=np.zeros(0, np.float64),
                xy=np.zeros((0, persons, N_LANDMARKS, 2), np.float32),
                visibility=np.zeros((0, persons, N_LANDMARKS), np.float32),
                present=np.zeros((0, persons), bool),
                brightness=np.zeros(0, np.float32),
                shift=np.zeros((0, 2), np.float32),
                meta=meta,
            )
        return cls(
            index=np.array([f.index for f in frames], dtype=np.int64),
            t=np.array([f.t for f in frames], dtype=np.float64),
            xy=np.stack([f.xy for f in frames]).astype(np.float32),
            visibility=np.stack([f.visibility for f in frames]).astype(np.float32),
            present=np.stack([f.present for f in frames]),
            brightness=np.array([f.brightness for f in frames], dtype=np.float32),
            shift=np.stack([f.shift for f in frames]).astype(np.float32),
            meta=meta,
        )

    @classmethod
    def concat(cls, parts: list[LandmarkSeries], meta: dict | None = None) -> LandmarkSeries:
        """Join series of consecutive parts of one video (e.g. chunks analysed in parallel)."""
        if not parts:
            raise ValueError("nothing to concatenate")
        names = ("index", "t", "xy", "visibility", "present", "brightness", "shift")
        joined = {n: np.concatenate([getattr(p, n) for p in parts]) for n in names}
        return cls(**joined, meta=dict(parts[0].meta if meta is None else meta))

    def select(self, keep: npt.NDArray[np.bool_]) -> LandmarkSeries:
        """The frames where ``keep`` is true."""
        names = ("index", "t", "xy", "visibility", "present", "brightness", "shift")
        return LandmarkSeries(**{n: getattr(self, n)[keep] for n in names}, meta=dict(self.meta))

    def save(self, path: Path) -> None:
        """Write atomically: a crash never leaves a half-written file under the final name."""
        path = Path(path)
        tmp = path.with_name(path.name + ".partial")
        meta = dict(self.meta, schema=LANDMARKS_SCHEMA)
        try:
            with open(tmp, "wb") as fh:
                np.savez_compressed(
                    fh,
                    index=self.index,
                    t=self.t,
                    xy=self.xy,
                    visibility=self.visibility,
                    present=self.present,
                    brightness=self.brightness,
                    shift=self.shift,
                    meta=np.array(json.dumps(meta)),
                )
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc

    @classmethod
    def load(cls, path: Path) -> LandmarkSeries:
        path = Path(path)
        if not path.is_file():
            raise InputError(f"no such landmarks file: {path}")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("schema") != LANDMARKS_SCHEMA:
                    raise InputError(
                        f"{path} is not a vidmyo landmarks file (schema {meta.get('schema')!r})"
                    )
                return cls(
                    index=data["index"],
                    t=data["t"],
                    xy=data["xy"],
                    visibility=data["visibility"],
                    present=data["present"],
                    brightness=data["brightness"],
                    shift=data["shift"],
                    meta=meta,
                )
        except InputError:
            raise
        except Exception as exc:  # zip, pickle or key errors all mean "not our file"
            raise InputError(
                f"{path} is not a readable vidmyo landmarks file ({type(exc).__name__}); "
                "pass the landmarks.npz written by 'vidmyo analyze'"
            ) from exc
