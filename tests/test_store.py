"""The monitor database: contract columns, durability settings, reads, older files."""

from __future__ import annotations

import sqlite3

import pytest

from vidmyo.errors import InputError, OutputError
from vidmyo.results import Event
from vidmyo.store import Store, iso, summarize_events

CONTRACT = {
    "events": {"id", "session_id", "kind", "onset_s", "offset_s", "wall_time", "primary_region",
               "regions", "peak_speed", "amplitude", "confidence", "clip"},
    "sessions": {"id", "source", "started_at", "ended_at"},
}  # fmt: skip


def event(onset, kind="jerk", regions=("left_arm",)):
    return Event(kind=kind, onset_s=onset, offset_s=onset + 0.3, peak_s=onset + 0.1,
                 regions=list(regions), primary_region=regions[0], distribution="focal",
                 peak_speed=3.21, amplitude=0.123456, confidence=0.9)  # fmt: skip


def columns(path, table):
    with sqlite3.connect(path) as db:
        return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def test_schema_has_the_contract_columns_and_is_durable(tmp_path):
    path = tmp_path / "night.db"
    Store(path).close()
    for table, needed in CONTRACT.items():
        assert needed <= columns(path, table)
    assert {"frames", "frames_dropped", "model", "settings", "hostname"} <= columns(
        path, "sessions"
    )
    assert {"kind", "start_s", "end_s", "reason"} <= columns(path, "states")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store = Store(path)
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.close()


def test_rows_round_trip(tmp_path):
    path = tmp_path / "night.db"
    with Store(path) as store:
        sid = store.start_session("camera 0", 1_700_000_000.0, {"monitor": {"pre_s": 3}}, "lite")
        first = store.add_event(sid, event(12.5), iso(1_700_000_012.5), 1_700_000_013.3, 0.52)
        store.add_event(
            sid, event(40.0, "movement", ("trunk", "head")), iso(1_700_000_040), 0, None
        )
        store.set_clip([first], "/clips/a.mp4", {first: "/clips/a_peak.jpg"})
        gap = store.open_state(sid, "source_gap", 20.0, iso(1_700_000_020), "camera lost")
        store.update_state(gap, end_s=24.0, end_time=iso(1_700_000_024))
        store.update_session(sid, ended_at=iso(1_700_000_060), frames=1800, duration_s=60.0)
    with Store(path, readonly=True) as store:
        (session,) = store.sessions()
        jerks = store.events(sid, kind="jerk")
        (state,) = store.states(sid)
    assert session["events"] == 2 and session["jerks"] == 1 and session["gaps"] == 1
    assert session["settings"] == {"monitor": {"pre_s": 3}} and session["hostname"]
    (e,) = jerks
    assert e["regions"] == ["left_arm"] and e["amplitude"] == 0.123  # rounded as events.json
    assert e["clip"] == "/clips/a.mp4" and e["snapshot"] == "/clips/a_peak.jpg"
    assert e["latency_s"] == 0.52 and e["wall_time"].startswith(iso(1_700_000_012.5)[:19])
    assert e["evidence"] == "landmarks"
    assert state["kind"] == "source_gap" and state["end_s"] == 24.0
    with sqlite3.connect(path) as db:  # the gaps view, for tools that look for "gaps"
        assert db.execute("SELECT start_s, end_s, reason FROM gaps").fetchall() == [
            (20.0, 24.0, "camera lost")
        ]


def test_summary_counts_per_hour_and_region():
    rows = [
        {"kind": "jerk", "wall_time": "2025-03-01T23:10:00+01:00", "primary_region": "left_arm",
         "regions": ["left_arm"], "distribution": "focal"},
        {"kind": "jerk", "wall_time": "2025-03-01T23:50:00+01:00", "primary_region": "head",
         "regions": ["head", "trunk"], "distribution": "multifocal"},
        {"kind": "jerk", "wall_time": "2025-03-02T00:05:00+01:00", "primary_region": "left_arm",
         "regions": ["left_arm"], "distribution": "focal"},
        {"kind": "movement", "wall_time": "2025-03-02T00:06:00+01:00", "primary_region": "trunk",
         "regions": ["trunk"], "distribution": "focal"},
    ]  # fmt: skip
    s = summarize_events(rows)
    assert s["jerks_per_hour"] == {"2025-03-01T23:00": 2, "2025-03-02T00:00": 1}
    assert s["by_region"] == {"left_arm": 2, "head": 1}
    assert s["by_region_involved"]["trunk"] == 1
    assert s["by_kind"] == {"jerk": 3, "movement": 1}


def test_missing_foreign_and_older_databases(tmp_path):
    with pytest.raises(InputError, match="no such database"):
        Store(tmp_path / "none.db", readonly=True)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(OutputError, match="not a usable SQLite database"):
        Store(junk)
    with pytest.raises(InputError, match="not a usable SQLite database"):
        Store(junk, readonly=True)
    # A database from an earlier version (contract columns only) is extended, not refused.
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as db:
        db.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, source TEXT, "
                   "started_at TEXT, ended_at TEXT)")  # fmt: skip
        db.execute("INSERT INTO sessions (source, started_at) VALUES ('camera 0', 'x')")
    with Store(old) as store:
        assert store.sessions()[0]["frames_dropped"] is None
        store.start_session("camera 1", 0.0, {}, "full")
    assert "frames_dropped" in columns(old, "sessions")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("PRAGMA application_id = 12345")
    with pytest.raises(OutputError, match="another application"):
        Store(other)
