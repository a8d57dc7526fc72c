"""End to end on the sample clip: the real model, the real CLI, the known truth."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from conftest import SAMPLE
from test_cli import vidmyo

from vidmyo.config import DetectorConfig
from vidmyo.evaluate import compare_events
from vidmyo.landmarks import REGIONS, LandmarkSeries

EVENT_FIELDS = {
    "kind", "onset_s", "offset_s", "peak_s", "regions", "primary_region", "distribution",
    "peak_speed", "amplitude", "confidence", "person",
}  # fmt: skip


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """One analysis of the sample clip in a fresh working directory (default output folder)."""
    cwd = tmp_path_factory.mktemp("work")
    result = vidmyo("analyze", SAMPLE, cwd=cwd)
    assert result.returncode == 0, result.stderr
    out = cwd / "vidmyo-out" / "sample_jerks"
    return result, out, json.loads((out / "events.json").read_text())


def test_outputs_follow_the_contract(analysed):
    _, out, doc = analysed
    assert doc["schema"] == "vidmyo.events/1"
    assert doc["video"]["fps"] == pytest.approx(30.0)
    assert doc["video"]["frame_count"] == 1530
    summary = doc["summary"]
    jerks = [e for e in doc["events"] if e["kind"] == "jerk"]
    assert summary["jerk_count"] == len(jerks)
    assert summary["jerks_per_hour"] == pytest.approx(len(jerks) / (51.0 / 3600), rel=0.01)
    assert sum(summary["by_region"].values()) == len(jerks)
    assert summary["pose_coverage"] > 0.98
    for e in doc["events"]:
        assert set(e) >= EVENT_FIELDS
        assert set(e["regions"]) <= set(REGIONS) and e["primary_region"] in REGIONS
        assert 0.0 <= e["confidence"] <= 1.0
        assert e["onset_s"] <= e["peak_s"] <= e["offset_s"] or e["kind"] != "jerk"
    with open(out / "events.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(doc["events"])
    assert (out / "landmarks.npz").is_file()


def test_finds_every_jerk_at_the_right_frame_and_region(analysed, sample_truth):
    _, _, doc = analysed
    result = compare_events(doc["events"], sample_truth["events"])
    assert result.recall == 1.0, result.summary()
    assert result.precision == 1.0, result.summary()  # no other movement called a jerk
    assert max(abs(e) for e in result.onset_errors_frames) <= 1, result.onset_errors_frames
    assert result.primary_correct == result.true_positives
    assert result.distribution_correct == result.true_positives


def test_other_movements_are_reported_as_what_they_are(analysed, sample_truth):
    _, _, doc = analysed
    raise_ = next(t for t in sample_truth["events"] if t["kind"] == "movement")
    around = [
        e for e in doc["events"] if raise_["onset_s"] - 0.5 <= e["onset_s"] <= raise_["offset_s"]
    ]
    assert around and all(e["kind"] == "movement" for e in around)


def test_the_picture_changed_at_every_jerk_and_rarely_elsewhere(analysed, sample_truth):
    """The motion gate's per-frame, per-region reading, stored with the landmarks, that the
    detector checks jerks against: pixels changed in the jerking region's box within a frame
    or two of every jerk's onset, and no change on most frames of this mostly still clip."""
    _, out, _ = analysed
    series = LandmarkSeries.load(out / "landmarks.npz")
    changed = series.changed_pixels[:, 0] >= DetectorConfig().picture_min_pixels  # (N, 6)
    assert np.isnan(series.changed_pixels[0]).all()
    assert np.isfinite(series.changed_pixels[1:]).all()
    for jerk in (t for t in sample_truth["events"] if t["kind"] == "jerk"):
        near = (series.index >= jerk["onset_frame"] - 1) & (series.index <= jerk["onset_frame"] + 2)
        for region in jerk["regions"]:
            assert changed[near, REGIONS.index(region)].any(), (jerk, region)
    assert 0.02 < changed.any(axis=1).mean() < 0.5


def test_detect_on_saved_landmarks_gives_the_same_events(analysed, tmp_path):
    _, out, doc = analysed
    result = vidmyo("detect", out / "landmarks.npz", "--out", tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    again = json.loads(result.stdout)
    assert again["events"] == doc["events"]
    assert again["summary"]["jerk_count"] == doc["summary"]["jerk_count"]
    assert json.loads((tmp_path / "events.json").read_text())["events"] == doc["events"]


def test_skipping_still_frames_finds_the_same_jerks(analysed, tmp_path):
    """--no-skip runs pose on every frame; skipping must find the same jerks (onsets within
    one frame) while sending fewer frames through the model."""
    _, _, doc = analysed
    result = vidmyo("analyze", SAMPLE, "--end", "12", "--no-skip", "--out", tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    every = json.loads(result.stdout)
    skipped = [e for e in doc["events"] if e["kind"] == "jerk" and e["onset_s"] < 11.5]
    full = [e for e in every["events"] if e["kind"] == "jerk"]
    assert [e["primary_region"] for e in skipped] == [e["primary_region"] for e in full]
    assert all(
        abs(a["onset_frame"] - b["onset_frame"]) <= 1 for a, b in zip(skipped, full, strict=True)
    )
    assert every["summary"]["pose_inference_frames"] == every["summary"]["analysed_frames"]
    assert doc["summary"]["pose_inference_frames"] < doc["summary"]["analysed_frames"]
