"""vidmyo batch: inputs, output names, chunking, failures, reruns and interruptions.

The model-free tests cover the planning; the others run the real command (``lite`` model,
clips cut from the sample to a few seconds) to keep the whole file around two minutes.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import pytest
from conftest import SAMPLE
from test_cli import vidmyo

from vidmyo import pipeline
from vidmyo.batch import (
    BatchOptions,
    Chunk,
    Job,
    expand_inputs,
    finish_job,
    join_chunks,
    output_names,
    plan_chunks,
    run_batch,
    short_hash,
)
from vidmyo.config import Config, PoseConfig
from vidmyo.engines import observe_chunk
from vidmyo.errors import InputError, TruncatedVideoError, UsageError
from vidmyo.evaluate import compare_events
from vidmyo.landmarks import LandmarkSeries
from vidmyo.simulate import Scenario, Scripted, simulate
from vidmyo.sources import VideoInfo

LITE = Config(pose=PoseConfig(model="lite"))


def cut(src: Path, dst: Path, start_s: float, end_s: float) -> Path:
    """A part of a video, re-encoded (mp4v) with cv2."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    i = 0
    while i < end_s * fps:
        ok, frame = cap.read()
        if not ok:
            break
        if i >= start_s * fps:
            writer.write(frame)
        i += 1
    cap.release()
    writer.release()
    return dst


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    """Two 8 s clips of the sample, with two scripted jerks each."""
    folder = tmp_path_factory.mktemp("clips")
    return {
        "a": cut(SAMPLE, folder / "a.mp4", 0, 8),
        "b": cut(SAMPLE, folder / "b.mp4", 20, 28),
    }


def read_summary(path: Path) -> dict[str, dict]:
    with open(path, newline="") as fh:
        return {row["input"]: row for row in csv.DictReader(fh)}


def jerks(doc: dict) -> list[dict]:
    return [e for e in doc["events"] if e["kind"] == "jerk"]


# -- planning, without the model --------------------------------------------------------------
def test_folders_and_globs_expand_to_videos(tmp_path, monkeypatch):
    for name in ("x/A.MP4", "x/sub/b.mov", "x/notes.txt", "x/.hidden.mp4", "x/.cache/c.mp4",
                 "y/c.mkv", "y/d.Webm", "z/clip.avi"):  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    found = expand_inputs(["x", "y/*", "x/A.MP4", "z/[c]lip.avi", "missing.mp4", "none/*.mp4"])
    assert found == [
        tmp_path / "x/A.MP4",
        tmp_path / "x/sub/b.mov",
        tmp_path / "y/c.mkv",
        tmp_path / "y/d.Webm",
        tmp_path / "z/clip.avi",
        tmp_path / "missing.mp4",  # kept, to be reported as failed
    ]
    assert expand_inputs(["x/notes.txt"]) == [tmp_path / "x/notes.txt"]  # named: taken as is
    with pytest.raises(UsageError, match="no videos found"):
        expand_inputs(["none/*.mp4", "x/sub/*.txt"])


def test_shared_stems_get_stable_distinct_folders(tmp_path):
    first, second = Path("/data/night1/rec.mp4"), Path("/data/night2/rec.mp4")
    assert output_names([first, second], tmp_path) == ["rec", f"rec-{short_hash(second)}"]
    # Once rec/ holds the first input's results, the second never takes it, in any order.
    (tmp_path / "rec").mkdir()
    doc = {"schema": "vidmyo.events/1", "video": {"path": str(first)}}
    (tmp_path / "rec" / "events.json").write_text(json.dumps(doc))
    assert output_names([second, first], tmp_path) == [f"rec-{short_hash(second)}", "rec"]
    assert output_names([second], tmp_path) == [f"rec-{short_hash(second)}"]


@pytest.mark.parametrize("duration", [0.0, 30.0, 600.0, 601.0, 3600.0, 4000.5])
def test_chunks_tile_the_video(duration):
    chunks = plan_chunks(duration, 600.0, 10.0)
    if duration <= 600:
        assert chunks == [Chunk(0.0, None, 0.0)]
        return
    assert chunks[0].start == 0.0 and chunks[-1].end is None
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.end == b.start  # no gap, no overlap in what is kept
        assert b.read_from == pytest.approx(b.start - 10.0)
    assert all(c.seconds(duration) <= 600.0 + 1e-9 for c in chunks)
    assert sum(c.seconds(duration) for c in chunks) == pytest.approx(duration)


def test_joined_chunks_give_exactly_the_unsplit_result(tmp_path, monkeypatch):
    """With a pose model whose output does not depend on where reading started, chunking
    changes nothing at all: jerks right at and across chunk boundaries are found once."""
    scn = Scenario(
        duration_s=45,
        events=[
            Scripted("jerk", 14.93, ("left_arm",), 0.15),  # across the boundary at 15 s
            Scripted("jerk", 20.0, ("right_arm", "left_arm"), 0.15),
            Scripted("movement", 28.5, ("right_arm",), 0.5, 3.0),  # across 30 s
            Scripted("jerk", 30.0, ("head",), 0.12, 0.3),  # within the movement's context
            Scripted("jerk", 38.0, ("right_leg",), 0.15),
        ],
    )
    frames, _ = simulate(scn)
    info = VideoInfo("synthetic.mp4", 30.0, len(frames), 45.0, 640, 480)
    whole = LandmarkSeries.from_frames(frames, {"video": info.to_dict()})

    def ideal_observe(video, config, progress=None):
        end = math.inf if config.end_s is None else config.end_s
        part = whole.select((whole.t >= config.start_s - 1e-6) & (whole.t <= end + 1e-6))
        return pipeline.Observation(part, info, len(part), 0, 0.0)

    monkeypatch.setattr(pipeline, "observe", ideal_observe)
    job = Job(Path(info.path), tmp_path / "chunked", 45.0, plan_chunks(45.0, 15.0, 5.0))
    assert len(job.chunks) == 3
    for k, c in enumerate(job.chunks):
        job.results[k] = observe_chunk(k, info.path, LITE.to_dict(), c.read_from, c.start, c.end)
    assert finish_job(job, LITE)["status"] == "done"
    chunked = json.loads((tmp_path / "chunked" / "events.json").read_text())
    unsplit = pipeline.analyze_observation(ideal_observe(info.path, LITE), LITE, tmp_path / "u")
    assert chunked["events"] == unsplit.to_dict()["events"]
    assert chunked["summary"] == unsplit.summary()
    assert len(jerks(chunked)) == 3  # the one at 30 s belongs to the movement


def test_a_truncated_video_keeps_what_was_read(tmp_path):
    frames, _ = simulate(Scenario(duration_s=4))
    series = LandmarkSeries.from_frames(frames, {})
    info = VideoInfo("cut.mp4", 30.0, 240, 8.0, 640, 480)
    ok = {
        "arrays": {n: getattr(series, n) for n in series.__dataclass_fields__ if n != "meta"},
        "meta": {}, "video": info.to_dict(), "pose_frames": len(series), "rotation": 0,
        "wall_s": 1.0, "problem": "cut.mp4 stops decoding", "problem_type": "TruncatedVideoError",
    }  # fmt: skip
    nothing = {"error": "no frames between --start and --end", "error_type": "InputError"}
    job = Job(Path("cut.mp4"), tmp_path, 8.0, plan_chunks(8.0, 4.0, 1.0), {0: ok, 1: nothing})
    obs = join_chunks(job)
    assert len(obs.series) == len(series) and isinstance(obs.problem, TruncatedVideoError)
    job.results = {0: nothing, 1: ok}
    with pytest.raises(InputError, match="no frames"):
        join_chunks(job)
    # A later chunk that seeked past the damage and read on is left out: no hole in the series.
    later = {**ok, "problem": None, "problem_type": None}
    later["arrays"] = {
        **ok["arrays"],
        "t": ok["arrays"]["t"] + 6.0,
        "index": ok["arrays"]["index"] + 180,
    }
    job.results = {0: ok, 1: later}
    obs = join_chunks(job)
    assert len(obs.series) == len(series) and isinstance(obs.problem, TruncatedVideoError)


# -- the command ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def first_batch(tmp_path_factory, clips):
    """A folder with two videos of the same name and a text file named .mp4."""
    root = tmp_path_factory.mktemp("batch")
    (root / "clips" / "night2").mkdir(parents=True)
    shutil.copy(clips["a"], root / "clips" / "a.mp4")
    shutil.copy(clips["b"], root / "clips" / "night2" / "a.mp4")
    (root / "clips" / "broken.mp4").write_text("not a video\n" * 50)
    (root / "clips" / "notes.txt").write_text("ignored")
    started = time.perf_counter()
    result = vidmyo("batch", "clips", "--out", "out", "--model", "lite", "--jobs", "2", cwd=root)
    wall = time.perf_counter() - started
    return root, result, read_summary(root / "out" / "summary.csv"), wall


def test_batch_writes_analyze_outputs_and_a_summary(first_batch):
    root, result, rows, _ = first_batch
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("vidmyo: error: 1 of 3 inputs failed (2 done)"), result.stderr
    a, a2, broken = (str(root / "clips" / p) for p in ("a.mp4", "night2/a.mp4", "broken.mp4"))
    assert list(rows) == [a, broken, a2]  # inputs in order: a folder's files sorted
    assert rows[broken]["status"] == "failed"
    assert "cannot open" in rows[broken]["error"] and "\n" not in rows[broken]["error"]
    assert rows[a]["output"] == "out/a"
    assert rows[a2]["output"] == f"out/a-{short_hash(Path(a2))}"
    for path in (a, a2):
        row = rows[path]
        out = root / row["output"]
        assert row["status"] == "done" and row["error"] == ""
        assert sorted(p.name for p in out.iterdir()) == [
            "events.csv",
            "events.json",
            "landmarks.npz",
        ]
        doc = json.loads((out / "events.json").read_text())
        assert doc["video"]["path"] == path
        assert int(row["jerks"]) == doc["summary"]["jerk_count"] == len(jerks(doc))
        assert float(row["duration_s"]) == pytest.approx(8.0)
        assert float(row["pose_coverage"]) > 0.9
        by_region = doc["summary"]["by_region"]
        assert all(int(row[r]) == by_region.get(r, 0) for r in ("head", "left_arm", "right_leg"))
    # Exactly what 'vidmyo analyze' writes for the same video.
    single = vidmyo("analyze", a, "--model", "lite", "--out", root / "single")
    assert single.returncode == 0, single.stderr
    want = json.loads((root / "single" / "events.json").read_text())
    got = json.loads((root / "out" / "a" / "events.json").read_text())
    assert got["events"] == want["events"] and got["summary"] == want["summary"]


def test_rerun_skips_finished_inputs_and_force_redoes_them(first_batch):
    root, _, before, _ = first_batch
    started = time.perf_counter()
    again = vidmyo("batch", "clips", "--out", "out", "--model", "lite", cwd=root)
    assert time.perf_counter() - started < 20  # no pose inference
    assert again.returncode == 3  # the broken file is tried again, and fails again
    rows = read_summary(root / "out" / "summary.csv")
    assert [r["status"] for r in rows.values()] == ["skipped", "failed", "skipped"]
    for path, row in rows.items():  # skipped rows keep the numbers
        assert (row["output"], row["jerks"]) == (before[path]["output"], before[path]["jerks"])
    a = root / "clips" / "a.mp4"
    stamp = (root / "out" / "a" / "events.json").stat().st_mtime_ns
    forced = vidmyo("batch", a, "--out", "out", "--model", "lite", "--force", cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert forced.stderr.strip().splitlines()[-1].startswith("vidmyo: 1 input: 1 done")
    assert [r["status"] for r in read_summary(root / "out" / "summary.csv").values()] == ["done"]
    assert (root / "out" / "a" / "events.json").stat().st_mtime_ns > stamp


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_killed_batch_resumes_where_it_stopped(tmp_path, clips):
    """Kill -9 the batch while it works on its second video: the first is finished and in
    summary.csv, the second has no events.json, its workers end, and a rerun does the rest."""
    args = ["batch", clips["a"], clips["b"], "--out", tmp_path, "--model", "lite", "--jobs", "1"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "vidmyo", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    summary = tmp_path / "summary.csv"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            statuses = (
                [r["status"] for r in read_summary(summary).values()] if summary.exists() else []
            )
            if statuses == ["done", "pending"]:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the batch ended before it could be killed"
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 20
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(map(_alive, workers)), "workers outlived the killed batch"
    finally:
        if proc.poll() is None or any(map(_alive, _children(proc.pid))):
            os.killpg(proc.pid, signal.SIGKILL)
    assert (tmp_path / "a" / "events.json").is_file()
    assert not (tmp_path / "b" / "events.json").exists()
    assert not list(tmp_path.rglob("*.partial"))
    rerun = vidmyo(*args)
    assert rerun.returncode == 0, rerun.stderr
    rows = read_summary(summary)
    assert [r["status"] for r in rows.values()] == ["skipped", "done"]


def test_usage_errors(tmp_path, clips):
    (tmp_path / "empty").mkdir()
    assert vidmyo("batch", "--out", tmp_path / "o").returncode == 2  # no INPUT
    for args, needle in [
        ([tmp_path / "empty"], "no videos found"),
        ([clips["a"], "--chunk-s", "0"], "--chunk-s"),
        ([clips["a"], "--address", "ray://x:10001"], "--engine ray"),
    ]:
        result = vidmyo("batch", *args, "--out", tmp_path / "o")
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [result.stderr.strip()]
        assert needle in result.stderr and "Traceback" not in result.stderr
    assert vidmyo("batch", clips["a"], "--out", tmp_path / "o", "--jobs", "0").returncode == 2


def test_ray_engine_without_ray_says_how_to_install(tmp_path, clips):
    code = (
        "import sys; sys.modules['ray'] = None; from vidmyo.cli import run; "
        f"sys.argv = ['vidmyo', 'batch', {str(clips['a'])!r}, '--out', {str(tmp_path)!r}, "
        "'--engine', 'ray']; run()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "vidmyo: error: --engine ray needs Ray, which is not installed: pip install 'vidmyo[ray]'"
    )
    assert not (tmp_path / "summary.csv").exists()  # nothing touched


# -- chunked against unsplit, with the real model ----------------------------------------------
def test_chunked_run_matches_the_unsplit_run(tmp_path, sample_truth):
    """The sample clip in 20 s chunks (3 chunks of 17 s, 5 s overlap) against one piece.

    Detection runs once over the joined landmarks, so nothing is lost or doubled at a
    boundary: the landmarks cover the same frames, and every jerk of the unsplit run is
    found once, within one frame, with the same regions. MediaPipe's tracking, restarted at
    a chunk, never settles on exactly the same jitter as the unbroken run (about 0.003 torso
    lengths median; no longer overlap changes that), so a candidate at the noise threshold
    may come out differently: at most one extra, weak jerk is allowed (see docs/batch.md).
    The lite model used here also misses some of the clip's real jerks, not always the same
    ones in both runs: an extra jerk that is one of the clip's scripted jerks is not a
    chunking artefact.
    """
    unsplit = {}
    thread = threading.Thread(
        target=lambda: unsplit.update(
            r=run_batch([SAMPLE], BatchOptions(tmp_path / "unsplit", LITE, jobs=1))
        )
    )
    thread.start()
    options = BatchOptions(tmp_path / "chunked", LITE, jobs=2, chunk_s=20.0, overlap_s=5.0)
    chunked = run_batch([SAMPLE], options)
    thread.join()
    assert [r["status"] for r in chunked.rows + unsplit["r"].rows] == ["done", "done"]
    docs = [json.loads((tmp_path / d / "sample_jerks" / "events.json").read_text())
            for d in ("unsplit", "chunked")]  # fmt: skip
    series = [LandmarkSeries.load(tmp_path / d / "sample_jerks" / "landmarks.npz")
              for d in ("unsplit", "chunked")]  # fmt: skip
    assert series[0].index.tolist() == series[1].index.tolist() == list(range(1530))
    assert len(series[1].meta["chunks"]) == 3
    want, got = jerks(docs[0]), jerks(docs[1])
    match = compare_events(got, want, tolerance_s=0.1)
    assert match.false_negatives == 0, (want, got)
    for ti, di in match.matches:
        assert abs(got[di]["onset_frame"] - want[ti]["onset_frame"]) <= 1
        assert got[di]["primary_region"] == want[ti]["primary_region"]
        assert sorted(got[di]["regions"]) == sorted(want[ti]["regions"])
    extra = [got[di] for di in range(len(got)) if di not in {d for _, d in match.matches}]
    real = [t for t in sample_truth["events"] if t["kind"] == "jerk"]
    extra = [e for e in extra if compare_events([e], real, tolerance_s=0.1).true_positives == 0]
    assert len(extra) <= 1 and all(e["snr"] < 2 * 5.5 for e in extra), extra
