"""The Ray engine gives exactly what the local engine gives, on a local Ray started once."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from conftest import SAMPLE
from test_batch import LITE, cut, jerks

from vidmyo.batch import BatchOptions, run_batch
from vidmyo.landmarks import LandmarkSeries

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module: starting it takes several seconds."""
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        logging_level=logging.ERROR,
        log_to_driver=False,
    )
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ray-clips")
    return {"a": cut(SAMPLE, folder / "a.mp4", 0, 8), "b": cut(SAMPLE, folder / "b.mp4", 20, 28)}


def test_ray_engine_equals_local_engine(local_ray, clips, tmp_path):
    """Two 8 s clips, each in two chunks: the same chunk tasks on Ray and in local processes
    give identical landmarks and events."""
    runs = {}
    for engine in ("ray", "local"):
        options = BatchOptions(
            tmp_path / engine, LITE, jobs=2, engine=engine, chunk_s=5.0, overlap_s=2.0
        )
        result = run_batch([clips["a"], clips["b"]], options)
        assert [r["status"] for r in result.rows] == ["done", "done"], result.rows
        runs[engine] = result
    assert ray.is_initialized()  # a Ray started by the caller is left running
    for name in ("a", "b"):
        ray_out, local_out = (tmp_path / engine / name for engine in ("ray", "local"))
        docs = [json.loads((d / "events.json").read_text()) for d in (ray_out, local_out)]
        assert docs[0]["events"] == docs[1]["events"]
        assert docs[0]["summary"] == docs[1]["summary"]
        assert len(jerks(docs[0])) >= 1
        series = [LandmarkSeries.load(d / "landmarks.npz") for d in (ray_out, local_out)]
        assert len(series[0].meta["chunks"]) == 2
        assert np.array_equal(series[0].xy, series[1].xy, equal_nan=True)
        assert np.array_equal(series[0].t, series[1].t)
    rows = [{k: v for k, v in r.items() if k != "output"} for r in runs["ray"].rows]
    assert rows == [{k: v for k, v in r.items() if k != "output"} for r in runs["local"].rows]
