"""Target-class counts of several evaluation sets, per set and pooled.

``scripts/bench_accuracy.py`` scores one set at a time, and its ``--load`` takes one file's
records per part. This adds up, from the ``--json`` files of several sets' runs (one file per
set), the target-class counts of their clips at ``TARGET_FPS`` or more: per set (all clips,
dark clips; jerks found, false jerks, wrong primary regions and distributions), and pooled
per condition (all, normal light, dark, lying), each rate with its 95% interval.

    for s in eval_set eval_set/holdout eval_set/holdout-200; do   # ... every set
        python scripts/bench_accuracy.py --set $s --reuse-landmarks --no-landmarks \\
            --no-doc --json $s/bench-now.json
    done
    python scripts/pool_sets.py eval_set/bench-now.json eval_set/holdout/bench-now.json ...
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_accuracy import TARGET_FPS, score  # noqa: E402

from vidmyo.evaluate import proportion_interval  # noqa: E402


def counts(path: Path) -> dict[str, collections.Counter]:
    """Per condition, the target-class counts of one set's clips."""
    by_condition: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for record in json.loads(path.read_text())["videos"]:
        if record["fps"] < TARGET_FPS:
            continue
        record["runs"] = {float(k): v for k, v in record["runs"].items()}
        t = score(record)["target"]
        conditions = ["all", "dark" if "dark" in record["name"] else "light"]
        if record["tags"].get("lying"):
            conditions.append("lying")
        for c in conditions:
            k = by_condition[c]
            k["found"] += t.true_positives
            k["missed"] += t.false_negatives
            k["false"] += t.false_positives
            k["primary"] += t.primary_correct
            k["distribution"] += t.distribution_correct
            k["distractors_called"] += t.distractors_called
            k["distractors"] += t.distractors
    return by_condition


def rate(k: int, n: int) -> str:
    """k of n as a percentage with its 95% interval (``proportion_interval``)."""
    lo, hi = proportion_interval(k, n)
    return f"{k / max(n, 1):.1%} [{lo:.1%}–{hi:.1%}]"


def line(k: collections.Counter) -> str:
    found = k["found"]
    return (
        f"recall {rate(found, found + k['missed'])} ({k['missed']} missed), "
        f"precision {rate(found, found + k['false'])} ({k['false']} false), "
        f"primary {rate(k['primary'], found)}, "
        f"distribution {rate(k['distribution'], found)}, "
        f"distractors called {k['distractors_called']} of {k['distractors']}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("json", type=Path, nargs="+", help="one bench_accuracy.py --json per set")
    args = ap.parse_args(argv)
    pooled: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    print(
        "| run | all clips | dark clips | primary region wrong (all / dark) | distribution wrong |"
    )
    print("| --- | --- | --- | --- | --- |")
    for path in args.json:
        per_set = counts(path)
        cells = [
            f"{per_set[c]['found']}/{per_set[c]['found'] + per_set[c]['missed']}, "
            f"{per_set[c]['false']} fp"
            for c in ("all", "dark")
        ]
        for key in ("primary", "distribution"):
            wrong = [per_set[c]["found"] - per_set[c][key] for c in ("all", "dark")]
            cells.append(f"{wrong[0]} / {wrong[1]}")
        print(f"| {path} | " + " | ".join(cells) + " |")
        for c, k in per_set.items():
            pooled[c].update(k)
    print()
    for c in ("all", "light", "dark", "lying"):
        print(f"pooled, {c}: {line(pooled[c])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
