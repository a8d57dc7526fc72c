"""events.json and events.csv, written atomically so that a crash or a full disk never leaves a
half-written file that looks finished."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from vidmyo.errors import OutputError
from vidmyo.results import CSV_FIELDS, Event


def write_atomic(path: Path, text: str) -> None:
    """Write to ``path.partial``, flush to disk, then rename over ``path``."""
    tmp = path.with_name(path.name + ".partial")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def events_csv(events: list[Event]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for event in events:
        row = event.to_dict()
        row["regions"] = ";".join(row["regions"])
        writer.writerow(row)
    return buf.getvalue()


def write_results(document: dict, events: list[Event], out_dir: Path) -> None:
    """Write ``events.json`` (the contract document) and ``events.csv`` into ``out_dir``."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder {out_dir}: {exc.strerror}") from exc
    write_atomic(out_dir / "events.csv", events_csv(events))
    # events.json last: its presence means the analysis finished.
    write_atomic(out_dir / "events.json", json.dumps(document, indent=2, allow_nan=False) + "\n")
