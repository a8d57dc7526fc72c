"""Plain-text tables of the monitor database for ``vidmyo sessions`` and ``vidmyo events``."""

from __future__ import annotations

from pathlib import Path

from vidmyo.store import parse_iso


def duration(seconds: float | None) -> str:
    """``h:mm:ss``."""
    s = int(round(seconds or 0))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *rows]]  # fmt: skip
    return "\n".join(lines)


def _local(iso_time: str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    moment = parse_iso(iso_time)
    return moment.strftime(fmt) if moment else "-"


def format_sessions(sessions: list[dict]) -> str:
    if not sessions:
        return "no sessions recorded yet"
    rows = []
    for s in sessions:
        frames, dropped = s["frames"] or 0, s["frames_dropped"] or 0
        total = frames + dropped
        drops = f"{dropped} ({100 * dropped / total:.1f}%)" if total else "0"
        if s["ended_at"]:
            status = s["end_reason"] or "ended"
        else:
            status = f"no end recorded (running, or killed; last seen {_local(s['last_seen'])})"
        rows.append([
            str(s["id"]), _local(s["started_at"]), duration(s["duration_s"]), str(frames), drops,
            str(s["jerks"]), str(s["events"]), str(s["gaps"]), duration(s["no_pose_s"]),
            status, s["source"],
        ])  # fmt: skip
    header = ["id", "started", "duration", "frames", "dropped", "jerks", "events", "gaps",
              "no pose", "end", "source"]  # fmt: skip
    return _table(header, rows)


def format_events(events: list[dict]) -> str:
    if not events:
        return "no events"
    rows = [
        [
            str(e["id"]), str(e["session_id"]), _local(e["wall_time"]), f"{e['onset_s']:.3f}",
            e["kind"] + (" (picture)" if e.get("evidence") == "picture" else ""),
            e["primary_region"] or "-", e["distribution"] or "-",
            f"{e['amplitude']:.2f}", f"{e['confidence']:.2f}",
            Path(e["clip"]).name if e["clip"] else "-",
        ]
        for e in events
    ]  # fmt: skip
    header = ["id", "session", "time", "onset_s", "kind", "region", "distribution", "amplitude",
              "confidence", "clip"]  # fmt: skip
    return _table(header, rows)


def format_summary(summary: dict) -> str:
    lines = [f"{summary['jerks']} jerks, {summary['events']} events in all"]
    if summary["by_kind"]:
        lines.append("by kind: " + ", ".join(f"{k} {n}" for k, n in summary["by_kind"].items()))
    if summary["jerks_per_hour"]:
        lines.append("jerks per hour:")
        for hour, n in summary["jerks_per_hour"].items():
            lines.append(f"  {hour.replace('T', ' ')}  {n:4d}  {'#' * min(n, 60)}")
    if summary["by_region"]:
        lines.append("jerks by region (primary):")
        for region, n in summary["by_region"].items():
            lines.append(f"  {region:<10} {n:4d}")
    if summary["by_distribution"]:
        lines.append(
            "by distribution: "
            + ", ".join(f"{k} {n}" for k, n in summary["by_distribution"].items())
        )
    return "\n".join(lines)
