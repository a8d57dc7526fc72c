"""``vidmyo monitor``, ``sessions`` and ``events`` end to end: the real model, real processes.

One 12-second cut of the sample clip (jerks at 2.3 s and 6.67 s) is replayed through both
``analyze`` and ``monitor`` with the lite model, which must report the same events.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import cv2
import pytest
from conftest import SAMPLE

CUT_S = 12.0


def vidmyo(*args, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "vidmyo", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env,
    )  # fmt: skip


def start(*args):
    return subprocess.Popen(
        [sys.executable, "-m", "vidmyo", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def one_line_error(result, code, needle):
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vidmyo: error: "), result.stderr
    assert needle in lines[0]


def rows(db_path, sql):
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(sql)]


def wait_for(db_path, sql, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if db_path.exists() and rows(db_path, sql):
                return rows(db_path, sql)
        except sqlite3.OperationalError:  # tables not created yet
            pass
        time.sleep(0.1)
    raise AssertionError(f"nothing for {sql!r} within {timeout} s")


@pytest.fixture(scope="module")
def cut(tmp_path_factory):
    """The first 12 s of the sample clip (jerks at 2.3 s and 6.67 s)."""
    path = tmp_path_factory.mktemp("cut") / "night.mp4"
    cap = cv2.VideoCapture(str(SAMPLE))
    fps = cap.get(cv2.CAP_PROP_FPS)
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for _ in range(int(CUT_S * fps)):
        ok, image = cap.read()
        writer.write(image)
    writer.release()
    cap.release()
    return path


@pytest.fixture(scope="module")
def replayed(cut, tmp_path_factory):
    work = tmp_path_factory.mktemp("replay")
    # monitor's default is --no-skip (see docs/monitor.md); analyze gets the same setting.
    analyzed = vidmyo("analyze", cut, "--model", "lite", "--no-skip", "--out", work / "analyze")
    assert analyzed.returncode == 0, analyzed.stderr
    monitored = vidmyo("monitor", "--source", cut, "--db", work / "night.db", "--clips",
                       work / "clips", "--model", "lite", "--as-fast-as-possible")  # fmt: skip
    assert monitored.returncode == 0, monitored.stderr
    doc = json.loads((work / "analyze" / "events.json").read_text())
    return work, doc, monitored


def test_monitor_reports_the_same_events_as_analyze(replayed):
    work, doc, _ = replayed
    live = rows(work / "night.db", "SELECT * FROM events ORDER BY onset_s")
    keys = ("kind", "onset_s", "offset_s", "peak_s", "primary_region", "distribution",
            "amplitude", "peak_speed", "confidence")  # fmt: skip
    assert [{k: e[k] for k in keys} | {"regions": json.loads(e["regions"])} for e in live] == [
        {k: e[k] for k in keys} | {"regions": e["regions"]} for e in doc["events"]
    ]
    assert sum(e["kind"] == "jerk" for e in live) >= 2
    (session,) = rows(work / "night.db", "SELECT * FROM sessions")
    assert session["end_reason"] == "end of file" and session["ended_at"]
    assert session["frames"] == doc["video"]["frame_count"] and session["frames_dropped"] == 0


def test_monitor_output_and_clips(replayed):
    work, _, monitored = replayed
    err = monitored.stderr
    assert "vidmyo: session 1: recording" in err and "ended: end of file" in err
    assert "Traceback" not in err and " jerk " in err
    clips = {e["clip"] for e in rows(work / "night.db", "SELECT clip FROM events")}
    assert None not in clips
    for clip in clips:
        cap = cv2.VideoCapture(clip)
        ok, image = cap.read()
        assert ok and max(image.shape[:2]) == 480
        cap.release()


def test_sessions_and_events_commands(replayed):
    work, doc, _ = replayed
    db = work / "night.db"
    text = vidmyo("sessions", "--db", db)
    assert text.returncode == 0 and "end of file" in text.stdout and "night.mp4" in text.stdout
    (session,) = json.loads(vidmyo("sessions", "--db", db, "--json").stdout)["sessions"]
    assert session["jerks"] == doc["summary"]["jerk_count"]
    listed = json.loads(vidmyo("events", "--db", db, "--session", "1", "--json").stdout)
    assert len(listed["events"]) == len(doc["events"])
    summary = json.loads(vidmyo("events", "--db", db, "--summary", "--json").stdout)
    assert summary["jerks"] == doc["summary"]["jerk_count"]
    assert summary["by_region"] == doc["summary"]["by_region"]
    assert sum(summary["jerks_per_hour"].values()) == summary["jerks"]
    table = vidmyo("events", "--db", db, "--kind", "jerk").stdout.splitlines()
    assert table[0].split()[:5] == ["id", "session", "time", "onset_s", "kind"]
    assert len(table) == 1 + doc["summary"]["jerk_count"]
    assert "jerks per hour" in vidmyo("events", "--db", db, "--summary").stdout


def test_kill_9_loses_no_committed_event(cut, tmp_path):
    db = tmp_path / "night.db"
    proc = start("monitor", "--source", cut, "--db", db, "--clips", tmp_path / "clips",
                 "--model", "lite")  # fmt: skip
    try:
        seen = wait_for(db, "SELECT * FROM events")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = rows(db, "SELECT * FROM events")
    assert len(after) >= len(seen) and after[: len(seen)] == seen
    (session,) = rows(db, "SELECT * FROM sessions")
    assert session["ended_at"] is None  # killed: no end, but everything committed is there
    listed = vidmyo("sessions", "--db", db)
    assert listed.returncode == 0 and "no end recorded" in listed.stdout
    for clip in (tmp_path / "clips").rglob("*.mp4"):  # never a half-written final name
        if ".partial" not in clip.name:
            assert cv2.VideoCapture(str(clip)).read()[0]


def test_sigterm_ends_the_session_cleanly(cut, tmp_path):
    db = tmp_path / "night.db"
    proc = start("monitor", "--source", cut, "--db", db, "--model", "lite")
    # Signalled once frames are being monitored (the first heartbeat, 5 s in), not after a
    # fixed sleep: on a loaded machine the model may still be loading a second later.
    wait_for(db, "SELECT * FROM sessions WHERE frames > 0")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    (session,) = rows(db, "SELECT * FROM sessions")
    assert session["ended_at"] and session["end_reason"] == "SIGTERM"
    assert 0 < session["duration_s"] < CUT_S and "ended: SIGTERM" in err


def test_usage_and_input_errors(cut, tmp_path):
    db = tmp_path / "x.db"
    one_line_error(vidmyo("monitor", "--source", "9", "--db", db, "--start-attempts", "1"), 3,
                   "camera 9 cannot be opened")  # fmt: skip
    one_line_error(vidmyo("monitor", "--source", tmp_path / "none.mp4", "--db", db), 3,
                   "no such file")  # fmt: skip
    one_line_error(vidmyo("monitor", "--source", "0", "--db", db, "--as-fast-as-possible"), 2,
                   "--as-fast-as-possible")  # fmt: skip
    one_line_error(vidmyo("monitor", "--source", cut, "--db", db, "--webhook", "ftp://x"), 2,
                   "--webhook")  # fmt: skip
    headless = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    one_line_error(vidmyo("monitor", "--source", cut, "--db", db, "--show", env=headless), 2,
                   "needs a display")  # fmt: skip
    one_line_error(vidmyo("sessions", "--db", tmp_path / "none.db"), 3, "no such database")
    assert not db.exists() or rows(db, "SELECT * FROM sessions") == []
