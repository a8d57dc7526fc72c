"""The command line as a user meets it: real processes, real exit codes, real stderr."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
from click.testing import CliRunner
from test_sources import write_video

from vidmyo.cli import main


def vidmyo(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "vidmyo", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def assert_one_line_error(result, code, *needles):
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vidmyo: error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_help_explains_each_command():
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for word in ("analyze", "detect", "not a diagnosis", "Exit status"):
        assert word in top.output
    for command in ("analyze", "detect"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "--out" in result.output and "--json" in result.output


def test_missing_file(tmp_path):
    assert_one_line_error(vidmyo("analyze", tmp_path / "none.mp4"), 3, "no such file")


def test_not_a_video(tmp_path):
    fake = tmp_path / "holiday.mp4"
    fake.write_bytes(b"\x00\x01 definitely not a video " * 100)
    assert_one_line_error(vidmyo("analyze", fake), 3, "cannot open", "holiday.mp4")


def test_truncated_mp4(tmp_path):
    """An mp4 cut before its index (a recording that was interrupted) cannot be opened."""
    path = write_video(tmp_path / "full.mp4", frames=90, size=(320, 240))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert_one_line_error(vidmyo("analyze", cut), 3, "cut.mp4")


def test_usage_errors_exit_2(tmp_path):
    assert vidmyo("analyze").returncode == 2
    assert vidmyo("analyze", "x.mp4", "--model", "huge").returncode == 2
    result = vidmyo("analyze", tmp_path / "x.mp4", "--start", "5", "--end", "2")
    assert_one_line_error(result, 2, "--end")


def test_detect_on_a_missing_or_foreign_file(tmp_path):
    assert_one_line_error(vidmyo("detect", tmp_path / "l.npz"), 3, "no such landmarks file")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.zeros(2))
    assert_one_line_error(vidmyo("detect", foreign), 3, "not a readable vidmyo landmarks file")


def test_video_with_nobody_writes_results_and_exits_3(tmp_path):
    """An empty room: the run fails clearly, yet its results (pose_coverage 0) are kept."""
    path = tmp_path / "empty_room.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 15.0, (320, 240))
    rng = np.random.default_rng(0)
    room = cv2.GaussianBlur(rng.integers(60, 200, (240, 320, 3), dtype=np.uint8), (31, 31), 0)
    for _ in range(30):
        writer.write(room)
    writer.release()
    result = vidmyo("analyze", path, "--out", tmp_path / "out")
    assert_one_line_error(result, 3, "nobody found")
    doc = json.loads((tmp_path / "out" / "events.json").read_text())
    assert doc["summary"]["pose_coverage"] < 0.05
    assert doc["summary"]["jerk_count"] == 0
    assert doc["events"] == []


def test_detect_warns_when_the_pose_model_could_not_tell_which_way_the_person_faced(tmp_path):
    """MediaPipe names left and right from which way it takes the person to face. Where it
    cannot tell (a pixelated face: the second person of the clips, ``docs/accuracy.md``,
    twenty-sixth pass), it reads them as facing away on many frames, and the names of left
    and right are uncertain: the output says so. A few one-frame swaps (dark footage) do
    not earn the warning."""
    from vidmyo.landmarks import MIRROR, LandmarkSeries
    from vidmyo.simulate import Scenario, simulate
    from vidmyo.sources import VideoInfo

    def notes(flipped_every: int) -> list[str]:
        scn = Scenario(duration_s=20, seed=4)
        frames, _ = simulate(scn)
        for f in frames[::flipped_every]:
            f.xy[0] = f.xy[0][MIRROR]
        info = VideoInfo("synthetic.mp4", scn.fps, len(frames), len(frames) / scn.fps, 640, 480)
        path = tmp_path / f"every-{flipped_every}" / "landmarks.npz"
        path.parent.mkdir()
        LandmarkSeries.from_frames(frames, {"video": info.to_dict()}).save(path)
        shown = CliRunner().invoke(main, ["detect", str(path), "--json"])
        assert shown.exit_code == 0, shown.output
        doc = json.loads(shown.stdout)
        flipped = doc["summary"]["persons"][0]["facing_flipped"]
        assert abs(flipped - 1 / flipped_every) < 0.01
        return doc["notes"]

    warning = "could not tell which way the person faced"
    (note,) = [note for note in notes(5) if warning in note]
    assert "--model heavy" in note  # which did tell, on the clips (twenty-ninth pass)
    assert not any(warning in note for note in notes(50))


def test_detect_reports_picture_jerks_unless_told_not_to(tmp_path):
    """A burst of change in the left arm's box that the landmarks barely follow: `detect`
    reports it as a jerk with evidence "picture", and `--no-picture-jerks` leaves it out."""
    from test_events import _picture_burst_frames

    from vidmyo.landmarks import LandmarkSeries
    from vidmyo.sources import VideoInfo

    scn, frames, at = _picture_burst_frames([60.0, 150.0, 40.0, 20.0])
    info = VideoInfo("synthetic.mp4", scn.fps, len(frames), len(frames) / scn.fps, 640, 480)
    path = tmp_path / "landmarks.npz"
    LandmarkSeries.from_frames(frames, {"video": info.to_dict()}).save(path)
    runner = CliRunner()
    shown = runner.invoke(main, ["detect", str(path), "--json"])
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    (e,) = doc["events"]
    assert (e["evidence"], e["primary_region"], e["onset_frame"]) == ("picture", "left_arm", at)
    assert doc["summary"]["picture_jerks"] == 1
    assert any("seen in the picture only" in note for note in doc["notes"])
    left_out = runner.invoke(main, ["detect", str(path), "--no-picture-jerks", "--json"])
    assert left_out.exit_code == 0 and json.loads(left_out.stdout)["events"] == []
