"""Scoring detected events against truth: the function the tests and the benchmark share."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vidmyo.results import Event


@dataclass
class Comparison:
    """Detected jerks matched one to one with truth jerks (onsets within the tolerance,
    closest pairs first).

    ``onset_errors_s`` / ``onset_errors_frames`` are detected minus true onset, for the
    matched pairs. ``primary_correct`` and ``distribution_correct`` count matched pairs that
    agree. ``matches`` holds (truth index, detection index) pairs.
    """

    true_positives: int
    false_positives: int
    false_negatives: int
    primary_correct: int
    distribution_correct: int
    onset_errors_s: list[float] = field(default_factory=list)
    onset_errors_frames: list[int] = field(default_factory=list)
    matches: list[tuple[int, int]] = field(default_factory=list)

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

    def summary(self) -> dict:
        err = np.abs(self.onset_errors_frames) if self.onset_errors_frames else np.zeros(0)
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
            "primary_region_accuracy": round(self.primary_correct / tp, 4) if tp else None,
            "distribution_accuracy": round(self.distribution_correct / tp, 4) if tp else None,
        }


def _get(e, key):
    return e[key] if isinstance(e, dict) else getattr(e, key)


def compare_events(
    detected: list[Event] | list[dict],
    truth: list[dict],
    tolerance_s: float = 0.2,
    fps: float | None = None,
) -> Comparison:
    """Match detected jerks to true jerks.

    Only ``kind == "jerk"`` counts on either side; truth jerks marked ``visible: False`` are
    left out (nobody can be blamed for missing what the camera could not see), and so are
    detections matching them. Onset errors in frames use ``onset_frame`` when both sides have
    it, else the times and ``fps``.
    """
    hidden = [t for t in truth if _get(t, "kind") == "jerk" and not t.get("visible", True)]
    real = [t for t in truth if _get(t, "kind") == "jerk" and t.get("visible", True)]
    found = [d for d in detected if _get(d, "kind") == "jerk"]
    pairs = sorted(
        (abs(_get(d, "onset_s") - t["onset_s"]), ti, di)
        for ti, t in enumerate(real)
        for di, d in enumerate(found)
        if abs(_get(d, "onset_s") - t["onset_s"]) <= tolerance_s
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
    excused = {
        di
        for di, d in enumerate(found)
        if di not in used_d
        and any(abs(_get(d, "onset_s") - h["onset_s"]) <= tolerance_s for h in hidden)
    }
    errors_s, errors_f = [], []
    primary = distribution = 0
    for ti, di in matches:
        t, d = real[ti], found[di]
        errors_s.append(_get(d, "onset_s") - t["onset_s"])
        if "onset_frame" in t and _has(d, "onset_frame"):
            errors_f.append(int(_get(d, "onset_frame")) - int(t["onset_frame"]))
        elif fps:
            errors_f.append(round(errors_s[-1] * fps))
        primary += _get(d, "primary_region") == t.get("primary_region")
        distribution += _get(d, "distribution") == t.get("distribution")
    return Comparison(
        true_positives=len(matches),
        false_positives=len(found) - len(matches) - len(excused),
        false_negatives=len(real) - len(matches),
        primary_correct=primary,
        distribution_correct=distribution,
        onset_errors_s=errors_s,
        onset_errors_frames=errors_f,
        matches=matches,
    )


def _has(e, key) -> bool:
    return key in e if isinstance(e, dict) else hasattr(e, key)
