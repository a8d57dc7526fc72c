"""compare_events and friends on small hand-made cases."""

from __future__ import annotations

import pytest

from vidmyo.evaluate import Comparison, calibration, compare_events, proportion_interval
from vidmyo.results import Event


def truth_jerk(onset_s, region="left_arm", distribution="focal", fps=30.0, **extra):
    frame = round(onset_s * fps)
    rec = {
        "kind": "jerk",
        "onset_s": frame / fps,
        "offset_s": frame / fps + 0.3,
        "onset_frame": frame,
        "primary_region": region,
        "regions": [region],
        "distribution": distribution,
        "amplitude": 0.1,
    }
    rec.update(extra)
    return rec


def det(onset_s, kind="jerk", fps=30.0, region="left_arm", distribution="focal", **extra):
    frame = round(onset_s * fps)
    return {
        "kind": kind,
        "onset_s": frame / fps,
        "onset_frame": frame,
        "primary_region": region,
        "distribution": distribution,
        "confidence": extra.pop("confidence", 0.9),
        **extra,
    }


def test_one_to_one_closest_pairs_first():
    truth = [truth_jerk(10.0), truth_jerk(10.3)]
    # Detection at 10.2 is 0.1 from the second jerk and 0.2 from the first: it goes to the
    # second, so the one at 10.033 takes the first, and the third detection is false.
    found = [det(10.2), det(10.0333), det(10.1)]
    c = compare_events(found, truth)
    assert (c.true_positives, c.false_positives, c.false_negatives) == (2, 1, 0)
    assert c.matches == [(0, 1), (1, 0)]
    assert c.false_detections == [2]
    # Two detections of one jerk: one true, one false.
    c = compare_events([det(5.0), det(5.1)], [truth_jerk(5.0)])
    assert (c.true_positives, c.false_positives) == (1, 1)
    assert c.precision == 0.5 and c.recall == 1.0


def test_tolerance_edge():
    truth = [truth_jerk(3.0)]
    assert compare_events([det(3.2)], truth).true_positives == 1
    assert compare_events([det(2.8)], truth).true_positives == 1
    c = compare_events([det(3.2334)], truth)
    assert (c.true_positives, c.false_positives, c.false_negatives) == (0, 1, 1)
    assert c.missed == [0]
    assert compare_events([det(3.1)], truth, tolerance_s=0.05).true_positives == 0


def test_hidden_truth_jerks_are_excused_both_ways():
    truth = [truth_jerk(4.0, visible=False), truth_jerk(8.0)]
    c = compare_events([det(4.05), det(8.0)], truth)
    assert (c.true_positives, c.false_positives, c.false_negatives, c.excused) == (1, 0, 0, 1)
    # Missing the hidden one costs nothing either.
    c = compare_events([det(8.0)], truth)
    assert (c.true_positives, c.false_negatives) == (1, 0)
    assert c.recall == 1.0


def test_include_scores_one_class_only():
    truth = [truth_jerk(2.0, amplitude=0.02), truth_jerk(6.0, amplitude=0.2)]
    big = compare_events([det(2.0), det(6.0)], truth, include=lambda t: t["amplitude"] >= 0.05)
    assert (big.true_positives, big.false_positives, big.false_negatives) == (1, 0, 0)
    assert big.excused == 1


def test_onset_errors_in_frames_and_seconds():
    truth = [truth_jerk(1.0), truth_jerk(5.0), truth_jerk(9.0)]
    found = [det(1.0 + 2 / 30), det(5.0 - 1 / 30), det(9.0)]
    c = compare_events(found, truth)
    assert c.onset_errors_frames == [2, -1, 0]
    assert c.onset_errors_s == pytest.approx([2 / 30, -1 / 30, 0.0])
    s = c.summary()
    assert s["onset_error_median_frames"] == 1.0
    assert s["onset_error_median_ms"] == pytest.approx(33.3, abs=0.1)
    # Without frame numbers, frames come from the times and fps.
    bare = [{k: v for k, v in d.items() if k != "onset_frame"} for d in found]
    assert compare_events(bare, truth, fps=30.0).onset_errors_frames == [2, -1, 0]


def test_region_and_distribution_agreement():
    truth = [truth_jerk(1.0, "head"), truth_jerk(5.0, "left_leg", "multifocal")]
    found = [det(1.0, region="head", distribution="multifocal"), det(5.0, region="right_leg")]
    c = compare_events(found, truth)
    assert (c.primary_correct, c.distribution_correct) == (1, 0)


def test_distractors_called_jerks():
    truth = [
        {"kind": "movement", "onset_s": 2.0, "offset_s": 5.0},
        {"kind": "tremor", "onset_s": 8.0, "offset_s": 11.0},
        {"kind": "light_change", "onset_s": 14.0, "offset_s": 14.033},
        {"kind": "camera_shake", "onset_s": 20.0, "offset_s": 20.5},
        truth_jerk(25.0),
    ]
    found = [
        det(5.15),  # within the movement's span + 0.2 s
        det(14.25),  # just outside the light change's window
        det(19.85, kind="camera_shake"),  # not a jerk: never counted
        det(25.0),  # a true jerk
        det(12.0, kind="tremor"),
    ]
    c = compare_events(found, truth)
    assert c.distractors == 4
    assert c.distractors_called == 1
    assert c.distractor_hits == [(0, 0)]
    assert (c.true_positives, c.false_positives) == (1, 2)
    # A true jerk inside a distractor's span is not blamed on the distractor.
    c = compare_events([det(9.0)], [truth[1], truth_jerk(9.0)])
    assert c.distractors_called == 0 and c.true_positives == 1


def test_with_two_people_a_jerk_is_matched_only_to_its_own_person():
    truth = [
        truth_jerk(4.0, person="left"),
        truth_jerk(9.0, person="right", visible=False),  # under the blanket
        {"kind": "movement", "onset_s": 12.0, "offset_s": 14.0, "person": "left"},
        {"kind": "camera_shake", "onset_s": 18.0, "offset_s": 18.5, "person": None},
    ]
    # The left person's jerk reported as the right person's: one false, one missed.
    c = compare_events([det(4.0, person="right")], truth)
    assert (c.true_positives, c.false_positives, c.false_negatives) == (0, 1, 1)
    c = compare_events([det(4.0, person="left")], truth)
    assert (c.true_positives, c.false_positives, c.false_negatives) == (1, 0, 0)
    # The hidden jerk excuses its own person's detection only.
    assert compare_events([det(9.0, person="right")], truth).excused == 1
    c = compare_events([det(9.0, person="left")], truth)
    assert (c.excused, c.false_positives) == (0, 1)
    # A person's slow movement is called a jerk only by a jerk of theirs; a camera shake
    # by anyone's.
    assert compare_events([det(13.0, person="right")], truth).distractors_called == 0
    assert compare_events([det(13.0, person="left")], truth).distractors_called == 1
    assert compare_events([det(18.1, person="right")], truth).distractors_called == 1


def test_event_objects_and_empty_inputs():
    e = Event("jerk", 3.0, 3.3, 3.1, ["head"], "head", "focal", 1.0, 0.1, 0.8, onset_frame=90)
    c = compare_events([e], [truth_jerk(3.0, region="head")])
    assert c.true_positives == 1 and c.onset_errors_frames == [0] and c.primary_correct == 1
    c = compare_events([], [])
    assert (c.precision, c.recall) == (1.0, 1.0)
    assert c.summary()["onset_error_median_frames"] is None


def test_combine_adds_up():
    a = compare_events([det(1.0), det(3.0)], [truth_jerk(1.0)])
    b = compare_events([], [truth_jerk(1.0), {"kind": "turn", "onset_s": 4, "offset_s": 6}])
    total = Comparison.combine([a, b])
    assert (total.true_positives, total.false_positives, total.false_negatives) == (1, 1, 1)
    assert total.distractors == 1 and total.onset_errors_frames == [0]


def test_calibration_bins():
    rows = calibration([0.55, 0.58, 0.97, 1.0, 0.2], [False, True, True, True, False])
    by_bin = {r["bin"]: r for r in rows}
    assert by_bin["0.50–0.60"]["detections"] == 2
    assert by_bin["0.50–0.60"]["fraction_true"] == 0.5
    assert by_bin["0.95–1.00"]["detections"] == 2  # 1.0 falls in the last bin
    assert by_bin["0.00–0.50"]["fraction_true"] == 0.0
    assert by_bin["0.90–0.95"]["fraction_true"] is None


def test_proportion_interval_is_wilsons():
    # Values from Wilson's formula by hand (z = 1.96).
    assert proportion_interval(50, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert proportion_interval(58, 62) == pytest.approx((0.8455, 0.9746), abs=1e-4)
    # All or none right: the interval stays inside 0-1 and still has width.
    assert proportion_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert proportion_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    # More jerks, narrower interval around the same rate.
    few, many = proportion_interval(19, 20), proportion_interval(950, 1000)
    assert few[0] < many[0] < 0.95 < many[1] < few[1]
    assert proportion_interval(0, 0) == (0.0, 1.0)
