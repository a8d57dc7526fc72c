"""Where batch's chunk tasks run: a local process pool, or a Ray cluster.

A chunk task is :func:`observe_chunk`: pose inference over one time range of one video. It
takes plain arguments (a path, floats, the config as a dict) and returns plain data (numpy
arrays and dicts), so the same function runs in a spawned local worker and as a Ray remote
function; no OpenCV or MediaPipe object is ever pickled: each task opens the video and creates
its own pose landmarker. An input problem comes back as data (``error``), not as an exception,
so that one bad file never stops the batch.

Both engines offer the same small interface: ``submit(key, args)``, ``wait(timeout)`` → the
tasks that finished, ``progress()`` → fractions of running tasks, ``close(cancel)``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import fields, is_dataclass, replace
from typing import Protocol

from vidmyo.config import Config
from vidmyo.errors import UsageError, VidmyoError

log = logging.getLogger(__name__)

ENGINES: tuple[str, ...] = ("local", "ray")
PR_SET_PDEATHSIG = 1
"""Linux prctl option: a signal the kernel sends to a worker when its parent dies."""
PROGRESS_EVERY_S = 0.5
"""A worker reports its progress at most this often."""

_progress_queue = None
"""Set in local pool workers (see :func:`_init_worker`); Ray tasks report only when done."""


def config_from_dict(data: dict) -> Config:
    """Rebuild a :class:`Config` from ``Config.to_dict()``: tasks get plain data only."""
    default = Config()
    values = {}
    for f in fields(Config):
        current = getattr(default, f.name)
        value = data.get(f.name, current)
        if is_dataclass(current) and isinstance(value, dict):
            value = type(current)(**value)
        values[f.name] = value
    return Config(**values)


def one_line(exc: BaseException) -> str:
    """An error as one line for summary.csv (Ray and others may add tracebacks)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[-1] if lines else ""
    return text if isinstance(exc, VidmyoError) else f"{type(exc).__name__}: {text}".rstrip(": ")


def error_result(message: str, kind: str = "InputError") -> dict:
    return {"error": message, "error_type": kind}


def observe_chunk(
    key: int,
    path: str,
    config: dict,
    read_from: float,
    start: float,
    end: float | None,
) -> dict:
    """Pose over ``read_from`` .. ``end`` of a video; keep the frames in [start, end).

    Reading starts before ``start`` (the overlap) so that MediaPipe's tracking has settled
    when the chunk's own range begins. ``end`` None: to the end of the video. Returns the kept
    series as arrays plus what :class:`vidmyo.pipeline.Observation` needs, or ``error``.
    """
    from vidmyo import pipeline

    cfg = replace(config_from_dict(config), start_s=read_from, end_s=end)
    try:
        obs = pipeline.observe(path, cfg, _reporter(key))
    except VidmyoError as exc:
        return error_result(str(exc), type(exc).__name__)
    series = obs.series
    keep = series.t >= start
    if end is not None:
        keep &= series.t < end
    if not keep.all():
        series = series.select(keep)
    return {
        "arrays": {f.name: getattr(series, f.name) for f in fields(series) if f.name != "meta"},
        "meta": series.meta,
        "video": obs.video.to_dict(),
        "pose_frames": obs.pose_frames,
        "rotation": obs.rotation,
        "wall_s": obs.wall_s,
        "problem": None if obs.problem is None else str(obs.problem),
        "problem_type": None if obs.problem is None else type(obs.problem).__name__,
    }


def _reporter(key: int):
    if _progress_queue is None:
        return None
    last = [0.0]

    def report(done: float, total: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S and total > 0:
            last[0] = now
            _progress_queue.put((key, min(max(done / total, 0.0), 1.0)))

    return report


def _init_worker(progress_queue, log_level: int, parent: int) -> None:
    """Runs once in each spawned worker: where to report progress, how much to log. Ctrl-C
    is left to the parent, which stops the workers itself; if the parent is killed outright,
    the workers end too instead of waiting forever for work."""
    global _progress_queue
    _progress_queue = progress_queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=log_level, format="vidmyo: %(levelname)s: %(message)s")
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError, TypeError):  # not Linux: no such guard
        pass
    if os.getppid() != parent:  # the parent died before the guard was set
        os._exit(1)


class Engine(Protocol):
    def submit(self, key: int, args: tuple) -> None: ...
    def wait(self, timeout: float) -> list[tuple[int, dict]]: ...
    def progress(self) -> dict[int, float]: ...
    def close(self, cancel: bool = False) -> None: ...


class LocalEngine:
    """A pool of ``jobs`` worker processes on this machine, started with "spawn" (MediaPipe
    does not survive fork)."""

    def __init__(self, jobs: int):
        ctx = multiprocessing.get_context("spawn")
        self._queue = ctx.Queue()
        self._before = {p.pid for p in multiprocessing.active_children()}
        level = logging.getLogger("vidmyo").getEffectiveLevel()
        self._pool = ProcessPoolExecutor(
            jobs,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(self._queue, level, os.getpid()),
        )
        self._futures: dict = {}

    def submit(self, key: int, args: tuple) -> None:
        self._futures[self._pool.submit(observe_chunk, key, *args)] = key

    def wait(self, timeout: float) -> list[tuple[int, dict]]:
        if not self._futures:
            return []
        done, _ = wait(self._futures, timeout=timeout, return_when=FIRST_COMPLETED)
        finished = []
        for future in done:
            key = self._futures.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool:
                result = error_result(
                    "a worker process died (out of memory, or a crash in the decoder or the "
                    "pose model); run the batch again to retry",
                    "VidmyoError",
                )
            except Exception as exc:  # a bug in a task: record it, keep the batch going
                log.debug("chunk task failed", exc_info=exc)
                result = error_result(one_line(exc), "VidmyoError")
            finished.append((key, result))
        return finished

    def progress(self) -> dict[int, float]:
        fractions: dict[int, float] = {}
        while True:
            try:
                key, fraction = self._queue.get_nowait()
            except (queue.Empty, OSError, ValueError):
                return fractions
            fractions[key] = fraction

    def close(self, cancel: bool = False) -> None:
        if cancel:
            self._pool.shutdown(wait=False, cancel_futures=True)
            for proc in multiprocessing.active_children():
                if proc.pid not in self._before:  # only the workers this engine started
                    proc.terminate()
            for proc in multiprocessing.active_children():
                if proc.pid not in self._before:
                    proc.join(5)
        else:
            self._pool.shutdown(wait=True)
        self._queue.close()
        self._queue.cancel_join_thread()


class RayEngine:
    """The same tasks as Ray remote functions. ``address`` joins an existing cluster (the
    videos' paths must then be readable on every node); without it a local Ray starts with
    ``jobs`` CPUs. A Ray already initialised by the caller (tests, notebooks) is used as is
    and left running."""

    def __init__(self, jobs: int, address: str | None = None, debug: bool = False):
        try:
            import ray
        except ImportError as exc:
            raise UsageError(
                "the ray engine needs Ray, which is not installed: pip install 'vidmyo[ray]'"
            ) from exc
        self._ray = ray
        self._owns = not ray.is_initialized()
        if self._owns:
            quiet = {
                "logging_level": logging.DEBUG if debug else logging.ERROR,
                "log_to_driver": debug,
                "include_dashboard": False,
            }
            try:
                if address:
                    ray.init(address=address, **quiet)
                else:
                    ray.init(address="local", num_cpus=jobs, **quiet)
            except Exception as exc:
                where = f"at {address}" if address else "locally"
                raise UsageError(f"cannot start or join Ray {where}: {one_line(exc)}") from exc
        self._task = ray.remote(num_cpus=1)(observe_chunk)
        self._refs: dict = {}

    def submit(self, key: int, args: tuple) -> None:
        self._refs[self._task.remote(key, *args)] = key

    def wait(self, timeout: float) -> list[tuple[int, dict]]:
        if not self._refs:
            return []
        refs = list(self._refs)
        ready, _ = self._ray.wait(refs, num_returns=1, timeout=timeout)
        if ready:
            ready, _ = self._ray.wait(refs, num_returns=len(refs), timeout=0)
        finished = []
        for ref in ready:
            key = self._refs.pop(ref)
            try:
                result = self._ray.get(ref)
            except Exception as exc:  # task crashed, worker or node lost
                log.debug("ray chunk task failed", exc_info=exc)
                result = error_result(one_line(getattr(exc, "cause", None) or exc), "VidmyoError")
            finished.append((key, result))
        return finished

    def progress(self) -> dict[int, float]:
        return {}

    def close(self, cancel: bool = False) -> None:
        if cancel:
            for ref in self._refs:
                self._ray.cancel(ref, force=True)
        self._refs.clear()
        if self._owns:
            self._ray.shutdown()


def make_engine(name: str, jobs: int, address: str | None = None) -> Engine:
    debug = logging.getLogger("vidmyo").getEffectiveLevel() <= logging.DEBUG
    if name == "ray":
        return RayEngine(jobs, address, debug)
    if name == "local":
        if address:
            raise UsageError("--address is for --engine ray")
        return LocalEngine(jobs)
    raise UsageError(f"unknown engine {name!r}; choose one of {ENGINES}")


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
