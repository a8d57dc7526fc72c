"""The live loop with stand-ins for the camera and the pose model: events, states, gaps, clips.

The end-to-end tests with the real model and the real command are in test_monitor_cli.py.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from vidmyo.cli import _monitor_summary
from vidmyo.config import Config, DetectorConfig, MonitorConfig
from vidmyo.events import detect_events
from vidmyo.landmarks import MIRROR
from vidmyo.monitor import Monitor, MonitorResult
from vidmyo.simulate import Scenario, Scripted, simulate
from vidmyo.simulate_live import SeriesObserver, SyntheticCamera
from vidmyo.store import Store

FPS = 30.0
FAST_RETRY = {"retry_first_s": 0.01, "retry_max_s": 0.04}


def scenario(duration_s=24.0, dropout=None):
    events = [Scripted("jerk", 6.0, ("left_arm",), 0.15), Scripted("jerk", 14.0, ("head",), 0.12)]
    if dropout:
        events.append(Scripted("dropout", dropout[0], (), 0, dropout[1]))
    return simulate(Scenario(duration_s=duration_s, events=events, seed=3))


def run_monitor(tmp_path, camera, series, *, clips=False, monitor=None, **kwargs):
    rows = []
    with Store(tmp_path / "m.db") as store:
        mon = Monitor(
            camera,
            store,
            Config(),
            monitor or MonitorConfig(**FAST_RETRY),
            clips_dir=tmp_path / "clips" if clips else None,
            observer_factory=lambda config, fps: SeriesObserver(series),
            on_event=rows.append,
            **kwargs,
        )
        result = mon.run()
    with Store(tmp_path / "m.db", readonly=True) as store:
        db = {"sessions": store.sessions(), "events": store.events(), "states": store.states()}
    return result, rows, db


def test_events_states_and_session_are_recorded(tmp_path):
    series, _ = scenario(dropout=(18.0, 3.0))
    camera = SyntheticCamera(series, len(series), FPS, live=False)
    result, rows, db = run_monitor(tmp_path, camera, series)

    offline, _ = detect_events(series, DetectorConfig(), FPS, (640, 480))
    got = [(e["kind"], e["onset_s"], e["offset_s"], e["regions"]) for e in db["events"]]
    want = [(e.kind, e.to_dict()["onset_s"], e.to_dict()["offset_s"], e.regions) for e in offline]
    assert got == want and [g[0] for g in got].count("jerk") == 2
    assert [r["id"] for r in rows] == [e["id"] for e in db["events"]]

    (session,) = db["sessions"]
    assert session["ended_at"] and session["end_reason"] == "end of file"
    assert session["frames"] == len(series) and session["frames_dropped"] == 0
    assert session["settings"]["monitor"]["pre_s"] == 3.0
    assert session["jerks"] == 2 and session["no_pose_s"] == pytest.approx(3.0, abs=0.1)
    (absent,) = [s for s in db["states"] if s["kind"] == "no_pose"]
    assert absent["start_s"] == pytest.approx(18.0, abs=0.05)
    assert absent["end_s"] == pytest.approx(21.0, abs=0.05)
    assert result.by_kind["jerk"] == 2


def test_a_lost_camera_is_retried_and_the_gap_recorded(tmp_path):
    series, _ = scenario()
    notes = []
    camera = SyntheticCamera(series, len(series), FPS, fail_at=(240,), refuse_opens=3,
                             gap_frames=90)  # fmt: skip
    result, _, db = run_monitor(tmp_path, camera, series, notify=notes.append)

    (gap,) = [s for s in db["states"] if s["kind"] == "source_gap"]
    assert gap["start_s"] == pytest.approx(240 / FPS, abs=0.05)
    assert gap["end_s"] == pytest.approx((241 + 90) / FPS, abs=0.05)
    assert "stopped delivering" in gap["reason"]
    assert camera.opens == 1 + 3 + 1  # first open, three refusals, then back
    assert result.gaps == 1 and result.end_reason == "end of file"
    # The session went on after the gap: the jerk at 14 s (after it) was recorded.
    assert [e["primary_region"] for e in db["events"] if e["kind"] == "jerk"] == [
        "left_arm",
        "head",
    ]
    assert any("reconnecting" in n for n in notes) and any("is back" in n for n in notes)


def test_missing_camera_at_start_fails_after_retries(tmp_path):
    from vidmyo.errors import InputError

    series, _ = scenario(duration_s=2)
    camera = SyntheticCamera(series, 10, FPS)
    camera._lost, camera.refuse_opens = True, 99
    with Store(tmp_path / "m.db") as store, pytest.raises(InputError, match="not there"):
        Monitor(camera, store, Config(), MonitorConfig(start_attempts=3, **FAST_RETRY),
                observer_factory=lambda c, f: SeriesObserver(series)).run()  # fmt: skip
    assert camera.opens == 3
    with Store(tmp_path / "m.db", readonly=True) as store:
        assert store.sessions() == []  # nothing started, nothing recorded


def test_stop_request_ends_the_session_cleanly(tmp_path):
    series, _ = scenario()
    camera = SyntheticCamera(series, 10**9, FPS)  # endless
    with Store(tmp_path / "m.db") as store:
        mon = Monitor(camera, store, Config(), MonitorConfig(),
                      observer_factory=lambda c, f: SeriesObserver(series))  # fmt: skip
        threading.Timer(1.0, mon.request_stop, args=("SIGTERM",)).start()
        result = mon.run()
    assert result.end_reason == "SIGTERM" and result.frames > 30
    with Store(tmp_path / "m.db", readonly=True) as store:
        (session,) = store.sessions()
    assert session["ended_at"] and session["end_reason"] == "SIGTERM"
    assert session["frames"] == result.frames


def test_each_jerk_gets_a_playable_clip_with_pre_and_post_roll(tmp_path):
    series, _ = scenario()
    camera = SyntheticCamera(series, len(series), FPS, live=False)
    _, _, db = run_monitor(tmp_path, camera, series, clips=True)
    jerks = [e for e in db["events"] if e["kind"] == "jerk"]
    assert len(jerks) == 2 and jerks[0]["clip"] != jerks[1]["clip"]  # 8 s apart: two episodes
    for e in jerks:
        cap = cv2.VideoCapture(e["clip"])
        assert cap.isOpened()
        fps = cap.get(cv2.CAP_PROP_FPS)
        frames = 0
        while cap.read()[0]:
            frames += 1
        cap.release()
        expected = 3.0 + (e["offset_s"] - e["onset_s"]) + 5.0
        assert fps == pytest.approx(FPS, rel=0.02)
        assert frames / fps == pytest.approx(expected, abs=2.5 / FPS)
        snapshot = cv2.imread(e["snapshot"])
        assert snapshot is not None and max(snapshot.shape[:2]) == 480
    names = [p.name for p in (tmp_path / "clips").rglob("*")]
    assert not [n for n in names if "partial" in n]


def test_privacy_mode_keeps_landmarks_and_no_image(tmp_path):
    series, _ = scenario()
    camera = SyntheticCamera(series, len(series), FPS, live=False)
    monitor = MonitorConfig(privacy=True)
    _, _, db = run_monitor(tmp_path, camera, series, clips=True, monitor=monitor)
    files = [p for p in (tmp_path / "clips").rglob("*") if p.is_file()]
    assert files and all(p.suffix == ".npz" for p in files)
    jerk = next(e for e in db["events"] if e["kind"] == "jerk")
    assert jerk["clip"].endswith(".npz") and jerk["snapshot"] is None
    with np.load(jerk["clip"]) as data:
        assert data["xy"].shape[1:] == (1, 33, 2)
        assert data["t"][0] == pytest.approx(jerk["onset_s"] - 3.0, abs=0.05)
        assert set(data.files) == {"index", "t", "xy", "visibility", "present", "meta"}


def test_the_ring_buffer_is_bounded_in_seconds(tmp_path):
    from vidmyo.clips import ClipRecorder
    from vidmyo.sources import Frame

    cfg = MonitorConfig(pre_s=2.0, ring_slack_s=1.0)
    recorder = ClipRecorder(tmp_path, 1, cfg, started=0.0, fps=FPS)
    image = np.zeros((240, 320, 3), np.uint8)
    for i in range(300):
        recorder.add_frame(Frame(i, i / FPS, image))
    assert recorder.buffered == pytest.approx(3.0 * FPS, abs=2)
    assert recorder.close() == []


def test_a_person_whose_facing_the_pose_model_could_not_tell_is_a_sides_unsure_state(tmp_path):
    """From 8 to 16 s the pose model names the person's left and right the other way round on
    every third frame, as it did on a face it could not read (``docs/accuracy.md``,
    twenty-sixth pass): the windows of 4 s that cover it are a ``sides_unsure`` state, and
    the windows before and after are not. A shorter session is one window."""
    series, _ = scenario()
    for fl in series:
        if 8.0 <= fl.t < 16.0 and fl.index % 3 == 0:
            fl.xy[0] = fl.xy[0, MIRROR]
            fl.visibility[0] = fl.visibility[0, MIRROR]
    camera = SyntheticCamera(series, len(series), FPS, live=False)
    said = []
    windows = MonitorConfig(facing_window_s=4.0, **FAST_RETRY)
    result, _, db = run_monitor(tmp_path, camera, series, monitor=windows, notify=said.append)
    (unsure,) = [s for s in db["states"] if s["kind"] == "sides_unsure"]
    assert unsure["start_s"] == pytest.approx(8.0, abs=0.1)
    assert unsure["end_s"] == pytest.approx(16.0, abs=0.1)
    assert unsure["reason"].startswith("person 0: the pose model read the other way on 3")
    assert unsure["frames"] == 120
    assert result.sides_unsure == 1
    told = [m for m in said if m.endswith("may be swapped")]
    assert told == [f"since {unsure['start_time'][11:19]}, {unsure['reason']}"]
    assert "sides_unsure states" in _monitor_summary(result, "full")
    # A session shorter than a window is judged whole when it ends (1 frame in 9 read the
    # other way).
    camera = SyntheticCamera(series, len(series), FPS, live=False)
    _, _, db = run_monitor(tmp_path / "short", camera, series)
    (unsure,) = [s for s in db["states"] if s["kind"] == "sides_unsure"]
    assert unsure["start_s"] == 0.0 and unsure["end_s"] == pytest.approx(24.0, abs=0.1)
    assert unsure["reason"].startswith("person 0: the pose model read the other way on 11%")


def test_the_closing_summary_suggests_the_lite_model_only_where_it_was_not_used():
    slow = MonitorResult(1, "cam", frames=700, dropped=300)
    assert _monitor_summary(slow, "full").endswith("slow for the source; try --model lite")
    assert _monitor_summary(slow, "lite").endswith("slow for the source")
