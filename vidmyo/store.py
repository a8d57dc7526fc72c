"""The monitor's database: one SQLite file that outlives any crash.

Tables (the contract's columns first, extras after; later versions only add columns):

``sessions``
    ``id, source, started_at, ended_at`` (ISO 8601, local time with offset; ``ended_at`` stays
    NULL if the process was killed), ``frames`` (processed), ``frames_dropped``,
    ``duration_s`` (seconds of source time monitored), ``model``, ``fps``, ``width``,
    ``height``, ``settings`` (JSON), ``hostname``, ``vidmyo_version``, ``last_seen`` (updated
    every few seconds while running), ``end_reason``.
``events``
    ``id, session_id, kind, onset_s, offset_s`` (seconds since the session started; for a
    video file, its stream time), ``wall_time`` (ISO 8601 of the onset), ``primary_region``,
    ``regions`` (JSON array), ``peak_speed`` (torso lengths/s), ``amplitude`` (torso lengths),
    ``confidence``, ``clip`` (path, NULL until the clip is written or when there is none);
    extras: ``peak_s, duration_s, distribution, person, onset_frame, peak_frame,
    offset_frame, rise_s, return_fraction, snr`` (as in events.json), ``snapshot`` (peak
    frame image), ``detected_at`` (ISO 8601 of the commit), ``latency_s`` (commit time minus
    the time the offset frame was read).
``states``
    Stretches that are not events: ``kind`` is ``no_pose`` (nobody in view, e.g. out of bed),
    ``source_gap`` (camera or stream lost) or ``frames_dropped`` (the machine could not keep
    up; ``frames`` counts them); ``start_s, end_s`` (session seconds), ``start_time,
    end_time`` (ISO 8601), ``reason``. ``end_s`` is NULL while the state lasts. The view
    ``gaps`` lists the source gaps.

Durability: WAL journal, ``synchronous=FULL``, one transaction per event, so a process killed
at any moment (even ``kill -9``) or a power cut loses no committed row and leaves a readable
file. Readers (``vidmyo sessions``/``events``) may open the file while a monitor writes.
"""

from __future__ import annotations

import json
import socket
import sqlite3
from collections import Counter
from datetime import datetime
from pathlib import Path

from vidmyo import __version__
from vidmyo.errors import InputError, OutputError
from vidmyo.results import Event

APPLICATION_ID = 0x766D796F  # "vmyo": marks the file as a vidmyo monitor database
SCHEMA_VERSION = 1

_KEY = "INTEGER PRIMARY KEY AUTOINCREMENT"
TABLES: dict[str, list[tuple[str, str]]] = {
    "sessions": [
        ("id", _KEY), ("source", "TEXT NOT NULL"), ("started_at", "TEXT NOT NULL"),
        ("ended_at", "TEXT"), ("frames", "INTEGER NOT NULL DEFAULT 0"),
        ("frames_dropped", "INTEGER NOT NULL DEFAULT 0"), ("duration_s", "REAL DEFAULT 0"),
        ("model", "TEXT"), ("fps", "REAL"), ("width", "INTEGER"), ("height", "INTEGER"),
        ("settings", "TEXT"), ("hostname", "TEXT"), ("vidmyo_version", "TEXT"),
        ("last_seen", "TEXT"), ("end_reason", "TEXT"),
    ],
    "events": [
        ("id", _KEY), ("session_id", "INTEGER NOT NULL REFERENCES sessions(id)"),
        ("kind", "TEXT NOT NULL"), ("onset_s", "REAL NOT NULL"), ("offset_s", "REAL NOT NULL"),
        ("wall_time", "TEXT NOT NULL"), ("primary_region", "TEXT"), ("regions", "TEXT NOT NULL"),
        ("peak_speed", "REAL"), ("amplitude", "REAL"), ("confidence", "REAL"), ("clip", "TEXT"),
        ("peak_s", "REAL"), ("duration_s", "REAL"), ("distribution", "TEXT"),
        ("person", "INTEGER"), ("onset_frame", "INTEGER"), ("peak_frame", "INTEGER"),
        ("offset_frame", "INTEGER"), ("rise_s", "REAL"), ("return_fraction", "REAL"),
        ("snr", "REAL"), ("snapshot", "TEXT"), ("detected_at", "TEXT"), ("latency_s", "REAL"),
        ("evidence", "TEXT"),
    ],
    "states": [
        ("id", _KEY), ("session_id", "INTEGER NOT NULL REFERENCES sessions(id)"),
        ("kind", "TEXT NOT NULL"), ("start_s", "REAL NOT NULL"), ("end_s", "REAL"),
        ("start_time", "TEXT NOT NULL"), ("end_time", "TEXT"), ("reason", "TEXT"),
        ("frames", "INTEGER"),
    ],
}  # fmt: skip
INDEXES = (
    "CREATE INDEX IF NOT EXISTS events_session ON events (session_id, onset_s)",
    "CREATE INDEX IF NOT EXISTS states_session ON states (session_id, start_s)",
    "CREATE VIEW IF NOT EXISTS gaps AS SELECT id, session_id, start_s, end_s, start_time, "
    "end_time, reason FROM states WHERE kind = 'source_gap'",
)
EVENT_EXTRAS = ("peak_s", "duration_s", "distribution", "person", "onset_frame", "peak_frame",
                "offset_frame", "rise_s", "return_fraction", "snr", "evidence")  # fmt: skip
STATE_KINDS = ("no_pose", "source_gap", "frames_dropped", "sides_unsure")


def iso(epoch: float) -> str:
    """ISO 8601 in local time with its UTC offset, to the millisecond."""
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="milliseconds")


def parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Store:
    """One connection to the monitor database. Writes commit at once; every write method
    raises :class:`OutputError` on failure (disk full, file gone), reads raise
    :class:`InputError` (not a vidmyo database)."""

    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        error = InputError if readonly else OutputError
        if readonly and not self.path.is_file():
            raise InputError(f"no such database: {self.path}")
        try:
            if readonly:
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=10)
            self._db.row_factory = sqlite3.Row
            self._prepare()
        except sqlite3.DatabaseError as exc:
            raise error(f"{self.path} is not a usable SQLite database ({exc})") from exc
        except OSError as exc:
            raise error(f"cannot open {self.path}: {exc.strerror or exc}") from exc

    def _prepare(self) -> None:
        db = self._db
        app = db.execute("PRAGMA application_id").fetchone()[0]
        if app not in (0, APPLICATION_ID):
            raise sqlite3.DatabaseError("it belongs to another application")
        db.execute("PRAGMA busy_timeout = 10000")
        if self.readonly:
            return
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        with db:
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for table, columns in TABLES.items():
                spec = ", ".join(f"{name} {decl}" for name, decl in columns)
                db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({spec})")
                have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                for name, decl in columns:  # a database from an older vidmyo: extend it
                    if name not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl.split()[0]}")
            for statement in INDEXES:
                db.execute(statement)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writes ---------------------------------------------------------------------------------
    def _write(self, sql: str, params: tuple | dict = ()) -> int:
        try:
            with self._db:
                cursor = self._db.execute(sql, params)
            return int(cursor.lastrowid or 0)
        except sqlite3.Error as exc:
            raise OutputError(f"cannot write to the database {self.path}: {exc}") from exc

    def _update(self, table: str, row_id: int, fields: dict) -> None:
        allowed = {name for name, _ in TABLES[table]} - {"id"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown {table} columns: {sorted(unknown)}")
        if fields:
            sets = ", ".join(f"{k} = :{k}" for k in fields)
            self._write(f"UPDATE {table} SET {sets} WHERE id = :_id", {**fields, "_id": row_id})

    def start_session(self, source: str, started: float, settings: dict, model: str) -> int:
        """A new session row; ``started`` is the epoch time of its start."""
        return self._write(
            "INSERT INTO sessions (source, started_at, settings, model, hostname, "
            "vidmyo_version, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (source, iso(started), json.dumps(settings), model, socket.gethostname(),
             __version__, iso(started)),
        )  # fmt: skip

    def update_session(self, session_id: int, **fields) -> None:
        self._update("sessions", session_id, fields)

    def add_event(self, session_id: int, event: Event, wall_time: str,
                  detected: float, latency_s: float | None) -> int:  # fmt: skip
        """Insert and commit one event (values rounded as in events.json)."""
        d = event.to_dict()
        row = {
            "session_id": session_id,
            "kind": d["kind"],
            "onset_s": d["onset_s"],
            "offset_s": d["offset_s"],
            "wall_time": wall_time,
            "primary_region": d["primary_region"],
            "regions": json.dumps(d["regions"]),
            "peak_speed": d["peak_speed"],
            "amplitude": d["amplitude"],
            "confidence": d["confidence"],
            **{k: d[k] for k in EVENT_EXTRAS},
            "detected_at": iso(detected),
            "latency_s": None if latency_s is None else round(latency_s, 4),
        }
        names = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        return self._write(f"INSERT INTO events ({names}) VALUES ({marks})", row)

    def set_clip(self, event_ids: list[int], clip: str | None, snapshots: dict[int, str]) -> None:
        """Record where an event's clip (and peak snapshot) went, once they are written."""
        try:
            with self._db:
                for event_id in event_ids:
                    self._db.execute(
                        "UPDATE events SET clip = ?, snapshot = ? WHERE id = ?",
                        (clip, snapshots.get(event_id), event_id),
                    )
        except sqlite3.Error as exc:
            raise OutputError(f"cannot write to the database {self.path}: {exc}") from exc

    def open_state(self, session_id: int, kind: str, start_s: float, start_time: str,
                   reason: str | None = None, frames: int | None = None) -> int:  # fmt: skip
        if kind not in STATE_KINDS:
            raise ValueError(f"unknown state kind {kind!r}")
        return self._write(
            "INSERT INTO states (session_id, kind, start_s, start_time, reason, frames) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (session_id, kind, round(start_s, 4), start_time, reason, frames),
        )

    def update_state(self, state_id: int, **fields) -> None:
        if "end_s" in fields and fields["end_s"] is not None:
            fields["end_s"] = round(fields["end_s"], 4)
        self._update("states", state_id, fields)

    # -- reads ----------------------------------------------------------------------------------
    def _read(self, sql: str, params: tuple = ()) -> list[dict]:
        try:
            return [dict(row) for row in self._db.execute(sql, params)]
        except sqlite3.Error as exc:
            raise InputError(f"cannot read {self.path}: {exc}") from exc

    def sessions(self) -> list[dict]:
        """Every session with its counts: events, jerks, source gaps, seconds without a pose."""
        rows = self._read(
            "SELECT s.*, "
            "(SELECT COUNT(*) FROM events e WHERE e.session_id = s.id) AS events, "
            "(SELECT COUNT(*) FROM events e WHERE e.session_id = s.id AND e.kind = 'jerk') "
            "AS jerks, "
            "(SELECT COUNT(*) FROM states g WHERE g.session_id = s.id "
            "AND g.kind = 'source_gap') AS gaps, "
            "(SELECT COALESCE(SUM(COALESCE(n.end_s, s.duration_s) - n.start_s), 0) "
            "FROM states n WHERE n.session_id = s.id AND n.kind = 'no_pose') AS no_pose_s "
            "FROM sessions s ORDER BY s.id"
        )
        for row in rows:
            row["settings"] = json.loads(row["settings"]) if row.get("settings") else {}
        return rows

    def events(self, session_id: int | None = None, kind: str | None = None) -> list[dict]:
        where, params = [], []
        if session_id is not None:
            where.append("session_id = ?")
            params.append(session_id)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT * FROM events{clause} ORDER BY session_id, onset_s"
        rows = self._read(sql, tuple(params))
        for row in rows:
            row["regions"] = json.loads(row["regions"]) if row.get("regions") else []
        return rows

    def states(self, session_id: int | None = None) -> list[dict]:
        clause, params = ("WHERE session_id = ?", (session_id,)) if session_id else ("", ())
        return self._read(f"SELECT * FROM states {clause} ORDER BY session_id, start_s", params)


def summarize_events(events: list[dict]) -> dict:
    """Counts for ``vidmyo events --summary``: jerks per clock hour (from ``wall_time``, local
    time), jerks per primary region and per region involved, and events per kind."""
    jerks = [e for e in events if e["kind"] == "jerk"]
    per_hour = Counter(e["wall_time"][:13] + ":00" for e in jerks)
    return {
        "events": len(events),
        "jerks": len(jerks),
        "jerks_per_hour": dict(sorted(per_hour.items())),
        "by_region": dict(Counter(e["primary_region"] for e in jerks).most_common()),
        "by_region_involved": dict(Counter(r for e in jerks for r in e["regions"]).most_common()),
        "by_distribution": dict(Counter(e["distribution"] for e in jerks).most_common()),
        "by_kind": dict(Counter(e["kind"] for e in events).most_common()),
    }
