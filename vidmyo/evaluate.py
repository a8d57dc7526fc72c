"""Scoring detected events against truth: the function the tests and the benchmark share.

:func:`compare_events` matches detected jerks to true jerks one to one and also says which
scripted movements that are *not* jerks (distractors: slow movements, tremor, turning over,
camera shake, light changes, dropouts) were called jerks. :meth:`Comparison.combine` adds up
the comparisons of many recordings, :func:`calibration` bins detections by confidence, and
:func:`proportion_interval` says how far a rate measured on few jerks can be trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from vidmyo.results import Event

DISTRACTOR_KINDS = frozenset(
    {"movement", "tremor", "turn", "camera_shake", "light_change", "dropout"}
)
"""Truth kinds that are scripted on purpose and must not be reported as jerks."""


@dataclass
class Comparison:
    """Detected jerks matched one to one with truth jerks (onsets within the tolerance,
    closest pairs first).

    ``onset_errors_s`` / ``onset_errors_frames`` are detected minus true onset, for the
    matched pairs. ``primary_correct`` and ``distribution_correct`` count matched pairs that
    agree. ``matches`` holds (truth index, detection index) pairs, indices into the lists
    given to :func:`compare_events`.

    ``excused`` counts detected jerks that match only a truth jerk that is not scored (hidden
    under a blanket, or left out by ``include``): neither true nor false. ``missed`` lists the
    truth indices of scored jerks nobody found, ``false_detections`` the detection indices of
    false jerks. ``distractors`` is the number of distractors in the truth,
    ``distractors_called`` how many of them had a false jerk whose onset lies within their
    span ± the tolerance (``distractor_hits``: (truth index, detection index) pairs; one
    detection can hit two overlapping distractors).
    """

    true_positives: int
    false_positives: int
    false_negatives: int
    primary_correct: int
    distribution_correct: int
    onset_errors_s: list[float] = field(default_factory=list)
    onset_errors_frames: list[int] = field(default_factory=list)
    matches: list[tuple[int, int]] = field(default_factory=list)
    excused: int = 0
    missed: list[int] = field(default_factory=list)
    false_detections: list[int] = field(default_factory=list)
    distractors: int = 0
    distractors_called: int = 0
    distractor_hits: list[tuple[int, int]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        real = self.true_positives + self.false_negatives
        return self.true_positives / real if real else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @classmethod
    def combine(cls, parts: Iterable[Comparison]) -> Comparison:
        """The comparisons of several recordings added up. Counts and onset errors add;
        the index lists (``matches``, ``missed``…) refer to each recording's own lists, so
        the combined one leaves them empty."""
        parts = list(parts)
        total = cls(0, 0, 0, 0, 0)
        for p in parts:
            total.true_positives += p.true_positives
            total.false_positives += p.false_positives
            total.false_negatives += p.false_negatives
            total.primary_correct += p.primary_correct
            total.distribution_correct += p.distribution_correct
            total.onset_errors_s += p.onset_errors_s
            total.onset_errors_frames += p.onset_errors_frames
            total.excused += p.excused
            total.distractors += p.distractors
            total.distractors_called += p.distractors_called
        return total

    def summary(self) -> dict:
        err = np.abs(self.onset_errors_frames) if self.onset_errors_frames else np.zeros(0)
        err_ms = 1000 * np.abs(self.onset_errors_s) if self.onset_errors_s else np.zeros(0)
        tp = self.true_positives
        return {
            "tp": tp,
            "fp": self.false_positives,
            "fn": self.false_negatives,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "onset_error_median_frames": float(np.median(err)) if err.size else None,
            "onset_error_p95_frames": float(np.percentile(err, 95)) if err.size else None,
            "onset_error_median_ms": round(float(np.median(err_ms)), 1) if err_ms.size else None,
            "onset_error_p95_ms": round(float(np.percentile(err_ms, 95)), 1)
            if err_ms.size
            else None,
            "primary_region_accuracy": round(self.primary_correct / tp, 4) if tp else None,
            "distribution_accuracy": round(self.distribution_correct / tp, 4) if tp else None,
            "excused": self.excused,
            "distractors": self.distractors,
            "distractors_called": self.distractors_called,
        }


def _get(e, key, default=None):
    if isinstance(e, dict):
        return e.get(key, default)
    return getattr(e, key, default)


def compare_events(
    detected: Sequence[Event] | Sequence[dict],
    truth: Sequence[dict],
    tolerance_s: float = 0.2,
    fps: float | None = None,
    include: Callable[[dict], bool] | None = None,
) -> Comparison:
    """Match detected jerks to true jerks, and count the distractors called jerks.

    Only ``kind == "jerk"`` counts on either side. A truth jerk is *scored* unless it is
    marked ``visible: False`` (nobody can be blamed for missing what the camera could not
    see) or ``include`` returns False for it (e.g. to score only jerks of one size class).
    Detections are matched to scored jerks first, one to one, closest onsets first; a
    detection left over that lies within the tolerance of an unscored jerk is *excused*
    (neither true nor false). Onset errors in frames use ``onset_frame`` when both sides
    have it, else the times and ``fps``.

    A distractor (truth kinds in :data:`DISTRACTOR_KINDS`) is *called a jerk* when a false
    detection's onset lies within its span (``onset_s`` .. ``offset_s``) ± the tolerance. A
    detection matched to a true jerk is never blamed on a distractor.

    With more than one person in view, truth records carry ``person`` and so must the
    detections (in the truth's labels): a detection then matches, is excused by or calls
    only a record of its own person. A record with ``person`` None (a camera shake, a light
    step) belongs to everyone.
    """

    def scored(t: dict) -> bool:
        return bool(t.get("visible", True)) and (include is None or bool(include(t)))

    def near(t: dict, di: int) -> bool:
        """Detection ``di`` is close enough in time to record ``t`` and about the same person."""
        who = t.get("person")
        same = who is None or _get(detected[di], "person") == who
        return same and abs(onset[di] - t["onset_s"]) <= tolerance_s + 1e-9

    jerk_idx = [i for i, t in enumerate(truth) if _get(t, "kind") == "jerk"]
    real = [i for i in jerk_idx if scored(truth[i])]
    unscored = [i for i in jerk_idx if not scored(truth[i])]
    found = [i for i, d in enumerate(detected) if _get(d, "kind") == "jerk"]
    onset = {i: float(_get(detected[i], "onset_s")) for i in found}
    pairs = sorted(
        (abs(onset[di] - truth[ti]["onset_s"]), ti, di)
        for ti in real
        for di in found
        if near(truth[ti], di)
    )
    used_t: set[int] = set()
    used_d: set[int] = set()
    matches = []
    for _, ti, di in pairs:
        if ti in used_t or di in used_d:
            continue
        used_t.add(ti)
        used_d.add(di)
        matches.append((ti, di))
    matches.sort()
    excused = {di for di in found if di not in used_d and any(near(truth[h], di) for h in unscored)}
    false = [di for di in found if di not in used_d and di not in excused]
    errors_s, errors_f = [], []
    primary = distribution = 0
    for ti, di in matches:
        t, d = truth[ti], detected[di]
        errors_s.append(onset[di] - t["onset_s"])
        if "onset_frame" in t and _get(d, "onset_frame") is not None:
            errors_f.append(int(_get(d, "onset_frame")) - int(t["onset_frame"]))
        elif fps:
            errors_f.append(round(errors_s[-1] * fps))
        primary += _get(d, "primary_region") == t.get("primary_region")
        distribution += _get(d, "distribution") == t.get("distribution")
    distractor_idx = [i for i, t in enumerate(truth) if _get(t, "kind") in DISTRACTOR_KINDS]
    hits = [
        (ti, di)
        for ti in distractor_idx
        for di in false
        if truth[ti]["onset_s"] - tolerance_s - 1e-9
        <= onset[di]
        <= truth[ti].get("offset_s", truth[ti]["onset_s"]) + tolerance_s + 1e-9
        and truth[ti].get("person") in (None, _get(detected[di], "person"))
    ]
    return Comparison(
        true_positives=len(matches),
        false_positives=len(false),
        false_negatives=len(real) - len(matches),
        primary_correct=primary,
        distribution_correct=distribution,
        onset_errors_s=errors_s,
        onset_errors_frames=errors_f,
        matches=matches,
        excused=len(excused),
        missed=[ti for ti in real if ti not in used_t],
        false_detections=false,
        distractors=len(distractor_idx),
        distractors_called=len({ti for ti, _ in hits}),
        distractor_hits=hits,
    )


def proportion_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval (95% at the default ``z``) for ``k`` successes in ``n`` trials.

    A rate on a few dozen jerks moves by points with each one: 58 of 62 (93.5%) fits any
    true rate from 85% to 97%. Wilson's interval, unlike the normal approximation, stays
    inside 0-1 and is not empty at 0 or ``n`` of ``n``.
    """
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * float(np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)))
    return (max(0.0, centre - half), min(1.0, centre + half))


def calibration(
    confidences: Sequence[float], correct: Sequence[bool], edges: Sequence[float] | None = None
) -> list[dict]:
    """Reliability table: per confidence bin, how many detections and which fraction of them
    were true. ``edges`` default to 0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1 (the last bin
    includes 1.0)."""
    edges = list(edges) if edges is not None else [0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0]
    conf = np.asarray(confidences, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    rows = []
    for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        last = k == len(edges) - 2
        sel = (conf >= lo) & ((conf <= hi) if last else (conf < hi))
        n = int(sel.sum())
        rows.append(
            {
                "bin": f"{lo:.2f}–{hi:.2f}",
                "detections": n,
                "true": int(ok[sel].sum()),
                "fraction_true": round(float(ok[sel].mean()), 3) if n else None,
                "mean_confidence": round(float(conf[sel].mean()), 3) if n else None,
            }
        )
    return rows
