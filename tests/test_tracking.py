"""Two people in view: stable person slots, and whose jerk it was.

Synthetic tests stack two simulated people into two-slot frames and hand them to the tracker
in a random order on every frame, as MediaPipe does; the end-to-end test builds a two-person
clip from the sample video and runs the real CLI on it.
"""

from __future__ import annotations

import json
import warnings

import cv2
import numpy as np
import pytest
from conftest import SAMPLE
from test_cli import assert_one_line_error, vidmyo

from vidmyo.config import Config, DetectorConfig, PoseConfig
from vidmyo.errors import UsageError
from vidmyo.events import JerkDetector
from vidmyo.landmarks import FrameLandmarks, LandmarkSeries, LandmarkWriter
from vidmyo.pipeline import detect_series
from vidmyo.results import summarize
from vidmyo.simulate import Scenario, Scripted, simulate
from vidmyo.sources import VideoInfo
from vidmyo.tracking import PersonTracker, rank_persons, track_series

FPS = 30.0
LEFT = dict(center=(170.0, 260.0), torso_px=120.0, seed=1)
RIGHT = dict(center=(470.0, 250.0), torso_px=100.0, seed=2)


def model_order(a, b, seed=0, swap=0.5, b_absent=(), a_absent=()):
    """Frames of two simulated people as the pose model reports them: both in one frame, in a
    random order (``swap`` of the frames have b first), a person absent from the frames in
    its ``*_absent`` ranges (seconds). Returns the frames and, per frame, the raw index of a
    and of b (-1 where absent)."""
    rng = np.random.default_rng(seed)
    frames, where = [], []
    for fa, fb in zip(a, b, strict=True):
        people = []
        if not any(lo <= fa.t < hi for lo, hi in a_absent):
            people.append(("a", fa))
        if not any(lo <= fb.t < hi for lo, hi in b_absent):
            people.append(("b", fb))
        if rng.random() < swap:
            people.reverse()
        xy = np.full((2, 33, 2), np.nan, np.float32)
        vis = np.zeros((2, 33), np.float32)
        present = np.zeros(2, bool)
        for k, (_, f) in enumerate(people):  # the model fills its first outputs
            xy[k], vis[k], present[k] = f.xy[0], f.visibility[0], f.present[0]
        names = [n for n, _ in people]
        where.append(tuple(names.index(n) if n in names else -1 for n in ("a", "b")))
        frames.append(
            FrameLandmarks(fa.index, fa.t, xy, vis, present, fa.brightness, fa.shift.copy())
        )
    return frames, where


def tracked(frames, tracker=None):
    tracker = tracker or PersonTracker(2)
    out = []
    for f in frames:
        xy, vis, present = tracker(f.xy, f.visibility, f.present)
        out.append(FrameLandmarks(f.index, f.t, xy, vis, present, f.brightness, f.shift))
    return out


def slot_of(frame, x_centre):
    """The slot whose torso lies near the image column ``x_centre``, or None."""
    for s in np.flatnonzero(frame.present):
        if abs(np.mean(frame.xy[s, [11, 12, 23, 24], 0]) - x_centre) < 80:
            return int(s)
    return None


def test_each_slot_stays_one_person_whatever_the_model_order():
    a, _ = simulate(Scenario(duration_s=20, **LEFT))
    b, _ = simulate(Scenario(duration_s=20, **RIGHT))
    # b comes into view after a second: a is the first person found, slot 0
    frames, where = model_order(a, b, b_absent=[(0.0, 1.0)])
    swapped = sum(w == (1, 0) for w in where)
    assert swapped > 200  # the model's order really changes, often
    out = tracked(frames)
    assert {slot_of(f, 170) for f in out} == {0}
    assert {slot_of(f, 470) for f in out[30:]} == {1}
    assert not any(f.present[1] for f in out[:30])


def test_a_person_lost_for_seconds_gets_their_old_slot_back():
    a, _ = simulate(Scenario(duration_s=20, **LEFT))
    b, _ = simulate(Scenario(duration_s=20, **RIGHT))
    frames, where = model_order(
        a, b, seed=3, b_absent=[(0.0, 0.5), (6.0, 10.0)], a_absent=[(12.0, 14.5)]
    )
    assert sum(w == (-1, 0) for w in where) > 50  # while a is lost, b is the model's first pose
    out = tracked(frames)
    for f in out:
        assert slot_of(f, 170) in (0, None) and slot_of(f, 470) in (1, None)
    assert slot_of(out[int(11 * FPS)], 470) == 1 and slot_of(out[int(15 * FPS)], 170) == 0
    assert not out[int(8 * FPS)].present[1] and not out[int(13 * FPS)].present[0]


def test_one_person_found_twice_fills_one_slot():
    """MediaPipe sometimes places two poses on one person: the duplicate must not become a
    second person, and a real second person arriving later still gets the free slot."""
    a, _ = simulate(Scenario(duration_s=10, **LEFT))
    b, _ = simulate(Scenario(duration_s=10, **RIGHT))
    rng = np.random.default_rng(5)
    tracker = PersonTracker(2)
    for fa, fb in zip(a, b, strict=True):
        if fa.t < 5.0:  # a twice: a copy nudged by a few pixels, a little less visible
            xy = np.stack([fa.xy[0], fa.xy[0] + rng.normal(0, 3.0, (33, 2))]).astype(np.float32)
            vis = np.stack([fa.visibility[0], fa.visibility[0] - 0.1])
        else:
            xy = np.concatenate([fa.xy, fb.xy])
            vis = np.concatenate([fa.visibility, fb.visibility])
        order = rng.permutation(2)
        out_xy, _, present = tracker(xy[order], vis[order], np.ones(2, bool))
        if fa.t < 5.0:
            assert present.tolist() == [True, False]
            np.testing.assert_array_equal(out_xy[0], fa.xy[0])  # the better seen pose
        else:
            assert present.tolist() == [True, True]
            np.testing.assert_array_equal(out_xy[1], fb.xy[0])
    assert tracker.duplicates == int(5.0 * FPS)


def test_jerk_of_the_second_person_is_theirs_alone():
    a, _ = simulate(Scenario(duration_s=16, **LEFT))
    b, truth = simulate(
        Scenario(duration_s=16, events=[Scripted("jerk", 8.0, ("left_arm",), 0.2)], **RIGHT)
    )
    frames, _ = model_order(a, b, seed=7, b_absent=[(0.0, 0.5)])
    detector = JerkDetector(DetectorConfig(), FPS, (640, 480), persons=2)
    events = []
    for f in tracked(frames):
        events.extend(detector.update(f))
    events.extend(detector.flush())
    assert len(events) == 1, events
    (e,) = events
    assert e.kind == "jerk" and e.person == 1 and e.primary_region == "left_arm"
    assert abs(e.onset_frame - truth[0]["onset_frame"]) <= 1
    assert detector.coverage.pose_frames.tolist() == [len(a), len(a) - 15]


def test_a_partners_jerk_seen_through_the_other_person_is_set_aside():
    """A bed partner's jerk shakes the picture and the neighbour's landmarks a little: the
    neighbour's small trunk "jerk" during the partner's jerk is the partner's, set aside and
    counted; the same small jerk at another time is the neighbour's own. (Sizes as in the
    two-person clips: 0.04-0.05 torso lengths against the partner's 0.18-0.19.)"""
    a, truth_a = simulate(
        Scenario(duration_s=20, events=[Scripted("jerk", 8.0, ("left_arm",), 0.2)], **LEFT)
    )
    small = [Scripted("jerk", 8.1, ("trunk",), 0.07), Scripted("jerk", 14.0, ("trunk",), 0.07)]
    b, truth_b = simulate(Scenario(duration_s=20, events=small, **RIGHT))
    frames, _ = model_order(a, b, seed=3)

    frames = tracked(frames)
    slot_a = slot_of(frames[100], LEFT["center"][0])
    slot_b = 1 - slot_a

    def detect(config):
        detector = JerkDetector(config, FPS, (640, 480), persons=2)
        events = []
        for f in frames:
            events.extend(detector.update(f))
        events.extend(detector.flush())
        return [(e.person, e.onset_frame) for e in events if e.kind == "jerk"], detector

    kept, detector = detect(DetectorConfig())
    assert [p for p, _ in kept] == [slot_a, slot_b]
    assert abs(kept[0][1] - truth_a[0]["onset_frame"]) <= 1
    assert abs(kept[1][1] - truth_b[1]["onset_frame"]) <= 1  # the neighbour's own jerk
    assert detector.coverage.seen_through[slot_b] == 1
    assert detector.coverage.seen_through[slot_a] == 0
    assert summarize([], detector.coverage, 20.0)["partner_jerks_set_aside"] == 1
    every, _ = detect(DetectorConfig(partner_share=0.0))  # without the rule, three jerks
    assert [p for p, _ in every] == [slot_a, slot_b, slot_b]


def series_of(frames, persons=2):
    return LandmarkSeries.from_frames(frames, {"video": {}}, persons)


def test_person_0_is_the_one_in_view_longest():
    """The contract numbers people by time in view: a partner who comes to bed later but
    stays the whole night is person 0 in events.json, and their landmarks are slot 0."""
    a, _ = simulate(Scenario(duration_s=20, **LEFT))
    b, _ = simulate(
        Scenario(duration_s=20, events=[Scripted("jerk", 9.0, ("right_leg",), 0.2)], **RIGHT)
    )
    frames, _ = model_order(a, b, seed=9, swap=0.0, a_absent=[(4.0, 20.0)], b_absent=[(0, 2)])
    series = series_of(tracked(frames))
    assert series.present.sum(axis=0).tolist() == [120, 540]  # a found first, b longer
    assert rank_persons(series.present.sum(axis=0)).tolist() == [1, 0]
    info = VideoInfo("x.mp4", FPS, len(series), 20.0, 640, 480)
    analysis = detect_series(series, Config(), info)
    assert [(e.kind, e.person, e.primary_region) for e in analysis.events] == [
        ("jerk", 0, "right_leg")
    ]
    summary = analysis.summary()
    assert summary["by_person"] == {"0": 1, "1": 0}
    people = summary["persons"]
    assert [p["pose_coverage"] for p in people] == [pytest.approx(540 / 600), 0.2]
    assert [p["jerk_count"] for p in people] == [1, 0]


def test_landmark_writer_renumbers_the_slots(tmp_path):
    a, _ = simulate(Scenario(duration_s=2, **LEFT))
    b, _ = simulate(Scenario(duration_s=2, **RIGHT))
    frames, _ = model_order(a, b, swap=0.0)
    with LandmarkWriter(tmp_path / "l.npz", persons=2) as writer:
        for f in frames:
            writer.append(f)
        writer.person_order = np.array([1, 0])
    loaded = LandmarkSeries.load(tmp_path / "l.npz")
    original = series_of(frames)
    np.testing.assert_array_equal(loaded.xy, original.xy[:, ::-1])
    np.testing.assert_array_equal(loaded.present, original.present[:, ::-1])
    np.testing.assert_array_equal(loaded.t, original.t)


def test_tracking_a_joined_series_makes_chunks_agree():
    """Batch chunks are tracked separately, each numbering people in its own order of
    appearance; tracking the joined series again puts each person in one slot throughout."""
    a, _ = simulate(Scenario(duration_s=12, **LEFT))
    b, _ = simulate(Scenario(duration_s=12, **RIGHT))
    frames, _ = model_order(a, b, seed=11, b_absent=[(0.0, 0.5)])
    first = series_of(tracked(frames[:180]))
    second = series_of(tracked(frames[180:]))
    if slot_of(next(second.frames()), 170) == 0:
        second = second.with_persons(np.array([1, 0]))  # as if b had been found first there
    joined = LandmarkSeries.concat([first, second])
    slots = [slot_of(f, 170) for f in joined.frames()]
    assert set(slots[:180]) == {0} and set(slots[180:]) == {1}
    # The picture's readings carry their person's mark (where the person is) and must
    # follow the person to the new slot.
    with warnings.catch_warnings():  # an absent person's slot has no mark
        warnings.simplefilter("ignore", RuntimeWarning)
        mark = np.nanmean(joined.xy[..., 0], axis=2)
    joined.changed_pixels[:] = mark[..., None]
    joined.lighter_pixels[:] = mark[..., None]
    joined.flow[:] = mark[..., None, None]
    fixed = track_series(joined, PoseConfig(persons=2))
    assert {slot_of(f, 170) for f in fixed.frames()} == {0}
    assert {slot_of(f, 470) for f in list(fixed.frames())[15:]} == {1}  # b from 0.5 s on
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mark = np.nanmean(fixed.xy[..., 0], axis=2)
    seen = fixed.present
    for name in ("changed_pixels", "lighter_pixels", "flow"):
        got = getattr(fixed, name).reshape(*seen.shape, -1)
        assert np.allclose(got[seen], mark[seen][:, None]), name


@pytest.mark.parametrize("persons", [0, 5, 1.5])
def test_persons_must_be_1_to_4(persons):
    with pytest.raises(UsageError, match="--persons"):
        Config(pose=PoseConfig(persons=persons))


def test_cli_rejects_a_bad_persons_count(tmp_path):
    assert_one_line_error(vidmyo("analyze", tmp_path / "x.mp4", "--persons", "7"), 2, "--persons")


# -- the real model on a two-person clip ------------------------------------------------------
SHIFT_S = 17.5
"""The right-hand copy of the sample runs this far ahead of the left one, so the two people's
jerks interleave: left at 2.3, 6.7 and 10.5 s, right at 4.6 and 8.3 s."""
CLIP_S = 13.0


def two_person_clip(path):
    """The sample's person twice, side by side in one 640x480 picture: the middle half of
    each frame (where the person stands), the right copy ``SHIFT_S`` ahead."""

    def frames(start_s):
        cap = cv2.VideoCapture(str(SAMPLE))
        cap.set(cv2.CAP_PROP_POS_FRAMES, round(start_s * FPS))
        for _ in range(int(CLIP_S * FPS)):
            ok, image = cap.read()
            assert ok
            yield image[:, 160:480]
        cap.release()

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (640, 480))
    for left, right in zip(frames(0.0), frames(SHIFT_S), strict=True):
        writer.write(np.hstack([left, right]))
    writer.release()
    return path


def test_two_people_on_video_each_jerk_is_attributed(tmp_path, sample_truth):
    clip = two_person_clip(tmp_path / "two.mp4")
    out = tmp_path / "out"
    result = vidmyo("analyze", clip, "--persons", "2", "--out", out, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    truth = [t for t in sample_truth["events"] if t["kind"] == "jerk"]
    shift = round(SHIFT_S * FPS)
    last = int(CLIP_S * FPS) - 15
    expected = [("left", t["onset_frame"], t) for t in truth if t["onset_frame"] < last] + [
        ("right", t["onset_frame"] - shift, t) for t in truth if 0 < t["onset_frame"] - shift < last
    ]
    assert sorted(side for side, _, _ in expected) == ["left"] * 3 + ["right"] * 2
    found = [e for e in doc["events"] if e["kind"] == "jerk"]
    assert len(found) == len(expected), found
    person = {}
    for side, onset, t in expected:
        (e,) = [e for e in found if abs(e["onset_frame"] - onset) <= 2]
        assert set(e["regions"]) == set(t["regions"]), (e, t)
        person.setdefault(side, set()).add(e["person"])
    assert len(person["left"]) == 1 and len(person["right"]) == 1
    assert person["left"] != person["right"]
    # the numbers name the landmarks: each person's slot in landmarks.npz is on their side
    series = LandmarkSeries.load(out / "landmarks.npz")
    (left,), (right,) = person["left"], person["right"]
    assert np.nanmedian(series.xy[:, left, [11, 12, 23, 24], 0]) < 320
    assert np.nanmedian(series.xy[:, right, [11, 12, 23, 24], 0]) > 320
    summary = doc["summary"]
    assert [p["pose_coverage"] for p in summary["persons"]] == [pytest.approx(1.0, abs=0.02)] * 2
    assert summary["by_person"] == {str(left): 3, str(right): 2}
    # detect reads the two slots from the file and gives the same events
    again = vidmyo("detect", out / "landmarks.npz", "--out", tmp_path / "again", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["events"] == doc["events"]
