"""Which person is which: stable person slots for the pose model's unordered poses.

MediaPipe's PoseLandmarker returns up to ``num_poses`` poses per frame in an order of its own,
which can change from one frame to the next. The motion core follows each person through time
(rest position, noise, movements in progress), so it needs every person in the same slot on
every frame: two people trading places in the output would look like both of them jerking.

:class:`PersonTracker` gives each frame's poses their slots. A pose matches a slot by how far
its torso (shoulders and hips, whichever are visible) lies from where that slot's person was
last seen, in that person's torso lengths (so the same rule holds near and far from the
camera), and by how alike the two torso sizes are. With at most four people every assignment
is tried (at most 24) and the cheapest is taken, so two people close together are never
matched greedily the wrong way round.

- A slot keeps its person through losses of any length: its last position is remembered, and
  a person found again near it gets it back.
- A pose far from every tracked person is a new person and takes a free slot. Slots are
  numbered in order of first appearance: slot 0 is the first person found. Only when no slot
  is free does a new person take over the slot that has gone unseen the longest.
- Two poses the model places on one person (it does that when people overlap) are one person:
  the less visible pose is dropped, so one person never fills two slots.

Recorded videos are reported in the output contract's numbering, where person 0 is the person
in view for the largest share of the recording (:func:`rank_persons`, applied by
:mod:`vidmyo.pipeline`). The live monitor cannot know the future and keeps the order of first
appearance.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vidmyo.config import PoseConfig
from vidmyo.landmarks import FIELDS, PER_PERSON, LandmarkSeries
from vidmyo.motion import SHOULDER_TO_TORSO

PICTURE_PER_PERSON = tuple(n for n in PER_PERSON if n not in ("xy", "visibility", "present"))
"""Per-person readings of the picture, renumbered with their person's landmarks."""

TORSO = np.array([11, 12, 23, 24])
"""Left and right shoulder, left and right hip."""
MIN_VISIBILITY = 0.5
"""Landmarks at least this visible count as seen (as in ``DetectorConfig.min_visibility``)."""
SMOOTHING = 0.1
"""Share of a new torso length that enters a slot's remembered one: a single odd frame of the
pose model must not change how far its person is allowed to move."""

Arrays = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.bool_]]


@dataclass
class _Torso:
    """Where a person's torso is: its four points (plain floats: four points are cheaper in
    Python than in numpy), which of them were visible, its length and its centre."""

    points: tuple[tuple[float, float], ...]
    seen: tuple[bool, ...]
    length: float

    @property
    def centre(self) -> tuple[float, float]:
        return _mean(self.points, (True,) * len(self.points))


@dataclass
class _Slot:
    torso: _Torso
    last_frame: int


def _mean(points, use) -> tuple[float, float]:
    chosen = [q for q, u in zip(points, use, strict=True) if u]
    return (sum(q[0] for q in chosen) / len(chosen), sum(q[1] for q in chosen) / len(chosen))


def torso_of(xy: npt.NDArray[np.float32], visibility: npt.NDArray[np.float32]) -> _Torso | None:
    """The torso of one pose (33 landmarks), or None if its torso has no coordinates.

    The length is mid-shoulder to mid-hip; with the hips unseen (under a blanket) it comes
    from the shoulder width, as in :mod:`vidmyo.motion`; with neither, from the model's
    guessed positions, which is better than nothing for telling people apart."""
    points = tuple((float(x), float(y)) for x, y in np.asarray(xy)[TORSO].tolist())
    if not all(math.isfinite(v) for q in points for v in q):
        return None
    seen = tuple(bool(v >= MIN_VISIBILITY) for v in np.asarray(visibility)[TORSO].tolist())
    (lsx, lsy), (rsx, rsy), (lhx, lhy), (rhx, rhy) = points
    if seen[0] and seen[1] and not (seen[2] and seen[3]):
        length = SHOULDER_TO_TORSO * math.hypot(lsx - rsx, lsy - rsy)
    else:
        length = math.hypot((lsx + rsx - lhx - rhx) / 2, (lsy + rsy - lhy - rhy) / 2)
    return _Torso(points, seen, max(length, 1.0))


def torso_distance(a: _Torso, b: _Torso) -> float:
    """Pixels between two torsos: the shift of the torso points visible in both (all four if
    none is), so that a shoulder going out of sight does not move the measured centre."""
    use = tuple(u and v for u, v in zip(a.seen, b.seen, strict=True))
    if not any(use):
        use = (True,) * len(use)
    (ax, ay), (bx, by) = _mean(a.points, use), _mean(b.points, use)
    return math.hypot(ax - bx, ay - by)


class PersonTracker:
    """Stable person slots for a stream of frames (see the module docstring).

    ``order(xy, visibility, present)`` takes one frame's poses in the model's order, shapes
    (P, 33, 2), (P, 33) and (P,), and returns for each slot the index of its pose in this
    frame, or -1. ``__call__`` returns the frame's arrays rearranged into slots.
    """

    def __init__(self, persons: int, config: PoseConfig | None = None):
        self.persons = persons
        self.config = config if config is not None else PoseConfig()
        self.slots: list[_Slot | None] = [None] * persons
        self.frame = 0
        self.duplicates = 0
        """Poses dropped because they lay on a person already found in the same frame."""
        self._assignments = {
            k: np.array(list(itertools.permutations(range(persons), k)), np.intp).reshape(-1, k)
            for k in range(1, persons + 1)
        }
        cfg = self.config
        self._max_log_size = math.log(cfg.track_max_size_ratio)
        self._new_cost = cfg.track_max_jump + self._max_log_size + 1.0
        """Cost of a free slot: above every acceptable match, so a person near their slot
        always keeps it."""

    def __call__(
        self,
        xy: npt.NDArray[np.float32],
        visibility: npt.NDArray[np.float32],
        present: npt.NDArray[np.bool_],
    ) -> Arrays:
        if self.persons == 1:  # one slot: nothing to decide
            return xy, visibility, present
        return arrange(xy, visibility, present, self.order(xy, visibility, present))

    def order(
        self,
        xy: npt.NDArray[np.float32],
        visibility: npt.NDArray[np.float32],
        present: npt.NDArray[np.bool_],
    ) -> npt.NDArray[np.intp]:
        self.frame += 1
        poses = self._distinct(xy, visibility, present)
        out = np.full(self.persons, -1, np.intp)
        if not poses:
            return out
        cost = np.array([[self._cost(torso, s) for s in range(self.persons)]
                         for _, torso in poses])  # fmt: skip
        options = self._assignments[len(poses)]
        totals = cost[np.arange(len(poses)), options].sum(axis=1)
        best = options[int(np.argmin(totals))]
        for j, ((index, torso), s) in enumerate(zip(poses, best, strict=True)):
            self._remember(int(s), torso, matched=cost[j, s] < self._new_cost)
            out[s] = index
        return out

    def _distinct(self, xy, visibility, present) -> list[tuple[int, _Torso]]:
        """The frame's poses with a torso, best seen first, without duplicates: a pose whose
        landmarks lie on an already kept pose is the same person found twice."""
        found = []
        for p in np.flatnonzero(present[: self.persons]):
            torso = torso_of(xy[p], visibility[p])
            if torso is not None:
                found.append((float(np.mean(visibility[p])), int(p), torso))
        found.sort(key=lambda f: -f[0])
        kept: list[tuple[int, _Torso]] = []
        for _, p, torso in found:
            if any(self._same_person(xy[p], visibility[p], torso, xy[q], visibility[q], other)
                   for q, other in kept):  # fmt: skip
                self.duplicates += 1
                continue
            kept.append((p, torso))
        kept.sort()  # the model's order again, so that ties go the same way every time
        return kept

    def _same_person(self, xy_a, vis_a, torso_a, xy_b, vis_b, torso_b) -> bool:
        """Median landmark distance over the landmarks both poses see (the torso centres if
        they share fewer than four), in the larger person's torso lengths. Poses whose torsos
        lie a torso length or more apart are two people, whatever their limbs do."""
        size = max(torso_a.length, torso_b.length)
        (ax, ay), (bx, by) = torso_a.centre, torso_b.centre
        centres = math.hypot(ax - bx, ay - by)
        if centres >= size:
            return False
        both = (vis_a >= MIN_VISIBILITY) & (vis_b >= MIN_VISIBILITY)
        both &= np.isfinite(xy_a).all(axis=1) & np.isfinite(xy_b).all(axis=1)
        if both.sum() >= 4:
            gap = float(np.median(np.linalg.norm(xy_a[both] - xy_b[both], axis=1)))
        else:
            gap = centres
        return gap < self.config.track_duplicate * size

    def _cost(self, torso: _Torso, s: int) -> float:
        """Distance in the slot person's torso lengths plus the log of the size ratio (a 50%
        size difference weighs like 0.4 torso lengths); a free slot costs more than any
        acceptable match; a known slot beyond reach costs more still, least for the slot
        unseen the longest."""
        slot = self.slots[s]
        if slot is None:
            return self._new_cost + 1e-3 * s  # the lowest free slot: order of first appearance
        jump = torso_distance(torso, slot.torso) / slot.torso.length
        size = abs(math.log(torso.length / slot.torso.length))
        if jump <= self.config.track_max_jump and size <= self._max_log_size:
            return jump + size
        return self._new_cost + 1.0 + 1.0 / (1 + self.frame - slot.last_frame)

    def _remember(self, s: int, torso: _Torso, matched: bool) -> None:
        """The slot's person is now here. Their size is smoothed while it is the same person;
        a slot taken over by someone else (``matched`` False) starts from the new size."""
        slot = self.slots[s]
        if matched and slot is not None:
            torso.length = (1 - SMOOTHING) * slot.torso.length + SMOOTHING * torso.length
        self.slots[s] = _Slot(torso, self.frame)


def arrange(
    xy: npt.NDArray[np.float32],
    visibility: npt.NDArray[np.float32],
    present: npt.NDArray[np.bool_],
    order: npt.NDArray[np.intp],
) -> Arrays:
    """One frame's arrays with slot ``s`` holding pose ``order[s]`` (nobody where -1)."""
    take = np.maximum(order, 0)
    found = order >= 0
    new_xy = np.where(found[:, None, None], xy[take], np.float32(np.nan)).astype(np.float32)
    new_vis = np.where(found[:, None], visibility[take], np.float32(0)).astype(np.float32)
    new_present = found & present[take]
    return new_xy, new_vis, new_present


def track_series(series: LandmarkSeries, config: PoseConfig | None = None) -> LandmarkSeries:
    """Run a fresh tracker over a whole series. Batch joins chunks whose trackers started
    afresh, each numbering people in its own order of appearance; tracking the joined series
    once makes the slots agree across the chunk boundaries. Frames held through a still
    stretch (``inferred`` False, same pose as the frame before) keep the order of that frame."""
    if series.persons == 1 or len(series) == 0:
        return series
    tracker = PersonTracker(series.persons, config)
    xy, vis, present = series.xy.copy(), series.visibility.copy(), series.present.copy()
    picture = {name: getattr(series, name).copy() for name in PICTURE_PER_PERSON}
    order: npt.NDArray[np.intp] | None = None
    for i in range(len(series)):
        held = (
            order is not None
            and not series.inferred[i]
            and np.array_equal(series.xy[i], series.xy[i - 1], equal_nan=True)
            and np.array_equal(series.present[i], series.present[i - 1])
        )
        if not held:
            order = tracker.order(series.xy[i], series.visibility[i], series.present[i])
        xy[i], vis[i], present[i] = arrange(
            series.xy[i], series.visibility[i], series.present[i], order
        )
        slot, kept = np.maximum(order, 0), order >= 0
        for name, rows in picture.items():  # the picture's readings follow their person
            mine = getattr(series, name)[i][slot]
            rows[i] = np.where(kept.reshape(-1, *[1] * (mine.ndim - 1)), mine, np.nan)
    arrays = {name: getattr(series, name) for name in FIELDS}
    arrays.update(xy=xy, visibility=vis, present=present, **picture)
    return LandmarkSeries(**arrays, meta=dict(series.meta))


def rank_persons(frames_in_view: npt.NDArray[np.integer]) -> npt.NDArray[np.intp]:
    """The contract's numbering: ``order[k]`` is the slot that becomes person ``k``, by
    frames in view, most first; ties keep the order of first appearance."""
    return np.argsort(-np.asarray(frames_in_view), kind="stable").astype(np.intp)
