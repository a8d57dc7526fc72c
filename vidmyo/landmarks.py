"""Landmark types, body regions, and the landmarks file that ``vidmyo detect`` re-reads.

MediaPipe's 33 pose landmarks are grouped into the six regions of the output contract. Left
and right are the person's own (MediaPipe's convention), not the image's.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
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

MIRROR = np.array(
    [0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9] + [i + 1 - 2 * (i % 2 == 0) for i in range(11, 33)]
)
"""Index of each landmark's left/right counterpart (the nose is its own)."""

SIDE_GROUPS: tuple[tuple[int, ...], ...] = (
    (1, 2, 3, 7, 9),
    (11, 13, 15, 17, 19, 21),
    (23, 25, 27, 29, 31),
)
"""Left-side landmarks of the face, the arm (with its shoulder) and the leg (with its hip): the
units in which the pose model swaps a person's left and right (``MIRROR`` gives the right)."""

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

RIDES_ON_TRUNK: tuple[str, ...] = ("head", "left_arm", "right_arm")
"""Regions that hang from the trunk: a trunk jerk carries them along without their moving of
their own, so they are measured in the trunk's frame."""

LIMBS: tuple[str, ...] = ("left_arm", "right_arm", "left_leg", "right_leg")
"""Regions joined to the trunk at one of its landmarks (a shoulder, a hip): a limb's jerk
moves the picture at that landmark too."""

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
    shift : (2,) float32 background shift since the previous frame in original-frame pixels;
        NaN when it could not be measured (featureless background, first frame).
    inferred : the pose model ran on this frame. False for a frame in a still stretch whose
        landmarks are held from the last inferred frame (nothing in the picture moved).
    changed_pixels : (P, 6) float32, per person slot and region (``REGIONS`` order): how many
        pixels of the motion gate's thumbnail changed since the previous frame in the
        region's box; NaN if unknown (first frame, landmarks not from a video). See
        :class:`vidmyo.scene.PictureReading`.
    lighter_pixels : (P, 6) float32, of those, the pixels that got lighter; NaN if unknown
        (also in files written before it was recorded).
    flow : (P, 33, 2) float32, how far the picture under each landmark moved since the last
        still frame, in pixels of the original frame (0 on a still frame); NaN if unknown
        (also in files written before it was recorded). See :class:`vidmyo.scene.PictureFlow`.
    key : the video's codec coded this frame as a key frame (False if not known: a camera,
        files written before it was recorded). A key frame refreshes the picture's noise all
        over at once, so its changed pixels, and the flow through it, say little.
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
    inferred: bool = True
    changed_pixels: npt.NDArray[np.float32] | None = None
    lighter_pixels: npt.NDArray[np.float32] | None = None
    flow: npt.NDArray[np.float32] | None = None
    key: bool = False

    def __post_init__(self) -> None:
        p = self.present.shape[0]
        if self.changed_pixels is None:
            self.changed_pixels = np.full((p, len(REGIONS)), np.nan, np.float32)
        if self.lighter_pixels is None:
            self.lighter_pixels = np.full((p, len(REGIONS)), np.nan, np.float32)
        if self.flow is None:
            self.flow = np.full((p, N_LANDMARKS, 2), np.nan, np.float32)
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


FIELDS: dict[str, tuple[type, tuple[int, ...]]] = {
    "index": (np.int64, ()),
    "t": (np.float64, ()),
    "xy": (np.float32, (N_LANDMARKS, 2)),
    "visibility": (np.float32, (N_LANDMARKS,)),
    "present": (np.bool_, ()),
    "brightness": (np.float32, ()),
    "shift": (np.float32, (2,)),
    "inferred": (np.bool_, ()),
    "changed_pixels": (np.float32, (len(REGIONS),)),
    "lighter_pixels": (np.float32, (len(REGIONS),)),
    "flow": (np.float32, (N_LANDMARKS, 2)),
    "key": (np.bool_, ()),
}
"""Per-frame arrays of a landmarks file: dtype and the shape of one frame's row (the person
axis ``P`` comes first for the arrays in ``PER_PERSON``)."""
PER_PERSON = ("xy", "visibility", "present", "changed_pixels", "lighter_pixels", "flow")


def _older_picture_reading(data, shape: tuple[int, int]) -> npt.NDArray[np.float32]:
    """``changed_pixels`` for files written before it existed: unknown (NaN) in the oldest;
    from the yes/no ``picture_changed`` (per frame, later per person) after them, a yes as
    more changed pixels than any threshold, for every region."""
    full = (*shape, len(REGIONS))
    if "picture_changed" not in data:
        return np.full(full, np.nan, np.float32)
    old = data["picture_changed"].astype(np.float32)
    old = np.where(old > 0, np.inf, old).reshape(shape[0], -1, 1)
    return np.broadcast_to(old, full).astype(np.float32)


def _row_shape(name: str, persons: int) -> tuple[int, ...]:
    shape = FIELDS[name][1]
    return (persons, *shape) if name in PER_PERSON else shape


@dataclass
class LandmarkSeries:
    """Landmarks of a whole recording, as stored in ``landmarks.npz``.

    Arrays have one row per analysed frame (``N``): ``index`` (N,) int64, ``t`` (N,) float64
    seconds, ``xy`` (N, P, 33, 2) float32 pixels, ``visibility`` (N, P, 33) float32,
    ``present`` (N, P) bool, ``brightness`` (N,) float32, ``shift`` (N, 2) float32,
    ``inferred`` (N,) bool, ``changed_pixels`` and ``lighter_pixels`` (N, P, 6) float32,
    ``flow`` (N, P, 33, 2) float32, ``key`` (N,) bool (see :class:`FrameLandmarks`).
    ``meta`` holds the video description and how the landmarks were made.
    """

    index: npt.NDArray[np.int64]
    t: npt.NDArray[np.float64]
    xy: npt.NDArray[np.float32]
    visibility: npt.NDArray[np.float32]
    present: npt.NDArray[np.bool_]
    brightness: npt.NDArray[np.float32]
    shift: npt.NDArray[np.float32]
    inferred: npt.NDArray[np.bool_]
    changed_pixels: npt.NDArray[np.float32]
    lighter_pixels: npt.NDArray[np.float32] | None = None
    flow: npt.NDArray[np.float32] | None = None
    key: npt.NDArray[np.bool_] | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.lighter_pixels is None:
            self.lighter_pixels = np.full_like(self.changed_pixels, np.nan)
        if self.flow is None:
            self.flow = np.full_like(self.xy, np.nan)
        if self.key is None:
            self.key = np.zeros(self.t.shape, np.bool_)
        n = self.t.shape[0]
        p = self.xy.shape[1] if self.xy.ndim == 4 else -1
        if any(getattr(self, k).shape != (n, *_row_shape(k, p)) for k in FIELDS):
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
                inferred=bool(self.inferred[i]),
                changed_pixels=self.changed_pixels[i],
                lighter_pixels=self.lighter_pixels[i],
                flow=self.flow[i],
                key=bool(self.key[i]),
            )

    @classmethod
    def from_frames(
        cls, frames: list[FrameLandmarks], meta: dict, persons: int = 1
    ) -> LandmarkSeries:
        persons = frames[0].present.shape[0] if frames else persons
        arrays = {
            name: np.array([getattr(f, name) for f in frames], dtype=dtype).reshape(
                len(frames), *_row_shape(name, persons)
            )
            for name, (dtype, _) in FIELDS.items()
        }
        return cls(**arrays, meta=meta)

    @classmethod
    def concat(cls, parts: list[LandmarkSeries], meta: dict | None = None) -> LandmarkSeries:
        """Join series of consecutive parts of one video (e.g. chunks analysed in parallel)."""
        if not parts:
            raise ValueError("nothing to concatenate")
        joined = {n: np.concatenate([getattr(p, n) for p in parts]) for n in FIELDS}
        return cls(**joined, meta=dict(parts[0].meta if meta is None else meta))

    def with_persons(self, order: npt.NDArray[np.intp]) -> LandmarkSeries:
        """The series with its person slots renumbered: new slot ``k`` is old ``order[k]``."""
        if np.array_equal(order, np.arange(self.persons)):
            return self
        arrays = {n: getattr(self, n)[:, order] if n in PER_PERSON else getattr(self, n)
                  for n in FIELDS}  # fmt: skip
        return LandmarkSeries(**arrays, meta=dict(self.meta))

    def select(self, keep: npt.NDArray[np.bool_]) -> LandmarkSeries:
        """The frames where ``keep`` is true."""
        return LandmarkSeries(**{n: getattr(self, n)[keep] for n in FIELDS}, meta=dict(self.meta))

    def save(self, path: Path) -> None:
        """Write atomically (see :class:`LandmarkWriter`)."""
        with LandmarkWriter(path, self.persons) as writer:
            writer.extend(self)
            writer.meta = self.meta

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
                arrays = {name: data[name] for name in FIELDS if name in data}
                shape = arrays["present"].shape
                if "changed_pixels" not in arrays:
                    arrays["changed_pixels"] = _older_picture_reading(data, shape)
                # Not recorded yet: unknown (the dataclass fills them with NaN, or False).
                return cls(**arrays, meta=meta)
        except InputError:
            raise
        except Exception as exc:  # zip, pickle or key errors all mean "not our file"
            raise InputError(
                f"{path} is not a readable vidmyo landmarks file ({type(exc).__name__}); "
                "pass the landmarks.npz written by 'vidmyo analyze'"
            ) from exc


class LandmarkWriter:
    """Streams frames into ``landmarks.npz`` with memory that does not grow with the video.

    Rows collect in a small buffer; full buffers go to one temporary raw file per array
    beside the target. ``close()`` streams those into a standard ``.npz`` (``np.load`` reads
    it) under a temporary name and renames it into place, so a crash never leaves a
    half-written file under the final name.

    ``person_order``, when set before closing, renumbers the person slots as they are
    written (new slot ``k`` is old ``order[k]``): the analysis learns the contract's numbering
    (who was in view most) only at the end of the video.
    """

    BUFFER_ROWS = 4096

    def __init__(self, path: Path, persons: int = 1, meta: dict | None = None):
        self.path = Path(path)
        self.persons = persons
        self.meta = dict(meta or {})
        self.rows = 0
        self.person_order: npt.NDArray[np.intp] | None = None
        self._buf: dict[str, list] = {name: [] for name in FIELDS}
        self._raw: dict[str, Path] = {
            name: self.path.with_name(f".{self.path.name}.{name}.raw") for name in FIELDS
        }
        try:
            # Open for the writer's whole life; closed in close() or abort().
            self._files = {name: open(p, "wb") for name, p in self._raw.items()}  # noqa: SIM115
        except OSError as exc:
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc

    def append(self, frame: FrameLandmarks) -> None:
        for name in FIELDS:
            self._buf[name].append(getattr(frame, name))
        self.rows += 1
        if len(self._buf["t"]) >= self.BUFFER_ROWS:
            self._spill()

    def extend(self, series: LandmarkSeries) -> None:
        self._spill()
        for name, (dtype, _) in FIELDS.items():
            self._write(name, np.ascontiguousarray(getattr(series, name), dtype=dtype))
        self.rows += len(series)

    def _write(self, name: str, array: np.ndarray) -> None:
        try:
            self._files[name].write(array.tobytes())
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc

    def _spill(self) -> None:
        n = len(self._buf["t"])
        if not n:
            return
        for name, (dtype, _) in FIELDS.items():
            rows = np.array(self._buf[name], dtype=dtype).reshape(
                n, *_row_shape(name, self.persons)
            )
            self._write(name, rows)
            self._buf[name].clear()

    def close(self) -> None:
        self._spill()
        for fh in self._files.values():
            fh.close()
        tmp = self.path.with_name(self.path.name + ".partial")
        meta = dict(self.meta, schema=LANDMARKS_SCHEMA)
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
                for name, (dtype, _) in FIELDS.items():
                    shape = (self.rows, *_row_shape(name, self.persons))
                    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                              "fortran_order": False, "shape": shape}  # fmt: skip
                    with zf.open(name + ".npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array_header_2_0(member, header)
                        with open(self._raw[name], "rb") as raw:
                            self._copy(name, raw, member)
                buf = io.BytesIO()
                np.save(buf, np.array(json.dumps(meta)))
                zf.writestr("meta.npy", buf.getvalue())
            os.replace(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        finally:
            self._remove_raw()

    def _copy(self, name: str, raw, member) -> None:
        """Raw rows into the archive, with the person slots renumbered if asked to."""
        order = self.person_order
        if (
            name not in PER_PERSON
            or order is None
            or np.array_equal(order, np.arange(self.persons))
        ):
            shutil.copyfileobj(raw, member, 1 << 20)
            return
        dtype = np.dtype(FIELDS[name][0])
        shape = _row_shape(name, self.persons)
        row_bytes = dtype.itemsize * int(np.prod(shape))
        while block := raw.read(row_bytes * self.BUFFER_ROWS):
            rows = np.frombuffer(block, dtype).reshape(-1, *shape)
            member.write(np.ascontiguousarray(rows[:, order]).tobytes())

    def abort(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._remove_raw()

    def _remove_raw(self) -> None:
        for p in self._raw.values():
            p.unlink(missing_ok=True)

    def __enter__(self) -> LandmarkWriter:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
