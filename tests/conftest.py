"""Shared fixtures: synthetic recordings (no model needed) and the sample clip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vidmyo.config import DetectorConfig
from vidmyo.events import detect_events
from vidmyo.simulate import Scenario, simulate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_videos" / "sample_jerks.mp4"
SAMPLE_TRUTH = ROOT / "sample_videos" / "sample_jerks.truth.json"


def run_scenario(scenario: Scenario, config: DetectorConfig | None = None):
    """Simulate a scenario and detect on it: (events, truth, coverage)."""
    frames, truth = simulate(scenario)
    events, coverage = detect_events(
        frames, config or DetectorConfig(), scenario.fps, scenario.frame_size
    )
    return events, truth, coverage


@pytest.fixture(scope="session")
def sample_truth() -> dict:
    return json.loads(SAMPLE_TRUTH.read_text())
