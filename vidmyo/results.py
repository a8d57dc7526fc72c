"""What detection produces: events, coverage and the summary, in the contract's terms.

An analysis without jerks is an empty list with a summary of zeros, never ``None``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import numpy.typing as npt

from vidmyo.landmarks import REGIONS

EVENTS_SCHEMA = "vidmyo.events/1"
AXIAL = frozenset({"head", "trunk"})
LEFT_LIMBS = frozenset({"left_arm", "left_leg"})
RIGHT_LIMBS = frozenset({"right_arm", "right_leg"})
UNSEEN_BELOW = 0.2
"""A region seen in less than this fraction of the pose frames is reported as unseen."""
NOISE_BINS = np.geomspace(1e-3, 1.0, 61)
"""Log-spaced bins (torso lengths) of the landmark-noise histogram: memory stays fixed."""
NOISY_ABOVE = 0.1
"""A region whose smallest findable jerk is larger than this (torso lengths) gets a warning."""
FACING_UNSURE_ABOVE = 0.05
"""A person the pose model read as facing the other way on more than this share of its
frames gets a warning that left and right may be swapped. On the clips of the Sports2D man
it did so on up to 2.5% (dark); of the Pose2Sim man, whose face is pixelated, on 9-49% in
normal light (``scripts/measure_facing.py``; ``docs/accuracy.md``, twenty-sixth pass)."""


def distribution_of(regions: set[str] | list[str]) -> str:
    """focal: one region; generalized: axial plus limbs of both sides; else multifocal."""
    involved = set(regions)
    if len(involved) <= 1:
        return "focal"
    if involved & AXIAL and involved & LEFT_LIMBS and involved & RIGHT_LIMBS:
        return "generalized"
    return "multifocal"


@dataclass
class Event:
    """One detected movement.

    Contract fields (``events.json``): ``kind`` (``jerk``, ``movement``, ``tremor``,
    ``camera_shake``, ``light_change``), ``onset_s``/``offset_s``/``peak_s`` (s from the first
    frame), ``regions``, ``primary_region``, ``distribution``, ``peak_speed`` (torso lengths/s),
    ``amplitude`` (torso lengths), ``confidence`` in [0, 1], ``person``.
    Extra fields: the frame numbers of onset, peak and offset, ``duration_s``, ``rise_s``
    (onset to largest excursion), ``return_fraction`` (1 = back at rest, 0 = stayed displaced),
    ``snr`` (peak excursion in noise units), ``evidence``: ``"landmarks"``, or ``"picture"``
    for a jerk the picture showed and the pose model did not follow (its amplitude is how
    far the picture's flow moved, a lower bound; see ``DetectorConfig.picture_jerks``).
    """

    kind: str
    onset_s: float
    offset_s: float
    peak_s: float
    regions: list[str]
    primary_region: str
    distribution: str
    peak_speed: float
    amplitude: float
    confidence: float
    person: int = 0
    onset_frame: int = 0
    peak_frame: int = 0
    offset_frame: int = 0
    duration_s: float = 0.0
    rise_s: float = 0.0
    return_fraction: float = 0.0
    snr: float = 0.0
    evidence: str = "landmarks"

    def to_dict(self) -> dict:
        d = asdict(self)
        for key, digits in _ROUNDING.items():
            value = float(d[key])
            d[key] = round(value, digits) if math.isfinite(value) else None
        return d


CSV_FIELDS = list(Event.__dataclass_fields__)
_ROUNDING = dict.fromkeys(
    ("onset_s", "offset_s", "peak_s", "duration_s", "rise_s"), 4
) | dict.fromkeys(("peak_speed", "amplitude", "confidence", "return_fraction", "snr"), 3)


@dataclass
class Coverage:
    """How much of the recording could be seen: frame counts per person slot and region."""

    frames: int = 0
    pose_frames: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    region_frames: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.zeros((1, len(REGIONS)), np.int64)
    )

    noise_counts: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.zeros((1, len(REGIONS), len(NOISE_BINS) - 1), np.int64)
    )
    """Histogram of each region's noise unit over the pose frames (``NOISE_BINS``)."""
    side_swaps: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    """Left/right swaps of the pose model that were undone, per person slot."""
    facing: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros((1, 2), np.int64))
    """Frames the pose model read each person slot as facing the camera, and as facing away
    (``motion.SideSwapFixer.facing``)."""
    still_picture: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    """Jerk-like landmark movements set aside because the picture did not change (the pose
    model's glitches; ``DetectorConfig.picture_check``), per person slot."""
    seen_through: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    """Jerks set aside as another person's larger jerk seen through this one (a bed partner;
    ``DetectorConfig.partner_share``), per person slot."""
    trigger_z: float = 0.0
    min_amplitude: float = 0.0
    """The detector's thresholds, to say how small a jerk each region allowed."""

    @classmethod
    def for_persons(
        cls, persons: int, trigger_z: float = 0.0, min_amplitude: float = 0.0
    ) -> Coverage:
        return cls(
            0,
            np.zeros(persons, np.int64),
            np.zeros((persons, len(REGIONS)), np.int64),
            np.zeros((persons, len(REGIONS), len(NOISE_BINS) - 1), np.int64),
            np.zeros(persons, np.int64),
            np.zeros((persons, 2), np.int64),
            np.zeros(persons, np.int64),
            np.zeros(persons, np.int64),
            trigger_z,
            min_amplitude,
        )

    def with_persons(self, order: npt.NDArray[np.intp]) -> Coverage:
        """The same counts with the person slots renumbered: new ``k`` is old ``order[k]``."""
        return replace(
            self,
            pose_frames=self.pose_frames[order],
            region_frames=self.region_frames[order],
            noise_counts=self.noise_counts[order],
            side_swaps=self.side_swaps[order],
            facing=self.facing[order],
            still_picture=self.still_picture[order],
            seen_through=self.seen_through[order],
        )

    def add_noise(self, person: int, noise: npt.NDArray[np.float64]) -> None:
        ok = np.isfinite(noise)
        bins = np.clip(np.searchsorted(NOISE_BINS, noise[ok]) - 1, 0, len(NOISE_BINS) - 2)
        self.noise_counts[person, np.nonzero(ok)[0], bins] += 1

    def landmark_noise(self, person: int = 0) -> dict[str, float | None]:
        """Median noise unit of each region (torso lengths), None if never measured."""
        out: dict[str, float | None] = {}
        for i, r in enumerate(REGIONS):
            counts = self.noise_counts[person, i]
            if not counts.sum():
                out[r] = None
                continue
            k = int(np.searchsorted(np.cumsum(counts), counts.sum() / 2))
            out[r] = round(float(np.sqrt(NOISE_BINS[k] * NOISE_BINS[k + 1])), 4)
        return out

    def smallest_jerk(self, person: int = 0) -> dict[str, float | None]:
        """Roughly the smallest jerk amplitude (torso lengths) each region could show: its
        typical noise times the trigger threshold, or the minimum amplitude."""
        return {
            r: None if n is None else round(max(self.min_amplitude, self.trigger_z * n), 3)
            for r, n in self.landmark_noise(person).items()
        }

    @property
    def pose_coverage(self) -> float:
        """Fraction of analysed frames in which at least the main person was found."""
        return float(self.pose_frames.max() / self.frames) if self.frames else 0.0

    def person_coverage(self, person: int) -> float:
        """Fraction of analysed frames in which this person's pose was found."""
        return float(self.pose_frames[person] / self.frames) if self.frames else 0.0

    def facing_flipped(self, person: int) -> float:
        """Share of the person's frames that the pose model read as facing the other way
        than on most: 0 if it always read the same way."""
        n = int(self.facing[person].sum())
        return float(self.facing[person].min() / n) if n else 0.0

    def region_seen(self, person: int = 0) -> dict[str, float]:
        """Fraction of the person's pose frames in which each region was seen."""
        n = self.pose_frames[person]
        return {r: round(float(self.region_frames[person, i] / n), 3) if n else 0.0
                for i, r in enumerate(REGIONS)}  # fmt: skip


def renumber_persons(
    events: list[Event], coverage: Coverage, order: npt.NDArray[np.intp]
) -> Coverage:
    """Give events and coverage the numbering ``order`` (new person ``k`` is old slot
    ``order[k]``); the events are changed in place, the renumbered coverage is returned."""
    new_of_old = np.argsort(order)
    for e in events:
        e.person = int(new_of_old[e.person])
    return coverage.with_persons(order)


def person_summaries(jerks: list[Event], coverage: Coverage, analysed_s: float) -> list[dict]:
    """One entry per person slot: jerks, jerks per hour of that person in view, the share of
    the recording in which they were in view, and which of their regions were seen."""
    counts = Counter(e.person for e in jerks)
    out = []
    for p in range(len(coverage.pose_frames)):
        seen = coverage.region_seen(p)
        n = counts.get(p, 0)
        in_view_h = analysed_s * coverage.person_coverage(p) / 3600.0
        out.append(
            {
                "person": p,
                "jerk_count": n,
                "jerks_per_hour_in_view": round(n / in_view_h, 2) if in_view_h > 0 else 0.0,
                "pose_coverage": round(coverage.person_coverage(p), 4),
                "region_seen": seen,
                "unseen_regions": [r for r, f in seen.items() if f < UNSEEN_BELOW],
                "side_swaps_fixed": int(coverage.side_swaps[p]),
                "facing_flipped": round(coverage.facing_flipped(p), 4),
                "pose_glitches_set_aside": int(coverage.still_picture[p]),
                "partner_jerks_set_aside": int(coverage.seen_through[p]),
            }
        )
    return out


def summarize(events: list[Event], coverage: Coverage, analysed_s: float) -> dict:
    """The contract's summary plus breakdowns: rates per analysed hour, counts per region
    (primary and involved), per distribution, kind and person, which regions were never seen,
    and how noisy the pose model was in each (the smallest jerk it allowed to be found).

    Region and noise figures are person 0's (the person in view the longest); ``persons``
    has each person's own; swaps, glitches and partner jerks are totals over everyone.
    ``by_person`` counts jerks per person and lists every person who was in view, with 0 if
    they had none."""
    jerks = [e for e in events if e.kind == "jerk"]
    by_person = Counter({int(p): 0 for p in np.flatnonzero(coverage.pose_frames)})
    by_person.update(e.person for e in jerks)
    hours = analysed_s / 3600.0
    seen = coverage.region_seen(0)
    unseen = [r for r, f in seen.items() if f < UNSEEN_BELOW]
    smallest = coverage.smallest_jerk(0)
    noisy = [
        r for r, a in smallest.items() if a is not None and a > NOISY_ABOVE and r not in unseen
    ]
    return {
        "jerk_count": len(jerks),
        "jerks_per_hour": round(len(jerks) / hours, 2) if hours > 0 else 0.0,
        "by_region": dict(Counter(e.primary_region for e in jerks)),
        "pose_coverage": round(coverage.pose_coverage, 4),
        "analysed_s": round(analysed_s, 3),
        "by_region_involved": dict(Counter(r for e in jerks for r in e.regions)),
        "by_distribution": dict(Counter(e.distribution for e in jerks)),
        "picture_jerks": sum(e.evidence == "picture" for e in jerks),
        "by_kind": dict(Counter(e.kind for e in events)),
        "by_person": {str(k): v for k, v in sorted(by_person.items())},
        "persons": person_summaries(jerks, coverage, analysed_s),
        "analysed_frames": coverage.frames,
        "pose_frames": int(coverage.pose_frames.max()) if coverage.frames else 0,
        "region_seen": seen,
        "unseen_regions": unseen,
        "landmark_noise": coverage.landmark_noise(0),
        "smallest_jerk": smallest,
        "noisy_regions": noisy,
        "side_swaps_fixed": int(coverage.side_swaps.sum()),
        "pose_glitches_set_aside": int(coverage.still_picture.sum()),
        "partner_jerks_set_aside": int(coverage.seen_through.sum()),
    }
