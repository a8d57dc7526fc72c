"""The live loop behind ``vidmyo monitor``: source → observer → detector → database, clips, alerts.

Frames come from a reader thread (:mod:`vidmyo.live_sources`) and go through the same
:class:`~vidmyo.observer.FrameObserver` and :class:`~vidmyo.events.JerkDetector` as
``vidmyo analyze``, so on the same frames both report the same events. Each event is committed
to the database (:mod:`vidmyo.store`) the moment the detector makes it final, before its clip
is written (:mod:`vidmyo.clips`) or an alert is sent (:mod:`vidmyo.alerts`); nothing slow runs
in this loop.

Besides events, the session records states: nobody in view (``no_pose``), the source lost
(``source_gap``, after which the detector starts afresh) and frames dropped because the
machine could not keep up (``frames_dropped``).

With ``--persons`` above 1, each event's ``person`` is the tracked person's slot in order of
first appearance in the session (0: the first person found); a live session cannot know in
advance who will be in view the longest, which is how ``analyze`` numbers them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import numpy as np

from vidmyo.alerts import Alerter
from vidmyo.clips import ClipRecorder
from vidmyo.config import Config, MonitorConfig
from vidmyo.errors import InputError, UsageError, VidmyoError
from vidmyo.events import JerkDetector
from vidmyo.landmarks import FrameLandmarks
from vidmyo.live_sources import (
    DEFAULT_FPS,
    FrameQueue,
    FrameReader,
    GapEnded,
    GapStarted,
    LiveFrame,
    SourceEnded,
    open_with_retries,
)
from vidmyo.outputs.overlay import draw_overlay
from vidmyo.results import FACING_UNSURE_ABOVE, Event
from vidmyo.store import Store, iso

log = logging.getLogger(__name__)

READ_TIMES_KEPT = 8192
"""Capture times of this many recent frames are kept, to measure each event's latency."""
HIGHLIGHT_S = 2.0
FACING_MIN_READINGS = 30
"""A window with fewer readings of which way a person faced (frames the pose model ran on)
leaves a ``sides_unsure`` state as it was."""


def default_observer(config: Config, fps: float):
    """The pose front end, built exactly as :func:`vidmyo.pipeline.observe` builds it."""
    from vidmyo.observer import FrameObserver  # mediapipe loads only when pose is needed

    return FrameObserver(config.pose, config.pose.persons, skip=config.skip, fps=fps)


@dataclass
class MonitorResult:
    """How a session went, for the command line's closing summary."""

    session_id: int
    source: str
    frames: int = 0
    dropped: int = 0
    duration_s: float = 0.0
    by_kind: Counter = field(default_factory=Counter)
    gaps: int = 0
    clips: int = 0
    sides_unsure: int = 0
    """``sides_unsure`` states opened."""
    end_reason: str = ""
    problem: InputError | None = None


class Monitor:
    """One monitoring session. Build it, then :meth:`run` until the source ends or
    :meth:`request_stop` is called (from a signal handler, another thread, the live view).

    Parameters
    ----------
    source : an unopened source from :func:`vidmyo.live_sources.open_source` (or a stand-in
        with the same methods).
    store : the database to record into.
    config, monitor : analysis settings (shared with ``analyze``) and monitor settings.
    clips_dir : where clips go; None: no clips.
    alerter : decides on and sends alerts; None: no alerts.
    view : a :class:`LiveView`, or None (headless).
    observer_factory : ``(config, fps) -> observer``; tests and the soak benchmark pass a
        stand-in that returns stored landmarks.
    on_event : called with each event's row right after it is committed.
    notify : called with one-line status messages (source lost, back) for the user.
    """

    def __init__(self, source, store: Store, config: Config, monitor: MonitorConfig, *,
                 clips_dir: Path | None = None, alerter: Alerter | None = None,
                 view: LiveView | None = None, observer_factory=default_observer,
                 on_event: Callable[[dict], None] | None = None,
                 notify: Callable[[str], None] | None = None,
                 settings_extra: dict | None = None):  # fmt: skip
        self.source = source
        self.store = store
        self.config = config
        self.cfg = monitor
        self.clips_dir = clips_dir
        self.alerter = alerter
        self.view = view
        self.observer_factory = observer_factory
        self.on_event = on_event
        self.notify = notify or (lambda message: None)
        self.settings_extra = settings_extra or {}
        self._stop = threading.Event()
        self.stop_reason = ""

    def request_stop(self, reason: str = "stopped") -> None:
        if not self._stop.is_set():
            self.stop_reason = reason
            self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # -- the session ----------------------------------------------------------------------------
    def run(self) -> MonitorResult:
        cfg = self.cfg
        open_with_retries(self.source, cfg.start_attempts, cfg.retry_first_s, cfg.retry_max_s,
                          self._stop, self.notify)  # fmt: skip
        self.fps = cfg.fps or self.source.fps or DEFAULT_FPS
        try:  # the model loads before the session's clock starts, so no frame waits for it
            observer = self.observer_factory(self.config, self.fps)
        except BaseException:
            self.source.close()
            raise
        with observer:
            self.observer = observer
            reader = self._start_session()
            reason = "error"
            try:
                reader.start()
                reason = self._loop()
                if not reason.startswith("error"):
                    for fl in observer.flush():
                        self._landmarks(fl)
                    if self.detector is not None:
                        self._record(self.detector.flush())
            except KeyboardInterrupt:
                reason = "interrupted"
                raise
            except BaseException as exc:
                reason = f"error: {exc}"
                raise
            finally:
                reader.stop()
                self._finish(reason)
        return self.result

    def _start_session(self) -> FrameReader:
        """The session's row, clock, frame queue, reader and clip recorder."""
        cfg = self.cfg
        self.started = time.time()
        origin = time.monotonic()
        settings = {
            "analysis": self.config.to_dict(),
            "monitor": cfg.to_dict(),
            "clips": str(self.clips_dir) if self.clips_dir else None,
            **self.settings_extra,
        }
        try:
            self.session = self.store.start_session(
                self.source.description, self.started, settings, self.config.pose.model
            )
        except BaseException:
            self.source.close()
            raise
        self.result = MonitorResult(self.session, self.source.description)
        self.notify(f"session {self.session}: recording {self.source.description} "
                    f"into {self.store.path}")  # fmt: skip
        lossless = self.source.lossless
        self.queue = FrameQueue(lossless, cfg.max_lag_s, cfg.thin_after_s)
        self.clips = None
        if self.clips_dir is not None:
            self.clips = ClipRecorder(self.clips_dir, self.session, cfg, self.started, self.fps,
                                      block=lossless)  # fmt: skip
        self._reset_state()
        return FrameReader(self.source, self.queue, origin, cfg.retry_first_s, cfg.retry_max_s,
                           self.notify)  # fmt: skip

    def _reset_state(self) -> None:
        self.detector: JerkDetector | None = None
        self.last_t = 0.0
        self._read_at: OrderedDict[int, float] = OrderedDict()
        self._seen_drops = 0
        self._drop_state: int | None = None
        self._drop_frames = 0
        self._last_drop_t = 0.0
        self._absent_since: float | None = None
        self._no_pose_state: int | None = None
        self._gap_state: int | None = None
        self._last_beat = time.monotonic()
        self._last_fl: FrameLandmarks | None = None
        self._highlight: tuple[list[str], float] = ([], 0.0)
        self._facing_since = 0.0
        self._facing_counts: np.ndarray | None = None
        self._sides_unsure: dict[int, int] = {}
        """Person slot -> its open ``sides_unsure`` state."""

    def _loop(self) -> str:
        while not self._stop.is_set():
            item = self.queue.get(timeout=0.2)
            if isinstance(item, LiveFrame):
                self._frame(item)
            elif isinstance(item, GapStarted):
                self._gap_started(item)
            elif isinstance(item, GapEnded):
                self._gap_ended(item)
            elif isinstance(item, SourceEnded):
                if item.problem is not None:
                    problem = item.problem
                    if not isinstance(problem, VidmyoError):
                        problem = InputError(f"{self.source.description}: {problem}")
                    self.result.problem = problem
                return item.reason
            self._housekeeping()
        return self.stop_reason or "stopped"

    def _frame(self, frame: LiveFrame) -> None:
        self.result.frames += 1
        self._read_at[frame.index] = frame.captured
        if len(self._read_at) > READ_TIMES_KEPT:
            self._read_at.popitem(last=False)
        self._drops(frame.t)
        if self.detector is None:
            h, w = frame.image.shape[:2]
            self.detector = JerkDetector(
                self.config.detector, self.fps, (w, h), self.config.pose.persons
            )
            self.store.update_session(self.session, fps=self.fps, width=w, height=h)
        if self.clips is not None:
            self.clips.add_frame(frame)
        for fl in self.observer.push(frame):
            self._landmarks(fl)
        self.last_t = frame.t
        if self.view is not None:
            self._show(frame)

    def _landmarks(self, fl: FrameLandmarks) -> None:
        self._pose_state(fl)
        if self.clips is not None:
            self.clips.add_landmarks(fl)
        self._last_fl = fl
        self._record(self.detector.update(fl))
        self._facing(fl.t)

    def _record(self, events: list[Event]) -> None:
        for event in events:
            read_at = self._read_at.get(event.offset_frame)
            latency = time.monotonic() - read_at if read_at is not None else None
            wall = iso(self.started + event.onset_s)
            event_id = self.store.add_event(self.session, event, wall, time.time(), latency)
            row = {"id": event_id, "session_id": self.session, **event.to_dict(),
                   "wall_time": wall, "latency_s": latency}  # fmt: skip
            if read_at is not None:
                row["committed_latency_s"] = time.monotonic() - read_at
            self.result.by_kind[event.kind] += 1
            if self.clips is not None:
                self.clips.add_event(event_id, event)
            if self.alerter is not None:
                context = {"session_id": self.session, "source": self.source.description}
                self.alerter.offer(row, event.onset_s, context)
            self._highlight = (event.regions, time.monotonic() + HIGHLIGHT_S)
            if self.on_event is not None:
                self.on_event(row)

    # -- states ---------------------------------------------------------------------------------
    def _at(self, t: float) -> str:
        return iso(self.started + t)

    def _pose_state(self, fl: FrameLandmarks) -> None:
        """Nobody in view for ``no_pose_min_s`` or longer is a state with a start and an end
        (a person out of bed), not an error."""
        if bool(fl.present.any()):
            if self._no_pose_state is not None:
                self.store.update_state(self._no_pose_state, end_s=fl.t, end_time=self._at(fl.t))
                self._no_pose_state = None
            self._absent_since = None
            return
        if self._absent_since is None:
            self._absent_since = fl.t
        elif self._no_pose_state is None and fl.t - self._absent_since >= self.cfg.no_pose_min_s:
            start = self._absent_since
            self._no_pose_state = self.store.open_state(
                self.session, "no_pose", start, self._at(start), "nobody in view"
            )

    def _facing(self, t: float, final: bool = False) -> None:
        """At the end of each ``facing_window_s``, and of the session: open a
        ``sides_unsure`` state for a person the pose model read the rarer way on more than
        ``FACING_UNSURE_ABOVE`` of the window's frames, and close it after a window where it
        could tell (``MonitorConfig``)."""
        if self.detector is None:
            return
        counts = self.detector.coverage.facing
        if self._facing_counts is None:
            self._facing_counts, self._facing_since = counts.copy(), t
        if t - self._facing_since < self.cfg.facing_window_s and not final:
            return
        start = self._facing_since
        for p, window in enumerate(counts - self._facing_counts):
            readings = int(window.sum())
            if readings < FACING_MIN_READINGS:
                continue
            rarer = int(window.min()) / readings
            state = self._sides_unsure.get(p)
            if rarer > FACING_UNSURE_ABOVE and state is None:
                reason = (f"person {p}: the pose model read the other way on {100 * rarer:.0f}% "
                          "of frames; left and right in the events may be swapped")  # fmt: skip
                self._sides_unsure[p] = self.store.open_state(
                    self.session, "sides_unsure", start, self._at(start), reason, readings
                )
                self.result.sides_unsure += 1
                self.notify(f"since {self._at(start)[11:19]}, {reason}")
            elif rarer <= FACING_UNSURE_ABOVE and state is not None:
                self.store.update_state(state, end_s=start, end_time=self._at(start))
                del self._sides_unsure[p]
        self._facing_counts, self._facing_since = counts.copy(), t

    def _close_sides_unsure(self) -> None:
        for state in self._sides_unsure.values():
            self.store.update_state(state, end_s=self.last_t, end_time=self._at(self.last_t))
        self._sides_unsure = {}

    def _drops(self, t: float) -> None:
        new = self.queue.dropped - self._seen_drops
        if new:
            self._seen_drops += new
            self._drop_frames += new
            self._last_drop_t = t
            if self._drop_state is None:
                self._drop_frames = new
                self._drop_state = self.store.open_state(
                    self.session, "frames_dropped", self.last_t, self._at(self.last_t),
                    "processing slower than the source", new,
                )  # fmt: skip
        elif self._drop_state is not None and t - self._last_drop_t >= self.cfg.drops_quiet_s:
            self._close_drops()

    def _close_drops(self) -> None:
        if self._drop_state is not None:
            end = self._last_drop_t
            self.store.update_state(self._drop_state, end_s=end, end_time=self._at(end),
                                    frames=self._drop_frames)  # fmt: skip
            self._drop_state = None

    def _gap_started(self, gap: GapStarted) -> None:
        """The source stopped: finish what the observer holds, then tell the detector the
        picture was interrupted (a frame without a pose), so that nothing is measured
        across the gap."""
        for fl in self.observer.flush():
            self._landmarks(fl)
        if self.detector is not None:
            marker = FrameLandmarks.empty(
                gap.index, max(gap.t, self.last_t + 1e-3), self.config.pose.persons
            )
            self._record(self.detector.update(marker))
            self.last_t = marker.t
        self.result.gaps += 1
        self._gap_state = self.store.open_state(
            self.session, "source_gap", gap.t, self._at(gap.t), gap.reason
        )

    def _gap_ended(self, gap: GapEnded) -> None:
        if self._gap_state is not None:
            self.store.update_state(self._gap_state, end_s=gap.t, end_time=self._at(gap.t))
            self._gap_state = None

    # -- upkeep ---------------------------------------------------------------------------------
    def _housekeeping(self) -> None:
        if self.clips is not None:
            self._clip_results(self.clips.results())
        now = time.monotonic()
        if now - self._last_beat >= self.cfg.heartbeat_s:
            self._last_beat = now
            self.store.update_session(
                self.session, frames=self.result.frames, frames_dropped=self.queue.dropped,
                duration_s=round(self.last_t, 3), last_seen=iso(time.time()),
            )  # fmt: skip
            if self._drop_state is not None:
                self.store.update_state(self._drop_state, frames=self._drop_frames)

    def _clip_results(self, results) -> None:
        for r in results:
            if r.clip is not None:
                self.result.clips += 1
            self.store.set_clip(r.event_ids, r.clip, r.snapshots)

    def _show(self, frame: LiveFrame) -> None:
        regions, until = self._highlight
        hot = regions if time.monotonic() < until else []
        kinds = self.result.by_kind
        lines = [
            f"{self.source.description}  {time.strftime('%H:%M:%S')}",
            f"jerks {kinds['jerk']}  other {sum(kinds.values()) - kinds['jerk']}"
            f"  dropped {self.queue.dropped}",
        ]
        if self._no_pose_state is not None:
            lines.append("nobody in view")
        image = frame.image.copy()
        fl = self._last_fl
        if fl is not None:
            draw_overlay(image, fl.xy, fl.visibility, highlight=hot, lines=lines)
        else:
            draw_overlay(image, FrameLandmarks.empty(0, 0.0).xy, lines=lines)
        if not self.view.show(image):
            self.request_stop("window closed")

    def _finish(self, reason: str) -> None:
        """Close what is open and write the session's end. Runs after errors too, so every
        step is guarded: the database must end up as complete as it can be."""
        self.result.end_reason = reason
        self.result.dropped = self.queue.dropped
        self.result.duration_s = self.last_t
        steps = [
            self._close_drops,
            lambda: self._close_state("_no_pose_state"),
            lambda: self._close_state("_gap_state"),
            lambda: self._facing(self.last_t, final=True),
            self._close_sides_unsure,
        ]
        if self.clips is not None:
            steps.append(lambda: self._clip_results(self.clips.close()))
        if self.alerter is not None:
            steps.append(self.alerter.close)
        if self.view is not None:
            steps.append(self.view.close)
        steps.append(lambda: self.store.update_session(
            self.session, ended_at=iso(time.time()), frames=self.result.frames,
            frames_dropped=self.result.dropped, duration_s=round(self.last_t, 3),
            last_seen=iso(time.time()), end_reason=reason,
        ))  # fmt: skip
        for step in steps:
            try:
                step()
            except Exception:
                log.warning("while ending the session", exc_info=True)

    def _close_state(self, attr: str) -> None:
        state = getattr(self, attr)
        if state is not None:
            self.store.update_state(state, end_s=self.last_t, end_time=self._at(self.last_t))
            setattr(self, attr, None)


class LiveView:
    """The ``--show`` window (OpenCV highgui). ``q`` or Esc in the window stops monitoring."""

    WINDOW = "vidmyo monitor"

    def __init__(self):
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            raise UsageError("--show needs a display and none is available (DISPLAY is not set); "
                             "run without --show")  # fmt: skip
        try:
            cv2.namedWindow(self.WINDOW, cv2.WINDOW_NORMAL)
        except cv2.error as exc:
            raise UsageError(f"--show cannot open a window: {exc.msg.strip()}") from exc

    def show(self, image) -> bool:
        """Show a frame; False once the user asked to stop."""
        cv2.imshow(self.WINDOW, image)
        key = cv2.waitKey(1) & 0xFF
        return key not in (ord("q"), 27)

    def close(self) -> None:
        with contextlib.suppress(cv2.error):
            cv2.destroyWindow(self.WINDOW)


def webhook_host(url: str | None) -> str | None:
    """What the session's settings keep of a webhook: its host, never a token in its path."""
    return urlsplit(url).netloc if url else None


@contextlib.contextmanager
def stop_on_signals(monitor: Monitor) -> Iterator[None]:
    """SIGINT and SIGTERM end the session cleanly; a second SIGINT interrupts the shutdown."""

    def handler(signum, _frame):
        if monitor.stopping and signum == signal.SIGINT:
            raise KeyboardInterrupt
        monitor.request_stop(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
