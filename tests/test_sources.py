"""Reading video: timestamps, --start/--end, damaged files."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import av
import cv2
import numpy as np
import pytest
from conftest import SAMPLE

from vidmyo import sources
from vidmyo.errors import InputError, TruncatedVideoError
from vidmyo.sources import VideoFile, grey_thumbnail


def write_video(path, frames=60, fps=30.0, size=(160, 120), fourcc="mp4v"):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), (i * 4) % 255, np.uint8))
    writer.release()
    return path


def test_frames_carry_their_stream_times(tmp_path):
    video = VideoFile(write_video(tmp_path / "a.mp4", frames=45, fps=15.0))
    frames = list(video)
    assert video.info.fps == pytest.approx(15.0)
    assert len(frames) == 45
    assert [f.index for f in frames] == list(range(45))
    assert np.allclose([f.t for f in frames], np.arange(45) / 15.0, atol=1e-3)


def test_frames_say_which_are_the_codecs_key_frames():
    """The motion gate must know them: a key frame refreshes the picture's noise at once."""
    frames = list(VideoFile(SAMPLE, end_s=1.0))
    assert [f.index for f in frames if f.key] == [0, 12, 24]  # H.264, a key frame every 12


def test_fractional_frame_rate_is_kept(tmp_path):
    video = VideoFile(write_video(tmp_path / "ntsc.mp4", frames=30, fps=30000 / 1001))
    assert video.info.fps == pytest.approx(29.97, abs=0.01)
    last = list(video)[-1]
    assert last.t == pytest.approx(29 * 1001 / 30000, abs=2e-3)


def test_start_and_end_select_a_time_range(tmp_path):
    path = write_video(tmp_path / "b.mp4", frames=90)
    frames = list(VideoFile(path, start_s=1.0, end_s=2.0))
    assert frames[0].t == pytest.approx(1.0, abs=1e-3)
    assert frames[-1].t == pytest.approx(2.0, abs=1e-3)
    assert frames[0].index == 30


def write_h264(path, frames=120, fps=30, steps=None):
    """H.264 with B-frames (showing order differs from decoding order) and a key frame
    every 15 frames; ``steps`` gives each frame's timestamp step in frames (a camera that
    drops frames records a variable frame rate)."""
    steps = steps or [1] * frames
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {"x264-params": "keyint=15:min-keyint=15:bframes=2:scenecut=0"}
        pts = 0
        for i in range(frames):
            image = np.zeros((120, 160, 3), np.uint8)
            image[40:80, (i * 3) % 120 : (i * 3) % 120 + 40] = 200  # a square moving along
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = pts
            pts += steps[i]
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def _read(path, start, end, seek):
    video = VideoFile(path, start, end, thumb_width=40, seek=seek)
    return video, list(video)


@pytest.mark.parametrize("kind", ["mp4v", "h264 b-frames", "h264 dropped frames"])
def test_a_late_start_is_reached_by_seeking_with_the_frames_decoding_gives(
    tmp_path, monkeypatch, kind
):
    """Batch chunks late in a night start by seeking; they must see the very frames,
    indices and times that decoding from the beginning gives."""
    monkeypatch.setattr(sources, "SEEK_AFTER_S", 1.0)
    if kind == "mp4v":
        path = write_video(tmp_path / "a.mp4", frames=120)
    else:
        steps = [1 + (i % 7 == 3) for i in range(120)] if "dropped" in kind else None
        path = write_h264(tmp_path / "a.mp4", steps=steps)
    seeking, frames = _read(path, 2.02, 3.0, seek=True)
    decoding, expected = _read(path, 2.02, 3.0, seek=False)
    assert seeking.seeked and not decoding.seeked
    assert [(f.index, f.t, f.key) for f in frames] == [(f.index, f.t, f.key) for f in expected]
    assert frames[0].t >= 2.02 and len(frames) >= 20
    assert all(np.array_equal(a.thumb, b.thumb) for a, b in zip(frames, expected, strict=True))
    assert np.array_equal(frames[0].image, expected[0].image)


def test_a_seek_that_lands_elsewhere_falls_back_to_decoding(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "SEEK_AFTER_S", 1.0)
    path = write_h264(tmp_path / "a.mp4")
    plan = VideoFile._seek_plan
    monkeypatch.setattr(
        VideoFile,
        "_seek_plan",
        lambda self: dataclasses.replace(plan(self), start_pts=plan(self).start_pts + 1),
    )
    seeking, frames = _read(path, 2.0, 2.5, seek=True)
    _, expected = _read(path, 2.0, 2.5, seek=False)
    assert not seeking.seeked
    assert [(f.index, f.t) for f in frames] == [(f.index, f.t) for f in expected]


def test_a_seek_can_read_past_damage_that_stops_decoding_from_the_beginning(tmp_path, monkeypatch):
    """Why ``vidmyo batch`` leaves out the chunks after one that found the video damaged
    (``test_batch.py``): a later chunk that seeks over the damage reads on."""
    monkeypatch.setattr(sources, "SEEK_AFTER_S", 1.0)
    path = write_video(tmp_path / "d.mp4", frames=300)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + len(data) // 10] = np.random.default_rng(0).bytes(len(data) // 10)
    path.write_bytes(bytes(data))
    with pytest.raises(TruncatedVideoError):
        list(VideoFile(path, start_s=8.0, seek=False))
    seeking = VideoFile(path, start_s=8.0)
    assert [f.index for f in seeking] == list(range(240, 300)) and seeking.seeked


def test_missing_file_and_not_a_video(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        VideoFile(tmp_path / "nope.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    with pytest.raises(InputError, match="cannot open"):
        VideoFile(text)


def test_video_cut_short_reports_truncation_after_its_frames(tmp_path):
    """An AVI cut in the middle still opens; the frames before the cut come out, then the
    truncation is reported."""
    path = write_video(tmp_path / "c.avi", frames=120, fourcc="MJPG", size=(320, 240))
    data = path.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    got = []
    with pytest.raises(TruncatedVideoError, match="truncated"):
        for frame in VideoFile(cut):
            got.append(frame.index)
    assert 20 < len(got) < 100


@pytest.mark.parametrize(("name", "fourcc"), [("tv.mp4", "mp4v"), ("full.avi", "MJPG")])
def test_thumbnails_come_from_the_luma_plane_and_colour_only_on_demand(tmp_path, name, fourcc):
    """The decode thread gives each frame the gate's thumbnail from the decoder's luma plane
    (limited-range mp4v and full-range MJPEG alike): the same grey levels as converting the
    colour picture, which is made only when something asks for ``image``."""
    rng = np.random.default_rng(0)
    path = tmp_path / name
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 30.0, (320, 240))
    for _ in range(10):
        picture = cv2.GaussianBlur(rng.integers(0, 256, (240, 320, 3), np.uint8), (9, 9), 0)
        writer.write(picture)
    writer.release()
    frames = list(VideoFile(path, thumb_width=80))
    assert len(frames) == 10
    assert all(f._image is None for f in frames)  # nothing converted yet
    for f in frames:
        assert f.thumb.shape == (60, 80)
        assert f.width == 320
        expected = grey_thumbnail(f.image, 80)
        assert f.image.shape == (240, 320, 3)
        assert np.abs(f.thumb.astype(int) - expected).mean() < 1.5
    assert list(VideoFile(path))[0].thumb is None
