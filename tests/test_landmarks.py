"""The landmarks file: what analyze saves is exactly what detect reads."""

from __future__ import annotations

import numpy as np
import pytest

from vidmyo.errors import InputError
from vidmyo.landmarks import FIELDS, LandmarkSeries
from vidmyo.simulate import Scenario, Scripted, simulate


def test_round_trip_keeps_every_array(tmp_path):
    frames, _ = simulate(Scenario(duration_s=3, events=[Scripted("dropout", 1, (), 0, 0.5)]))
    for f in frames:
        f.lighter_pixels[:] = f.index % 7
        f.flow[:] = f.index % 5
        f.key = f.index % 12 == 0
    series = LandmarkSeries.from_frames(frames, {"video": {"fps": 30.0}})
    series.save(tmp_path / "l.npz")
    back = LandmarkSeries.load(tmp_path / "l.npz")
    for name in FIELDS:
        assert np.array_equal(getattr(series, name), getattr(back, name), equal_nan=True), name
    assert back.meta["video"]["fps"] == 30.0
    assert [f.index for f in back.frames() if f.key] == list(range(0, len(frames), 12))
    assert not back.present[31:45].any() and back.present[50:].all()
    assert not (tmp_path / "l.npz.partial").exists()


def test_files_from_before_the_picture_reading_still_load(tmp_path):
    """Older files load: without any picture reading, it is unknown (NaN, so the detector
    does not judge the picture; no frame a key frame); with the yes/no ``picture_changed``
    (per frame, later per person), a yes counts as changed in every region and a no as
    unchanged."""
    frames, _ = simulate(Scenario(duration_s=2))
    path = tmp_path / "l.npz"
    LandmarkSeries.from_frames(frames, {}).save(path)
    with np.load(path) as data:
        later = ("changed_pixels", "lighter_pixels", "flow", "key")
        arrays = {k: data[k] for k in data.files if k not in later}
    np.savez(tmp_path / "none.npz", **arrays)
    none = LandmarkSeries.load(tmp_path / "none.npz")
    assert none.changed_pixels.shape == (len(frames), 1, 6) and np.isnan(none.changed_pixels).all()
    assert none.lighter_pixels.shape == (len(frames), 1, 6) and np.isnan(none.lighter_pixels).all()
    assert none.flow.shape == (len(frames), 1, 33, 2) and np.isnan(none.flow).all()
    assert none.key.shape == (len(frames),) and not none.key.any()  # not known: none
    yes_no = (np.arange(len(frames)) % 2).astype(np.float32)
    for name, old in (("per_person", yes_no[:, None]), ("flat", yes_no)):
        np.savez(tmp_path / f"{name}.npz", **arrays, picture_changed=old)
        loaded = LandmarkSeries.load(tmp_path / f"{name}.npz").changed_pixels
        assert loaded.shape == (len(frames), 1, 6)
        assert np.isinf(loaded[1::2]).all() and (loaded[::2] == 0).all()


def test_foreign_file_is_refused(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, a=np.zeros(3))
    with pytest.raises(InputError, match="not a readable vidmyo landmarks file"):
        LandmarkSeries.load(bad)
    with pytest.raises(InputError, match="no such landmarks file"):
        LandmarkSeries.load(tmp_path / "missing.npz")


def test_streaming_writer_equals_whole_series(tmp_path, monkeypatch):
    """Frames appended one at a time (spilled to disk in small buffers) give the same file."""
    from vidmyo.landmarks import LandmarkWriter

    monkeypatch.setattr(LandmarkWriter, "BUFFER_ROWS", 7)
    frames, _ = simulate(Scenario(duration_s=2, events=[Scripted("dropout", 1, (), 0, 0.3)]))
    frames[5].inferred = False
    with LandmarkWriter(tmp_path / "s.npz", meta={"video": {"fps": 30.0}}) as writer:
        for frame in frames:
            writer.append(frame)
    streamed = LandmarkSeries.load(tmp_path / "s.npz")
    whole = LandmarkSeries.from_frames(frames, {})
    for name in ("index", "t", "xy", "visibility", "present", "brightness", "shift", "inferred"):
        assert np.array_equal(getattr(streamed, name), getattr(whole, name), equal_nan=True)
    assert not streamed.inferred[5] and streamed.inferred[6]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.npz"]  # no temporary files left
