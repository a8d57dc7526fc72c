"""Motion → events: the one detector that offline analysis, ``detect`` and live monitoring share.

``JerkDetector.update(frame)`` takes one frame's landmarks and returns the events that became
final with it (a fraction of a second after their offset; with several people in view,
``max_jerk_s`` + ``context_s`` later, see ``DetectorConfig.partner_share``); ``flush()`` ends
the stream.
:func:`detect_events` is the offline path: only a loop over ``update``.

Per region, a movement starts when the region's excursion from rest exceeds ``trigger_z``
noise units and ``min_amplitude``; its onset is the first frame of the run above ``onset_z``
leading up to that; it ends when the region has been still (``quiet_z``) for ``quiet_s``.
Region movements whose onsets lie within ``merge_s`` form one event. An event is a jerk when
it is brief (``max_jerk_s``) and sudden (largest excursion within ``max_rise_s``); a longer
movement is ``tremor`` when it oscillates regularly at 2.5–12 Hz, otherwise ``movement``.
Anything starting next to a camera shake or a light change is labelled as such, never a jerk.
Where the motion gate's picture shows a sudden, brief change that no event of the landmarks
accounts for, a jerk with ``evidence`` "picture" is reported (``DetectorConfig.picture_jerks``).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from vidmyo.config import DetectorConfig
from vidmyo.landmarks import LIMBS, REGION_LANDMARKS, REGIONS, RIDES_ON_TRUNK, FrameLandmarks
from vidmyo.motion import (
    MotionSample,
    MotionTracker,
    frames_for,
    limbs_lying_on,
    region_amplitude,
)
from vidmyo.results import Coverage, Event, distribution_of

_TRUNK = REGIONS.index("trunk")
_RIDERS = {REGIONS.index(r) for r in RIDES_ON_TRUNK}
_LIMBS = {REGIONS.index(r) for r in LIMBS}


@dataclass
class RegionMovement:
    """One region's movement, from trigger to stillness."""

    region: int
    reference: npt.NDArray[np.float64]
    onset: MotionSample
    last_moving: MotionSample
    peak: MotionSample
    peak_excursion: float = 0.0
    peak_z: float = 0.0
    peak_speed: float = 0.0
    offset: MotionSample | None = None
    began_earlier: bool = False
    """The departure from rest began before the look-back window: a slow movement."""
    active_frames: int = 0
    quiet: list[MotionSample] = field(default_factory=list)
    samples: list[MotionSample] = field(default_factory=list)
    kind: str = ""
    return_fraction: float = 0.0
    below_trigger: bool = False
    """Triggered as a sudden movement, below ``trigger_z`` (at ``sudden_trigger_z``)."""
    picture: str = "own"
    """Where the picture changed with it: see :func:`_picture_evidence`."""
    carried: bool = False
    """Part of another region's jerk, not a region of it (see ``_PersonDetector._carried``)."""
    late: bool = False
    """...except that it is, followed late by the pose model: never the jerk's primary."""
    changed_so_far: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(len(REGIONS)))
    """Changed pixels per region, added up since its first departure; NaN in its own region
    once a frame's picture could not say (see :meth:`_PersonDetector._see`)."""
    changed_elsewhere: list[tuple[float, int]] = field(default_factory=list)
    before: list[MotionSample] = field(default_factory=list)
    """The frames before its first departure (the detector's look-back): what the picture
    was already doing."""

    @property
    def departure(self) -> MotionSample:
        """Its first departure from rest; a jerk's onset (the start of its sudden rise) may
        be later."""
        return self.samples[0] if self.samples else self.onset

    @property
    def end(self) -> MotionSample:
        return self.offset or self.last_moving

    @property
    def duration(self) -> float:
        return self.end.t - self.onset.t

    def track(self) -> list[tuple[float, npt.NDArray[np.float64]]]:
        idx = list(REGION_LANDMARKS[REGIONS[self.region]])
        return [(s.t, s.pos[idx].mean(axis=0)) for s in self.samples]

    def visibility(self) -> float:
        idx = list(REGION_LANDMARKS[REGIONS[self.region]])
        return float(np.mean([s.usable[idx].mean() for s in self.samples])) if self.samples else 0.0

    @property
    def rise(self) -> float:
        return self.peak.t - self.onset.t


def oscillation(track: list[tuple[float, npt.NDArray[np.float64]]]) -> tuple[float, int, float]:
    """(frequency in Hz, full cycles, irregularity) of a landmark path, from the reversals of
    its motion along the main axis. Irregularity is the coefficient of variation of the
    half-periods (0 = perfectly rhythmic)."""
    if len(track) < 6:
        return 0.0, 0, math.inf
    t = np.array([s for s, _ in track])
    p = np.array([q for _, q in track])
    ok = np.isfinite(p).all(axis=1)
    t, p = t[ok], p[ok]
    if len(t) < 6:
        return 0.0, 0, math.inf
    p = p - p.mean(axis=0)
    axis = np.linalg.svd(p, full_matrices=False)[2][0]
    x = p @ axis
    x = np.convolve(x, np.ones(2) / 2, mode="valid")  # two-frame smoothing against jitter
    tt = (t[1:] + t[:-1]) / 2
    v = np.diff(x)
    sign = np.sign(v[np.abs(v) > 1e-9])
    times = ((tt[1:] + tt[:-1]) / 2)[np.abs(v) > 1e-9]
    flips = np.nonzero(np.diff(sign) != 0)[0]
    if len(flips) < 3:
        return 0.0, len(flips) // 2, math.inf
    when = times[flips]
    half = np.diff(when)
    freq = 1.0 / (2.0 * float(np.median(half)))
    return freq, len(flips) // 2, float(np.std(half) / np.mean(half))


def _picture_evidence(
    m: RegionMovement, after: int, min_pixels: float, look_back: int
) -> tuple[str, list[tuple[float, int]]]:
    """Where the picture changed with a movement: on some frame from one before its onset
    (the landmarks may lag the picture by a frame) to ``after`` frames past its peak, by at
    least ``min_pixels`` changed pixels more than on a busy frame (the upper quartile) of the
    ``look_back`` frames before. A trembling arm, or the settling after a jerk, changes the
    picture on most frames, and the pose model's jumps come with that change, not with more.
    ``"own"`` in the region's own box (or the gate could not tell), ``"elsewhere"`` only in
    other regions' boxes, ``"none"`` nowhere on the person; with the (time, region) of each
    change elsewhere."""
    start = m.onset.index - 1
    window = [s for s in m.samples if start <= s.index <= m.peak.index + after]
    seen = np.array([_own_change(s) for s in window])
    if not len(seen) or np.isnan(seen[:, m.region]).all():
        return "own", []
    before = [s.changed_pixels for s in m.before]
    before += [s.changed_pixels for s in m.samples if s.index < start]
    changed = seen >= min_pixels + _busy(before[-look_back:])  # NaN compares False
    if changed[:, m.region].any():
        return "own", []
    # Another region's box vouches only out of a still picture (changed on at most one frame
    # in four before, as for a picture jerk): one that has been changing (a trembling arm)
    # shows nothing new when the pose model jumps beside it.
    if before:
        busy = (np.nan_to_num(np.stack(before[-look_back:])) >= min_pixels).mean(axis=0)
        changed[:, busy > 0.25] = False
    where = [(window[i].t, int(r)) for i, r in zip(*np.nonzero(changed), strict=True)]
    return ("elsewhere" if where else "none"), where


def _own_change(s: MotionSample) -> npt.NDArray[np.float64]:
    """Changed pixels of each region's box, less what a codec's key frame changed everywhere:
    the person's median share of a box's area, times the box's area. A key frame refreshes
    the picture's noise all over at once, every box by a count that grows with its area (11-74
    pixels a box at two large refreshes of a clip, the trunk's box, the largest, the most);
    a jerk on one changes its own box far more than the others (at 15 clip jerks whose only
    change fell on a key frame, the largest box 21-128 pixels above the refresh; at five
    false ones 1-8: ``docs/accuracy.md``, seventeenth and eighteenth passes)."""
    px = s.changed_pixels.astype(np.float64)
    if not s.key or s.box_areas is None or not np.isfinite(px / s.box_areas).any():
        return px
    refresh = np.nanmedian(px / s.box_areas) * s.box_areas
    return np.maximum(px - np.nan_to_num(refresh), 0.0)  # NaN stays NaN


def _unchanged(pictures: list[npt.NDArray[np.float32]], enough: float) -> bool:
    """Over these frames the picture stood still in these boxes: no pixel changed on most
    frames, and on none as many as ``enough``. False if a frame's picture is not known."""
    if not pictures:
        return False
    with warnings.catch_warnings():  # a frame whose boxes are all unknown stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        largest = np.nanmax(np.stack(pictures), axis=1)
    return bool(np.isfinite(largest).all() and np.median(largest) < 1 and largest.max() < enough)


def _box_unchanged(samples: list[MotionSample], region: int, enough: float) -> bool:
    """:func:`_unchanged` over one region's own box on these frames."""
    return _unchanged([p.changed_pixels[region : region + 1] for p in samples], enough)


def _busy(pictures: list[npt.NDArray[np.float32]]) -> npt.NDArray[np.float64]:
    """Changed pixels per region on a busy frame: the upper quartile over some frames (a
    tremor changes the picture on two frames of three, and the median missed it; the 90th
    percentile, which a single spike sets, lost a real jerk); 0 where none is known."""
    if not pictures:
        return np.zeros(len(REGIONS))
    with warnings.catch_warnings():  # a region no frame's picture could say anything about
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nan_to_num(np.nanpercentile(np.stack(pictures), 75, axis=0))


_UNKNOWN_LIGHTER = np.full(len(REGIONS), np.nan, np.float32)
_UNKNOWN_LIGHTER.flags.writeable = False


@dataclass
class _Burst:
    """A burst of change in a person's picture: ``samples`` from the still frame before it
    to the still frames after it; ``samples[1]`` is its onset, ``samples[last]`` the last
    frame that changed."""

    samples: list[MotionSample]
    last: int
    lighter: list[npt.NDArray[np.float32]]
    """Per sample, the changed pixels of each region's box that got lighter."""

    @property
    def onset(self) -> MotionSample:
        return self.samples[1]

    @property
    def end(self) -> MotionSample:
        return self.samples[self.last]


class _PictureWatch:
    """Bursts of change in one person's region boxes: out of a still picture, a sudden change
    that is over within ``max_jerk_s`` (the candidates for ``DetectorConfig.picture_jerks``).
    Keeps only the burst in hand, so memory stays flat."""

    def __init__(self, cfg: DetectorConfig, fps: float, long_side: float):
        self.cfg = cfg
        self.before: deque[bool] = deque(maxlen=frames_for(cfg.picture_still_s, fps))
        """Whether the picture changed, over the frames before the one in hand."""
        self.still_after = frames_for(cfg.still_window_s, fps)
        self.longest = frames_for(cfg.max_jerk_s, fps)
        self.max_shift = cfg.picture_jerk_shift * long_side
        self.prev: MotionSample | None = None
        self.lighter: list[npt.NDArray[np.float32]] = []
        self.prev_brightness = math.nan
        self.brightness_before = math.nan
        """The picture's mean brightness on the still frame before the burst."""
        self.samples: list[MotionSample] = []
        self.last = 0
        self.calm = True
        """Through the burst and the still frames after it: the background measured and
        still, and the picture's mean brightness where it was (a lamp or a screen lighting
        part of the bed changes it; a limb that moves and returns hardly does)."""

    def update(
        self,
        s: MotionSample,
        shift: npt.NDArray[np.float32] | None,
        brightness: float,
        lighter: npt.NDArray[np.float32],
    ) -> _Burst | None:
        """Push one frame; returns a burst that has just ended and looks like a jerk."""
        found = None
        px = s.changed_pixels
        if not np.isfinite(px).any():  # no picture to judge: start afresh
            self.samples = []
            self.before.clear()
        else:
            changed = bool(np.nanmax(px) >= self.cfg.picture_min_pixels)
            if changed and self._after_blip():  # start afresh from the still frame before
                self.samples = []
            if not self.samples and changed and self._was_still() and self.prev is not None:
                # The still frame before it is never judged: its lighter count is not kept.
                self.samples, self.lighter, self.calm = [self.prev], [_UNKNOWN_LIGHTER], True
                self.brightness_before = self.prev_brightness
            if self.samples:
                self.samples.append(s)
                self.lighter.append(lighter)
                steady = shift is not None and bool(np.hypot(*shift) <= self.max_shift)
                lit = abs(brightness - self.brightness_before) > (
                    self.cfg.picture_jerk_light * self.brightness_before
                )
                self.calm &= steady and not lit and not s.light_change
                if changed:
                    self.last = len(self.samples) - 1
                if len(self.samples) - 1 - self.last >= self.still_after:
                    found = self._judge(_Burst(self.samples, self.last, self.lighter))
                    self.samples = []
                elif self.last > self.longest:
                    self.samples = []  # the picture keeps changing: a movement, not a jerk
            self.before.append(changed)
        self.prev, self.prev_brightness = s, brightness
        return found

    def _was_still(self) -> bool:
        """Still on the frame before, and on three frames of four over ``picture_still_s``
        (a tremor changes the picture on two frames of three, with still gaps between)."""
        full = len(self.before) == self.before.maxlen
        return full and not self.before[-1] and sum(self.before) <= len(self.before) // 4

    def _after_blip(self) -> bool:
        """The burst in hand is one frame of small change followed by a still frame: noise,
        not a jerk's rise (which changes the picture on consecutive frames, a lot on one, or
        moves it as fast as ``picture_jerk_flow``: a jerk that rises within a frame and holds).
        A jerk that follows within the burst's time would be judged by the blip's frames."""
        if not self.samples or self.last != 1 or self.before[-1]:
            return False
        still, blip = self.samples[0], self.samples[1]
        moved = np.nan_to_num(blip.picture_moved) - np.nan_to_num(still.picture_moved)
        small = float(np.nan_to_num(_own_change(blip)).max()) < self.cfg.picture_jerk_pixels
        return small and not (moved >= self.cfg.picture_jerk_flow).any()

    def flush(self) -> None:
        """A burst the video ended in is not judged: whether the picture would have come to
        rest within ``max_jerk_s``, as a jerk's does, is not known (the first frames of a
        tremor look like a jerk's rise)."""
        self.samples = []

    def _judge(self, burst: _Burst) -> _Burst | None:
        """A jerk rises over two or three frames and changes the picture a lot on one of
        them (a codec's key frame refreshes the picture's noise on one frame only), or the
        picture itself moved that fast at the person's landmarks (``picture_jerk_flow``: a
        refresh of the noise moves nothing). A codec's key frame counts by what it changed
        beyond its refresh (:func:`_own_change`); one that changed nothing more leaves the
        flow through it untrusted: on a plain patch the flow can slide with the refresh (3
        pixels at both hips of a quiet person, on a clip)."""
        cfg = self.cfg
        rising = burst.samples[1 : min(4, burst.last + 1)]
        rise = np.array([np.nan_to_num(_own_change(p)).max() for p in rising])
        many_pixels = (
            rise.max() >= cfg.picture_jerk_pixels and (rise >= cfg.picture_min_pixels).sum() >= 2
        )
        # As fast as a jerk rises, from the person's still frame before the burst: the flow
        # runs from the last frame on which nothing changed anywhere, which can be long
        # before (a partner trembling), and through every frame since.
        keys = np.array([p.key for p in rising])
        trusted = ~np.logical_or.accumulate(keys & (rise < cfg.picture_min_pixels))
        before = np.nan_to_num(burst.samples[0].picture_moved)
        moved = (np.nan_to_num([p.picture_moved for p in rising]) - before)[trusted]
        if (
            self.calm
            and burst.last <= self.longest
            and (many_pixels or (moved >= cfg.picture_jerk_flow).any())
            and not self._one_way(burst, 1 + int(np.argmax(rise)))
        ):
            return burst
        return None

    def _one_way(self, burst: _Burst, i: int) -> bool:
        """On the burst's largest frame, the box that changed most got lighter (or darker)
        almost throughout: a light coming on or a shadow, not a limb moving (which lightens
        the picture at one edge and darkens it at the other). Unknown: not judged."""
        changed = np.nan_to_num(burst.samples[i].changed_pixels)
        r = int(np.argmax(changed))
        lighter = float(burst.lighter[i][r])
        if not np.isfinite(lighter) or changed[r] <= 0:
            return False
        share = lighter / changed[r]
        one_way = self.cfg.picture_jerk_one_way
        return share >= one_way or share <= 1.0 - one_way


class _PersonDetector:
    """Detection for one tracked person slot."""

    def __init__(
        self, config: DetectorConfig, fps: float, frame_size: tuple[int, int], person: int
    ):
        self.cfg = config
        self.fps = fps
        self.person = person
        self.motion = MotionTracker(config, fps, frame_size)
        self.recent: deque[MotionSample] = deque(maxlen=frames_for(config.max_rise_s + 0.2, fps))
        self.active: dict[int, RegionMovement] = {}
        self.finished: list[RegionMovement] = []
        self.post_rest: dict[int, tuple[int, npt.NDArray[np.float64]]] = {}
        self.artifacts: deque[tuple[float, str]] = deque()
        self.background_moving_since: float | None = None
        """First frame of the background's current run of shifts above still (see
        ``picture_jerk_shift``): a camera shake starts there, often a frame or more before
        its shift passes ``camera_shift``."""
        self.shake_logged_from: float | None = None
        self.long_moves: deque[tuple[float, float]] = deque(maxlen=64)
        """(onset, end) of recent region movements too long to be jerks: gross movements, and
        runs of a picture that kept changing on the person for as long (``_track_changing``)."""
        self.changed: deque[tuple[float, bool]] = deque(maxlen=3)
        """(time, whether the picture changed on the person) over the last three frames."""
        self.changing_since: float | None = None
        """First frame of the current run of a picture changing on two frames of three."""
        self.quiet_frames = frames_for(config.quiet_s, fps)
        self.min_active = max(1, math.ceil(config.min_active_s * fps - 1e-9))
        self.rest_frames = frames_for(config.baseline_s, fps) + config.baseline_gap_frames
        self.now = 0.0
        self.picture_after = frames_for(config.picture_after_s, fps)
        self.picture_by = frames_for(config.max_rise_s, fps) + self.picture_after
        """Frames from a movement's first departure by which a jerk has changed the picture."""
        self.cut_at: dict[int, int] = {}
        """Per region, the frame at which its last still-picture lead-in was cut off."""
        self.still_picture = 0
        """Movements set aside because the picture did not change where they were: jerk-like
        ones, and lead-ins cut off (see ``_still_lead_in``)."""
        self.vouched: deque[tuple[float, float, int]] = deque(maxlen=16)
        """(onset, end, region) of recent movements the picture changed with: jerks, and
        slower movements."""
        self.picture = _PictureWatch(config, fps, max(frame_size))
        self.picture_bursts: list[_Burst] = []
        """Bursts waiting until the landmarks' events around them are known."""
        self.reported: deque[tuple[float, float]] = deque(maxlen=64)
        """(onset, offset) of this person's recent events."""

    # -- per frame ------------------------------------------------------------------------------
    def update(self, frame: FrameLandmarks, slot: int) -> list[Event]:
        s = self.motion.update(
            frame.index,
            frame.t,
            frame.xy[slot],
            frame.visibility[slot],
            bool(frame.present[slot]),
            frame.brightness,
            frame.shift,
            frame.inferred,
            frame.changed_pixels[slot],
            frame.flow[slot],
            frame.key,
        )
        self.now = s.t
        if s.light_change:
            self.artifacts.append((s.t, "light_change"))
        shifted = frame.shift is not None and np.hypot(*frame.shift) > self.picture.max_shift
        if not shifted:  # NaN (not measured) compares false
            self.background_moving_since = None
        elif self.background_moving_since is None:
            self.background_moving_since = s.t
        if s.camera_moved:
            start = self.background_moving_since
            if start is not None and start < s.t and start != self.shake_logged_from:
                self.artifacts.append((start, "camera_shake"))
                self.shake_logged_from = start
            self.artifacts.append((s.t, "camera_shake"))
        while self.artifacts and self.artifacts[0][0] < s.t - 30.0:
            self.artifacts.popleft()
        self._track_changing(s)
        for r in range(len(REGIONS)):
            if r in self.active:
                self._continue(r, s)
            else:
                self._maybe_start(r, s)
        self.recent.append(s)
        if self.cfg.picture_jerks and self.cfg.picture_check:
            lighter = frame.lighter_pixels[slot][self.motion.box_regions]
            burst = self.picture.update(s, frame.shift, frame.brightness, lighter)
            if burst is not None:
                self.picture_bursts.append(burst)
        return self._emit(final=False)

    def _track_changing(self, s: MotionSample) -> None:
        """A picture that keeps changing on the person, on two frames of three (a tremor's
        beats), for longer than a jerk lasts is a longer movement, even where the landmarks
        hardly show it (a 0.03 tremor): logged in ``long_moves`` as it goes on, so that a
        jerk-like piece of it is part of it (``_within_gross_movement``)."""
        px = _own_change(s)
        if not self.cfg.picture_check or not np.isfinite(px).any():
            self.changed.clear()
            self.changing_since = None
            return
        self.changed.append((s.t, bool(np.nanmax(px) >= self.cfg.picture_min_pixels)))
        if sum(c for _, c in self.changed) < 2:
            self.changing_since = None
            return
        if self.changing_since is None:
            self.changing_since = next(t for t, c in self.changed if c)
        since = self.changing_since
        if s.t - since <= self.cfg.max_jerk_s:
            return
        for i in reversed(range(len(self.long_moves))):  # a region's may have come since
            if self.long_moves[i][0] == since:
                self.long_moves[i] = (since, s.t)
                return
        self.long_moves.append((since, s.t))

    def _reference(self, r: int, s: MotionSample) -> npt.NDArray[np.float64]:
        """Rest position for region ``r``: the rolling rest, or right after a movement the
        position the region settled in (until the rolling window holds only later frames)."""
        post = self.post_rest.get(r)
        if post is not None:
            if s.index - post[0] <= self.rest_frames:
                return post[1]
            del self.post_rest[r]
        return s.baseline

    def _maybe_start(self, r: int, s: MotionSample) -> None:
        if not s.region_seen[r] or not np.isfinite(s.excursion_z[r]):
            return
        reference = self._reference(r, s)
        if reference is s.baseline:
            exc, z = s.excursion[r], s.excursion_z[r]
        else:
            exc, z = s.region_excursion(r, reference)
        trigger = self.cfg.trigger_z
        if (
            self.cfg.sudden_trigger_z <= z < trigger
            and self._picture_known(r, s)
            and self._sudden(r, s)
        ):
            trigger = min(trigger, self.cfg.sudden_trigger_z)
        if not (z >= trigger and exc >= self.cfg.min_amplitude):
            return
        # Walk back to the start of the sudden departure: frames still clearly away from rest,
        # and by a fair share of the excursion now (the pose model's small drifts and steps
        # before a jerk are not its onset).
        _, z_now = s.region_excursion(r, reference)
        floor = max(self.cfg.onset_z, self.cfg.onset_fraction * z_now)
        onset, earlier = s, True
        for prev in reversed(self.recent):
            if prev.index < self.cut_at.get(r, -1):  # not back into a lead-in cut off
                earlier = False
                break
            _, zp = prev.region_excursion(r, reference)
            if not (prev.region_seen[r] and zp >= floor):
                earlier = False
                break
            onset = prev
        m = RegionMovement(region=r, reference=reference, onset=onset, last_moving=s, peak=s)
        m.below_trigger = not z >= self.cfg.trigger_z
        m.began_earlier = earlier and len(self.recent) == self.recent.maxlen
        m.samples = [p for p in self.recent if p.index >= onset.index]
        m.before = [p for p in self.recent if p.index < onset.index]
        m.active_frames = len(m.samples)
        for p in m.samples:
            self._see(m, p)
        self.active[r] = m
        self._continue(r, s)

    def _sudden(self, r: int, s: MotionSample) -> bool:
        """Region ``r`` moved suddenly within the last stillness window. Not only on this
        frame: a jerk's excursion often goes on rising a frame or two after its fastest
        frame, so the two thresholds of ``sudden_speed_z`` meet on different frames."""
        if s.speed_z[r] >= self.cfg.sudden_speed_z:
            return True
        window = self.motion.still_frames - 1
        return any(
            p.speed_z[r] >= self.cfg.sudden_speed_z
            for p in itertools.islice(reversed(self.recent), window)
        )

    def _picture_known(self, r: int, s: MotionSample) -> bool:
        """The picture check can confirm a movement of region ``r`` (see ``sudden_speed_z``)."""
        return self.cfg.picture_check and bool(np.isfinite(s.changed_pixels[r]))

    def _see(self, m: RegionMovement, s: MotionSample) -> None:
        """Add up where the picture has changed since the movement's first departure. Added
        up, not frame by frame: a slow real movement changes a few pixels on every frame; the
        pose model wandering on a still picture changes none."""
        unknown = np.isnan(s.changed_pixels[m.region])
        m.changed_so_far = m.changed_so_far + np.nan_to_num(s.changed_pixels)
        if unknown:  # and stays so: NaN + anything is NaN
            m.changed_so_far[m.region] = np.nan

    def _still_lead_in(self, m: RegionMovement, s: MotionSample) -> bool:
        """The movement has gone on for as long as a jerk may take to change the picture, and
        the picture has not changed where a jerk of this region must change it (anywhere on
        the person; in its own box for a weak one), not even added up over its frames: from
        its current onset it can no longer be a jerk. (``_classify`` asks the same of a jerk
        frame by frame, which is stricter.) In dark footage the pose model's arm
        often wanders for a while before a real jerk; left active, the wandering would take
        the jerk into one long movement (or tremor) and hide it."""
        first = m.samples[0] if m.samples else s
        if not self.cfg.picture_check or s.index - first.index < self.picture_by:
            return False
        own = m.changed_so_far[m.region]
        if np.isnan(own) or own >= self.cfg.picture_min_pixels:
            return False
        elsewhere = bool((m.changed_so_far >= self.cfg.picture_min_pixels).any())
        return not elsewhere or self._weak(m)

    def _picture_stood_still(self, m: RegionMovement) -> bool:
        """No pixel changed in the region's own box on most of the movement's frames, and on
        none as many as a jerk changes: the pose model wandered (a clip's trunk under a
        blanket, for 9 frames; an arm while the leg jerked). Reported as a slow movement, it
        took in the jerk that came 7 frames later (the leg's, at once). A slow real movement
        changes a few pixels on every frame."""
        if not self.cfg.picture_check:
            return False
        return _box_unchanged(m.samples, m.region, self.cfg.picture_min_pixels)

    def _picture_arrives_late(self, m: RegionMovement, s: MotionSample) -> bool:
        """The picture changes in the region's box on this frame, after a lead-in on which it
        stayed still (see :func:`_unchanged`), for longer than landmarks and picture can be
        apart. The lead-in was the pose model wandering (the hips under a blanket), and the
        change is something new: kept in the movement, the wandering made a jerk after it
        one slow movement or a tremor. A slow real movement changes a few pixels on every
        frame, and stays whole."""
        enough = self.cfg.picture_min_pixels
        if not self.cfg.picture_check or not s.changed_pixels[m.region] >= enough:
            return False
        if not m.samples or s.index - m.samples[0].index <= self.picture_after:
            return False
        return _box_unchanged(m.samples, m.region, enough)

    def _cut_lead_in(self, r: int, s: MotionSample) -> None:
        """Set the movement of region ``r`` aside; one may start afresh at ``s`` (not before)."""
        del self.active[r]
        self.still_picture += 1
        self.cut_at[r] = s.index
        self._maybe_start(r, s)

    def _continue(self, r: int, s: MotionSample) -> None:
        m = self.active[r]
        if not s.region_seen[r]:
            self._finish(r, s)
            return
        if self._picture_arrives_late(m, s):  # the lead-in goes; the change starts afresh
            self._cut_lead_in(r, s)
            return
        self._see(m, s)
        if self._still_lead_in(m, s):  # set it aside; what follows may start afresh
            self._cut_lead_in(r, s)
            return
        exc, z = s.region_excursion(r, m.reference)
        m.samples.append(s)
        if z >= self.cfg.onset_z:
            m.active_frames += 1
        if np.isfinite(exc) and exc > m.peak_excursion:
            m.peak_excursion, m.peak_z, m.peak = exc, z, s
        if np.isfinite(s.speed[r]):
            m.peak_speed = max(m.peak_speed, float(s.speed[r]))
        moving = not (s.speed_z[r] < self.cfg.quiet_z)
        if moving:
            m.last_moving = s
            m.quiet.clear()
        else:
            m.quiet.append(s)
        if len(m.quiet) >= self.quiet_frames and self._holding(m, exc):
            return  # a jerk may hold before it returns: wait for the return
        if len(m.quiet) >= self.quiet_frames or s.t - m.onset.t > self.cfg.max_event_s:
            self._finish(r, s)

    def _holding(self, m: RegionMovement, exc: float) -> bool:
        """The region rose suddenly, by less than a step of the pose model can be, and stands
        still away from rest (``exc`` now): finished here, it would be a step. A jerk can hold
        for a while before it returns, and the pose model's smoothing holds it longer, so
        stillness is not the end of it until ``max_jerk_s`` after its onset, if the picture
        changed with it in its own box. (Without pictures, waiting made more of the
        simulated jitter's drifts back look like returns: ``docs/accuracy.md``.)"""
        cfg = self.cfg
        if m.began_earlier or m.rise > cfg.max_rise_s or self.now - m.onset.t >= cfg.max_jerk_s:
            return False
        if not m.changed_so_far[m.region] >= cfg.picture_min_pixels:  # or NaN: unknown
            return False  # without the picture's word, a still shift is a step
        unreturned = not exc < (1.0 - cfg.min_return) * m.peak_excursion
        return m.peak_excursion < self._step_limit(m) and unreturned

    def _step_limit(self, m: RegionMovement) -> float:
        """Below this a sudden shift that stays may be the pose model stepping."""
        cfg = self.cfg
        return max(cfg.step_amplitude, cfg.step_noise_units * float(m.peak.noise[m.region]))

    def _finish(self, r: int, s: MotionSample) -> None:
        m = self.active.pop(r)
        # Stillness is judged over a window of k frames, so the last real movement was k-1
        # frames before the last frame judged moving.
        back = self.motion.still_frames - 1
        moved = [p for p in m.samples if p.index <= m.last_moving.index - back]
        m.offset = max(moved[-1], m.peak, key=lambda p: p.index) if moved else m.last_moving
        if m.quiet:
            with warnings.catch_warnings():  # landmarks unseen while settling are all-NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                rest = np.nanmedian(np.stack([q.pos for q in m.quiet]), axis=0)
        else:
            rest = s.pos
        final_exc = region_amplitude(rest - m.reference, r)
        if not np.isfinite(final_exc):
            final_exc = m.peak_excursion
        m.return_fraction = float(np.clip(1.0 - final_exc / max(m.peak_excursion, 1e-9), 0, 1))
        if m.quiet:
            self.post_rest[r] = (s.index, rest)
        self._end_with_picture(m)
        if m.active_frames < self.min_active and not self._brief_enough(m):
            return  # a one-frame glitch of the pose model, not a movement
        self._refine_onset(m)
        if self._weak(m) and self._run_from_onset(m) < self.min_active:
            return  # a weak movement must last by itself, not with the drift walked back over
        m.kind = self._classify(m)
        if m.kind in ("movement", "tremor") and self._picture_stood_still(m):
            m.kind = "still_picture"
        if m.kind == "still_picture":
            self.still_picture += 1
        if self._long_through_change(m):
            self.long_moves.append((m.departure.t, m.end.t))
        if m.kind in ("step", "still_picture"):
            return
        if m.kind != "jerk":  # a slow movement starts where it first left rest
            m.onset = m.departure
        if m.duration > self.cfg.max_jerk_s:
            self.long_moves.append((m.onset.t, m.end.t))
        own_jerk = m.kind == "jerk" and m.picture == "own"
        if own_jerk or (m.kind != "jerk" and self._shown(m)):
            self.vouched.append((m.onset.t, m.end.t, m.region))
        self.finished.append(m)

    def _flow_stood_still(self, m: RegionMovement) -> bool:
        """The picture's flow, followed at the region on every frame from one before the
        movement's onset to ``picture_after`` past its peak, moved less than
        ``picture_glitch_share`` of the landmarks' excursion anywhere on the person: a jerk
        of the landmarks there is the pose model's. At its simplest nothing on the person
        changed at the motion gate's fixed grey-level step (``PictureFlow`` gives zero then),
        though the region's box may have changed a little: on seven sets of clips, of 439
        landmark jerks two had such frames only, both false (dark arms thrown 0.28 and 0.64
        torso lengths; ``scripts/measure_picture_artefacts.py``). A pose model unsure whether
        the person faces it or not sweeps one side's landmarks across the body while the
        picture hardly moves (``docs/accuracy.md``, twenty-sixth pass). Where the flow lost
        the region (a fast limb), the landmarks decide."""
        if not self.cfg.picture_check:
            return False
        start, end = m.onset.index - 1, m.peak.index + self.picture_after
        moved = np.array([p.picture_moved for p in m.samples if start <= p.index <= end])
        if not len(moved) or np.isnan(moved[:, m.region]).any():
            return False
        return float(np.nanmax(moved)) < self.cfg.picture_glitch_share * m.peak_excursion

    def _shown(self, m: RegionMovement) -> bool:
        """A movement's own box changed with it by ``picture_min_pixels`` on some frame."""
        enough = self.cfg.picture_min_pixels
        return self.cfg.picture_check and any(_own_change(p)[m.region] >= enough for p in m.samples)

    def _long_through_change(self, m: RegionMovement) -> bool:
        """The region moved for longer than a jerk from its first departure, and its own
        box's picture changed on more than a quarter of the frames before the jerk-like piece
        it ended in: a real longer movement (a tremor's first beats), whatever that piece
        was. Around it, jerk-like movements are its parts (``_within_gross_movement``)."""
        if m.end.t - m.departure.t <= self.cfg.max_jerk_s:
            return False
        lead = [_own_change(p)[m.region] for p in m.samples if p.index < m.onset.index]
        enough = self.cfg.picture_min_pixels
        return bool(lead) and float(np.mean(np.nan_to_num(lead) >= enough)) > 0.25

    def _end_with_picture(self, m: RegionMovement) -> None:
        """A sudden movement too long for a jerk ends where its own box's picture stopped
        changing (the landmarks lag it by ``picture_after_s``), if it stood still from there
        on: the pose model's landmarks can go on jittering over a still picture after a jerk.
        A shorter one keeps the landmarks' end: a jerk may hold still before it returns."""
        cfg = self.cfg
        if m.began_earlier or m.rise > cfg.max_rise_s or m.duration <= cfg.max_jerk_s:
            return
        own = [float(p.changed_pixels[m.region]) for p in m.samples]
        changed = [i for i, px in enumerate(own) if px >= cfg.picture_min_pixels]
        if not changed:
            return
        last = min(changed[-1] + self.picture_after, len(m.samples) - 1)
        end = max(m.samples[last], m.peak, key=lambda p: p.index)
        tail = [p for p in m.samples if p.index > end.index]
        if end.index < m.end.index and _box_unchanged(tail, m.region, cfg.picture_min_pixels):
            m.offset = end

    def _brief_enough(self, m: RegionMovement) -> bool:
        """Whether a movement too short to be more than a glitch is still a jerk: its own
        excursion reaches ``brief_z``, or, with the other regions above the trigger on its
        peak frame, the frame's combined excursion (root sum of squares) does. A 50 ms
        generalized jerk is one frame at 25-30 fps and catches each region at a fraction
        of its size; the pose model's one-frame glitches rarely throw several regions at
        once, and then still need this much together."""
        z = m.peak.excursion_z
        strong = z[np.isfinite(z) & (z >= self.cfg.trigger_z)]
        together = float(np.sqrt(np.sum(strong**2))) if len(strong) > 1 else 0.0
        return max(m.peak_z, together) >= self.cfg.brief_z

    def _weak(self, m: RegionMovement) -> bool:
        """Triggered below ``trigger_z`` as a sudden movement and never reached it."""
        return m.below_trigger and not m.peak_z >= self.cfg.trigger_z

    def _run_from_onset(self, m: RegionMovement) -> int:
        """Consecutive frames from the (refined) onset on which the region stayed ``onset_z``
        noise units from rest."""
        run = 0
        for p in m.samples:
            if p.index < m.onset.index:
                continue
            if not p.region_excursion(m.region, m.reference)[1] >= self.cfg.onset_z:
                break
            run += 1
        return run

    def _refine_onset(self, m: RegionMovement) -> None:
        """Move the onset to the start of the sudden rise that leads to the peak: a small
        drift that first crossed the trigger is not the jerk's onset."""
        floor = max(self.cfg.onset_z, self.cfg.onset_fraction * m.peak_z)
        before_peak = [p for p in m.samples if p.index <= m.peak.index]
        onset = m.peak
        for p in reversed(before_peak):
            _, z = p.region_excursion(m.region, m.reference)
            if not z >= floor:
                break
            onset = p
        if onset.index > m.onset.index:
            m.onset = onset

    def _classify(self, m: RegionMovement) -> str:
        cfg = self.cfg
        sudden = m.rise <= cfg.max_rise_s and not m.began_earlier
        # A small sudden shift that stays is how the pose model jumps between nearby
        # solutions; a jerk that small must also move back towards rest.
        stayed = m.return_fraction < cfg.min_return and m.peak_excursion < self._step_limit(m)
        if sudden and m.duration <= cfg.max_jerk_s:
            if stayed:
                return "step"
            if cfg.picture_check:
                m.picture, m.changed_elsewhere = _picture_evidence(
                    m, self.picture_after, cfg.picture_min_pixels, self.recent.maxlen
                )
            if m.picture == "none" or self._flow_stood_still(m):
                return "still_picture"
            if m.picture != "own" and self._weak(m):
                return "still_picture"  # a weak, sudden one needs its own region's picture
            return "jerk"
        freq, cycles, irregularity = oscillation(m.track())
        if (
            cfg.tremor_min_hz <= freq <= cfg.tremor_max_hz
            and cycles >= cfg.tremor_min_cycles
            and irregularity < 0.5
        ):
            return "tremor"
        return "movement"

    # -- grouping regions into events -------------------------------------------------------------
    def _emit(self, final: bool) -> list[Event]:
        cfg = self.cfg
        out: list[Event] = []
        while self.finished:
            self.finished.sort(key=lambda m: m.onset.t)
            window_end = self.finished[0].onset.t + cfg.merge_s
            group = [m for m in self.finished if m.onset.t <= window_end]
            if not final and not self._settled(group, window_end):
                break
            explained = [m for m in group if self._explained_elsewhere(m)]
            if explained:  # set aside; the rest may group differently without them
                self.still_picture += len(explained)
                self.finished = [m for m in self.finished if all(m is not g for g in explained)]
                continue
            kind = self._kind(group)
            if kind == "jerk":
                group += self._carried(group, window_end)
            else:  # one event for one gross movement, however many pieces
                group = self._absorb(group)
                if not final and not self._settled(group, window_end):
                    break
            self.finished = [m for m in self.finished if all(m is not g for g in group)]
            out.append(self._event(group, kind))
            self.reported.append((out[-1].onset_s, out[-1].offset_s))
        return out + self._picture_jerks(final)

    def _picture_jerks(self, final: bool) -> list[Event]:
        """Jerks the picture showed and the landmarks did not: each burst, once every
        movement of the landmarks that could overlap it has become an event or been set
        aside, unless an event of this person overlaps it, a longer movement goes on, or the
        camera or the light changed nearby (``context_s``). A movement that departed by the
        burst's end is waited for however long it goes on (at most ``max_event_s``; under 2 s
        on the clips): the pose model can throw a region about on a still picture for longer
        than a jerk lasts while another region jerks, and that movement, set aside once it
        ends, said nothing (``docs/accuracy.md``, twenty-eighth pass)."""
        cfg = self.cfg
        near = cfg.context_s
        out: list[Event] = []
        waiting: list[_Burst] = []
        for burst in self.picture_bursts:
            lo, hi = burst.onset.t - cfg.merge_s, burst.end.t + cfg.merge_s
            if not final and (
                self.now < burst.end.t + near
                or any(m.onset.t <= hi for m in self.finished)
                or any(m.departure.t <= hi for m in self.active.values())
            ):
                waiting.append(burst)
                continue
            overlapping = (
                any(m.departure.t <= hi for m in self.active.values())  # a longer movement
                or any(a <= hi and b >= lo for a, b in self.reported)
                or any(a <= hi + near and b >= lo - near for a, b in self.long_moves)
                or any(lo - near <= t <= hi + near for t, _ in self.artifacts)
            )
            event = None if overlapping else self._picture_event(burst)
            if event is not None:
                out.append(event)
                self.reported.append((event.onset_s, event.offset_s))
        self.picture_bursts = waiting
        return out

    def _picture_event(self, burst: _Burst) -> Event | None:
        """The jerk a burst shows. Its regions: where the picture itself moved (the flow at
        the landmarks, ``MotionSample.picture_moved``), the one that moved most and those that
        moved with it (``_moved_with``); its amplitude is how far the first moved. Where the
        flow moved less than ``picture_jerk_region_floor`` wherever it was known, or is unknown
        (files written before it was recorded), one region, from the gate's boxes: of those
        whose box changed at least half as much as the box that changed most (the trunk's
        large box overlaps the arms and the head), the one whose landmarks moved most (noise
        units). The flow misses a limb it lost, or one the pose model placed off the limb
        (it then follows the background): on the second man's clips such jerks went to the
        head or the trunk by the flow's noise (``docs/accuracy.md``, twenty-ninth pass). Its
        amplitude is then what the flow measured, a lower bound: the landmarks had wandered
        0.4-1.0 torso lengths there. Where the flow measured nothing (unknown, or zero
        wherever known), the landmarks' amplitude. Nobody's if no pose was found."""
        window = burst.samples[: self.picture_by + 2]
        changing = burst.samples[1 : burst.last + 1]
        with warnings.catch_warnings():  # regions unseen throughout are all-NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            z = np.nanmax(np.array([p.excursion_z for p in window]), axis=0)
            if not np.isfinite(z).any():
                return None
            moved = np.nanmax(np.array([p.picture_moved for p in changing]), axis=0)
            measured = float(np.nanmax(moved, initial=0.0))
            if measured >= self.cfg.picture_jerk_region_floor:
                r = int(np.nanargmax(moved))
                amplitude = float(moved[r])
                on_it = self._lying_on(r, burst.onset, moved)
                regions = self._moved_with(np.where(on_it, np.nan, moved), r)
            else:
                boxes = np.nan_to_num(np.array([p.changed_pixels for p in changing])).sum(axis=0)
                changed_most = np.where(boxes >= 0.5 * boxes.max(), z, np.nan)
                r = int(np.nanargmax(changed_most if np.isfinite(changed_most).any() else z))
                amplitude = measured or float(np.nanmax([p.excursion[r] for p in window]))
                regions = [r]
            speed = float(np.nanmax([p.speed[r] for p in window]))
        onset, end = burst.onset, burst.end
        peak = max(changing, key=lambda p: float(np.nanmax(p.changed_pixels)))
        return Event(
            kind="jerk",
            onset_s=onset.t,
            offset_s=end.t,
            peak_s=peak.t,
            regions=[REGIONS[i] for i in regions],
            primary_region=REGIONS[r],
            distribution=distribution_of([REGIONS[i] for i in regions]),
            peak_speed=speed,
            amplitude=amplitude,
            confidence=self.cfg.picture_jerk_confidence,
            person=self.person,
            onset_frame=onset.index,
            peak_frame=peak.index,
            offset_frame=end.index,
            duration_s=end.t - onset.t,
            rise_s=peak.t - onset.t,
            return_fraction=float("nan"),
            snr=float(np.nan_to_num(z[r])),
            evidence="picture",
        )

    def _carried(self, group: list[RegionMovement], window_end: float) -> list[RegionMovement]:
        """Jerk-like movements of other regions that left rest with the group's jerk, or
        before its largest region was back at rest, but rose later and less far than that
        region: that jerk's aftermath (the head riding a trunk jerk rises again as the trunk
        returns; an arm it swings rises on its own a few frames later), not jerks of their
        own. They end with the event and are not among its regions. One that rose farther
        is carried where the picture says its region moved with the group's onset
        (``_seen_late``): among the regions, but its landmarks' size is not the jerk's."""
        primary = max(group, key=lambda m: m.peak_excursion)
        largest = primary.peak_excursion
        until = max(window_end, primary.end.t)
        carried = [
            m
            for m in self.finished
            if all(m is not g for g in group)
            and m.kind == "jerk"
            and m.departure.t <= until
            and (m.peak_excursion < largest or self._seen_late(m, group))
        ]
        for m in carried:
            m.carried = True
            m.late = not m.peak_excursion < largest
        return carried

    def _seen_late(self, m: RegionMovement, group: list[RegionMovement]) -> bool:
        """The picture changed in the movement's own box from the group's onset on, before
        its landmarks left rest: the pose model followed that region's part of the jerk
        late (in dark footage by several frames), however far its landmarks then went."""
        since = min(g.onset.index for g in group) - 1  # the landmarks may lag a frame
        enough = self.cfg.picture_min_pixels
        return any(_own_change(p)[m.region] >= enough for p in m.before if p.index >= since)

    def _explained_elsewhere(self, m: RegionMovement) -> bool:
        """A jerk-like movement whose own region's picture did not change, while another
        region's did, is set aside when that change belongs to a movement of the other
        region that changed its own box: the movement was a glitch of the pose model beside a
        real jerk (legs gliding as the model re-tracks an arm jerk), or beside a slow
        movement (an arm jumping as a dark clip's leg is raised). Otherwise it is kept: the
        picture shows that something jerked then, and the landmarks only misplace it."""
        slack = self.cfg.picture_after_s  # landmarks and picture are a frame or two apart
        return any(
            r == region and onset - slack <= t <= end + slack
            for t, region in m.changed_elsewhere
            for onset, end, r in self.vouched
        )

    def _settled(self, group: list[RegionMovement], window_end: float) -> bool:
        """Can this group be emitted? Not while a region that may join it is moving, before the
        context window after its end has passed, or while a movement nearby may yet turn out
        to be a gross one."""
        cfg = self.cfg
        end = max(m.end.t for m in group)
        if self.now < max(window_end, end + cfg.context_s):
            return False
        # While the picture goes on changing, the group may be part of a longer movement.
        since = self.changing_since
        changing = since is not None and since <= end + cfg.context_s
        if changing and self.now - since <= cfg.max_jerk_s:
            return False
        return not any(
            m.onset.t <= window_end
            or (m.onset.t <= end + cfg.context_s and self.now - m.onset.t <= cfg.max_jerk_s)
            for m in self.active.values()
        )

    def _absorb(self, group: list[RegionMovement]) -> list[RegionMovement]:
        """Add every finished movement that overlaps the group (within ``context_s``),
        transitively: turning over is one movement, not a dozen."""
        group = list(group)
        grew = True
        while grew:
            end = max(m.end.t for m in group) + self.cfg.context_s
            extra = [
                m for m in self.finished if m.onset.t <= end and all(m is not g for g in group)
            ]
            group.extend(extra)
            grew = bool(extra)
        return group

    def _kind(self, group: list[RegionMovement]) -> str:
        cfg = self.cfg
        primary = max(group, key=lambda m: m.peak_excursion)
        onset = min(m.onset.t for m in group)
        end = max(m.end.t for m in group)
        lo, hi = onset - cfg.context_s, end + cfg.context_s
        # A camera that began to move, or a light that changed, only after every region had
        # peaked did not make the movement (a jerk just before a camera shake is a jerk).
        caused_by = min(hi, max(m.peak.t for m in group) + 1.0 / self.motion.fps)
        artefacts = [a for t, a in self.artifacts if lo <= t <= caused_by]
        if artefacts:  # a light change also fools the background-shift measure
            return "light_change" if "light_change" in artefacts else "camera_shake"
        if primary.kind == "jerk" and self._within_gross_movement(lo, hi):
            return "movement"
        return primary.kind

    def _event(self, group: list[RegionMovement], kind: str) -> Event:
        cfg = self.cfg
        primary = max((m for m in group if not m.carried), key=lambda m: m.peak_excursion)
        members = group
        regions = sorted({m.region for m in members})
        by_picture: tuple[int, float] | None = None  # primary region and amplitude
        if kind == "jerk":  # regions that jerked clearly, not those the model dragged along
            share = cfg.min_region_share * primary.peak_excursion
            members = [
                m for m in group if m.kind == "jerk" and not m.carried and m.peak_excursion >= share
            ]
            regions = sorted({m.region for m in members} | {m.region for m in group if m.late})
            moved, lost = self._picture_moved(primary)
            trunk = self._carrier(primary, group, moved, lost)
            if trunk is not None:
                primary = trunk
                if all(m is not trunk for m in members):  # identity: dataclasses hold arrays
                    members = [*members, trunk]
            shown = None  # the primary region, where the picture moved
            if self._stood_still(primary, moved, lost):
                shown = int(np.nanargmax(moved))
                by_picture = (shown, float(moved[shown]))
            elif np.isfinite(moved[primary.region]) and moved[primary.region] > 0:
                shown = primary.region
                if not lost[primary.region]:  # else its flow is a lower bound
                    seen = [m for m in members if not lost[m.region]]
                    primary = self._moved_most(seen, primary, moved)
                    shown = self._missed_by_landmarks(members, primary.region, moved, lost)
                    if shown != primary.region:
                        by_picture = (shown, float(moved[shown]))
            if shown is not None:
                # Only its landmarks can add a limb lying on the shown one (its flow is lost).
                first = min((m.onset for m in members), key=lambda s: s.t)
                on_it = self._lying_on(shown, first, moved)
                moved, lost = np.where(on_it, np.nan, moved), lost | on_it
                with_it = self._moved_with(moved, shown)
                # A region the trunk carried moved fast in the picture without moving of its
                # own, and the pose model lags it behind the trunk: its lost flow says nothing.
                carried = _RIDERS if _TRUNK in with_it else set()
                lost_own = (r for r in regions if lost[r] and r not in carried)
                regions = sorted({*with_it, *lost_own})
        primary_region, amplitude = by_picture or (primary.region, primary.peak_excursion)
        onset = min((m.onset for m in members), key=lambda s: s.t)
        offset = max((m.end for m in members), key=lambda s: s.t)
        regions = [REGIONS[r] for r in regions]
        snr = primary.peak_z if np.isfinite(primary.peak_z) else 0.0
        # Confidence: how far the evidence clears the threshold it triggered at (0.5 at the
        # trigger, ~0.98 at twice it), times how well the region was seen, times how far the
        # pose model's noise can be trusted (in dark footage its glitches are as large as
        # real jerks).
        trigger = cfg.sudden_trigger_z if self._weak(primary) else cfg.trigger_z
        margin = (snr - trigger) / (0.25 * trigger)
        visible = primary.visibility()
        noise = float(primary.peak.noise[primary.region])
        trusted = min(1.0, cfg.trusted_noise / noise) if noise > 0 else 1.0
        confidence = visible * trusted / (1.0 + math.exp(-margin))
        if kind != "jerk":
            confidence = min(confidence, 1.0)
        return Event(
            kind=kind,
            onset_s=onset.t,
            offset_s=offset.t,
            peak_s=primary.peak.t,
            regions=regions,
            primary_region=REGIONS[primary_region],
            distribution=distribution_of(regions),
            peak_speed=max(m.peak_speed for m in members),
            amplitude=amplitude,
            confidence=float(np.clip(confidence, 0.0, 1.0)),
            person=self.person,
            onset_frame=onset.index,
            peak_frame=primary.peak.index,
            offset_frame=offset.index,
            duration_s=offset.t - onset.t,
            rise_s=primary.rise,
            return_fraction=primary.return_fraction,
            snr=snr,
        )

    def _carrier(
        self,
        primary: RegionMovement,
        group: list[RegionMovement],
        moved: npt.NDArray[np.float64],
        lost: npt.NDArray[np.bool_],
    ) -> RegionMovement | None:
        """The trunk's movement, if it carried the landmarks' largest region: a head or arm
        whose flow was lost, while the trunk jerked and its picture moved at least as far as
        the rider's did before it was lost (and ``picture_region_floor``). A trunk jerk
        carries the head and arms fast, the flow loses them, and the pose model throws their
        landmarks further than the trunk's own, which it follows at a fraction (a dark clip's
        trunk jerk of 0.27 torso lengths came out as a head jerk)."""
        if primary.region not in _RIDERS or not lost[primary.region] or lost[_TRUNK]:
            return None
        rider = float(np.nan_to_num(moved[primary.region]))
        if moved[_TRUNK] < max(self.cfg.picture_region_floor, rider):
            return None
        return next((m for m in group if m.region == _TRUNK and m.kind == "jerk"), None)

    def _stood_still(
        self, primary: RegionMovement, moved: npt.NDArray[np.float64], lost: npt.NDArray[np.bool_]
    ) -> bool:
        """Did the landmarks' largest region stay still in the picture (its flow known, below
        ``picture_region_floor``) while another region moved? Then the pose model glitched
        beside a real jerk (a dark clip's arm thrown 0.34 torso lengths while the head
        jerked), and the region whose picture moved most is the primary one, by its flow."""
        floor = self.cfg.picture_region_floor
        still = not lost[primary.region] and float(moved[primary.region]) < floor
        return still and float(np.nanmax(moved, initial=0.0)) >= floor

    def _missed_by_landmarks(
        self,
        members: list[RegionMovement],
        chosen: int,
        moved: npt.NDArray[np.float64],
        lost: npt.NDArray[np.bool_],
    ) -> int:
        """The primary region: ``chosen``, unless the picture moved at least
        ``picture_primary_ratio`` times as far at a region whose landmarks did not jerk (flow
        never lost): then the pose model missed that region's jerk, and it is primary (in
        jerks of four or five regions the pose model followed only the smaller ones)."""
        known = np.where(lost, np.nan, moved)
        top = int(np.nanargmax(known))  # ``chosen``'s flow is known
        jerked = {m.region for m in members}
        if top not in jerked and known[top] >= self.cfg.picture_primary_ratio * moved[chosen]:
            return top
        return chosen

    def _picture_moved(
        self, m: RegionMovement
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """(6,) how far the picture moved at each region's landmarks (``picture_moved``, the
        largest from the movement's departure until just after its peak; NaN unknown), and
        (6,) whether the flow lost the region on any of those frames. A limb that moves fast
        loses its flow (following it back no longer returns): there the landmarks decide
        (the sample clip's two-arm jerk at 22 s kept its right arm only that way), unless the
        trunk carried it (``_event``)."""
        until = m.peak.t + self.cfg.picture_after_s
        moved = np.array([s.picture_moved for s in m.samples if s.t <= until], dtype=np.float64)
        if not len(moved):
            return np.full(len(REGIONS), np.nan), np.ones(len(REGIONS), bool)
        with warnings.catch_warnings():  # regions unknown throughout are all-NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmax(moved, axis=0), np.isnan(moved).any(axis=0)

    @staticmethod
    def _moved_most(
        members: list[RegionMovement], primary: RegionMovement, moved: npt.NDArray[np.float64]
    ) -> RegionMovement:
        """The member that moved most by its landmarks and the picture together: the geometric
        mean of its landmark excursion and its flow, each against the landmarks' largest
        region's (members and primary with their flow known throughout). Either alone
        misleads: the pose model exaggerates a limb's part of a jerk of several regions (a
        hand's landmarks swing far on a small arm movement), and the flow misreads a hand or
        a plain patch now and then."""

        def score(m: RegionMovement) -> float:
            flow = float(moved[m.region]) / float(moved[primary.region])
            return math.sqrt(m.peak_excursion / primary.peak_excursion * flow)

        return max(members, key=score, default=primary)

    def _lying_on(
        self, region: int, at: MotionSample, moved: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.bool_]:
        """(6,) the other limbs lying on limb ``region`` at ``at`` (``limb_contact``) whose
        picture moved (``picture_region_floor``): that may have been ``region``'s movement,
        seen through them, so their flow says nothing of their own (crossed legs). Where
        their picture stood still, they did not move."""
        near = limbs_lying_on(at.xy, at.scale, region, self.cfg.limb_contact)
        return near & (moved >= self.cfg.picture_region_floor)

    def _moved_with(self, moved: npt.NDArray[np.float64], r: int) -> list[int]:
        """Region ``r`` and the regions whose picture moved with it: by at least
        ``picture_region_share`` of ``r``'s movement and ``picture_region_floor``. Between the
        trunk and what hangs from it the share is ``picture_rider_share``: a trunk jerk
        carries the head and arms, and a limb's jerk moves the picture at its shoulder or hip,
        which are the trunk's landmarks. The landmarks cannot say this as well: the pose
        model moves the landmarks of a region that stayed still when its neighbour jerks, and
        misses some of a region that moved (``docs/accuracy.md``, fourteenth pass)."""
        cfg = self.cfg
        floor = max(cfg.picture_region_floor, cfg.picture_region_share * float(moved[r]))
        riders = max(cfg.picture_region_floor, cfg.picture_rider_share * float(moved[r]))

        def joined(i: int) -> bool:
            return (r == _TRUNK and i in _RIDERS) or (r in _LIMBS and i == _TRUNK)

        return [
            i for i in range(len(REGIONS)) if i == r or moved[i] >= (riders if joined(i) else floor)
        ]

    def _within_gross_movement(self, lo: float, hi: float) -> bool:
        """A jerk-like piece of a longer movement (turning over, settling after reaching) is
        part of that movement: some region moved for too long to be a jerk around it."""
        longest = self.cfg.max_jerk_s
        if any(a <= hi and b >= lo for a, b in self.long_moves):
            return True
        return any(
            m.onset.t <= hi and self.now - m.onset.t > longest and not self._wandering(m)
            for m in self.active.values()
        )

    def _wandering(self, m: RegionMovement) -> bool:
        """An unfinished movement's own box stood still on most of its frames and on all of
        the last ``max_jerk_s``: the pose model wandering, not a longer movement that a jerk
        beside it is part of. (The twelfth set's 0.29 trunk and arm jerk became a movement:
        its return changed the leg's box on the frame the leg's landmarks began to
        wander.)"""
        if not self.cfg.picture_check:
            return False
        own = [p.changed_pixels[m.region] for p in m.samples]
        recent = [p for p in m.samples if self.now - p.t <= self.cfg.max_jerk_s]
        return bool(np.median(own) < 1) and _box_unchanged(
            recent, m.region, self.cfg.picture_min_pixels
        )

    def flush(self) -> list[Event]:
        last = self.recent[-1] if self.recent else None
        for r in list(self.active):
            if last is not None:
                self._finish(r, last)
        self.picture.flush()
        return self._emit(final=True)


class JerkDetector:
    """Streaming jerk detector over all person slots.

    Parameters
    ----------
    config : detection settings.
    fps : nominal frame rate (windows given in seconds are converted with it).
    frame_size : (width, height) of the video, to scale the camera-shake threshold.
    persons : number of person slots in the frames it will get.
    """

    def __init__(
        self,
        config: DetectorConfig,
        fps: float,
        frame_size: tuple[int, int],
        persons: int = 1,
    ):
        config = config.scaled()
        self.config = config
        self._people = [_PersonDetector(config, fps, frame_size, p) for p in range(persons)]
        self.coverage = Coverage.for_persons(persons, config.trigger_z, config.min_amplitude)
        self._held: list[Event] = []
        """With more than one person: events waiting until any other person's jerk that
        overlaps them must have been emitted too."""
        self._released_jerks: deque[Event] = deque(maxlen=16)
        self._hold_s = config.max_jerk_s + config.context_s

    def update(self, frame: FrameLandmarks) -> list[Event]:
        """Push one frame; returns the events that became final (sorted by onset)."""
        self.coverage.frames += 1
        events: list[Event] = []
        for p, person in enumerate(self._people):
            if p >= frame.present.shape[0]:
                continue
            events.extend(person.update(frame, p))
            sample = person.recent[-1]
            self.coverage.pose_frames[p] += int(sample.present)
            self.coverage.region_frames[p] += sample.region_seen
            if sample.present and frame.inferred:
                self.coverage.add_noise(p, np.where(sample.region_seen, sample.noise, np.nan))
            self.coverage.side_swaps[p] = person.motion.side_swaps.swaps
            self.coverage.facing[p] = person.motion.side_swaps.facing
            self.coverage.still_picture[p] = person.still_picture
        if len(self._people) > 1:
            events = self._release(events, frame.t)
        return sorted(events, key=lambda e: e.onset_s)

    def flush(self) -> list[Event]:
        """End of stream: finish movements still open and return the remaining events."""
        events = [e for person in self._people for e in person.flush()]
        if len(self._people) > 1:
            events = self._release(events, math.inf)
        return sorted(events, key=lambda e: e.onset_s)

    def _release(self, new: list[Event], now: float) -> list[Event]:
        """The held events whose time has come (an overlapping jerk of another person lasts at
        most ``max_jerk_s`` and leaves ``context_s`` after it ends), less those that are
        another person's jerk seen through their owner (``DetectorConfig.partner_share``)."""
        self._held.extend(new)
        ready = [e for e in self._held if now >= e.offset_s + self._hold_s]
        self._held = [e for e in self._held if not now >= e.offset_s + self._hold_s]
        out: list[Event] = []
        for e in sorted(ready, key=lambda e: e.onset_s):
            if self._seen_through_another(e):
                self.coverage.seen_through[e.person] += 1
                continue
            if e.kind == "jerk":
                self._released_jerks.append(e)
            out.append(e)
        return out

    def _seen_through_another(self, e: Event) -> bool:
        if e.kind != "jerk":
            return False
        share = self.config.partner_share
        return any(
            o.kind == "jerk"
            and o.person != e.person
            and o.onset_s <= e.onset_s <= o.offset_s
            and e.amplitude <= share * o.amplitude
            for o in (*self._released_jerks, *self._held)
        )


def detect_events(
    frames: Iterable[FrameLandmarks],
    config: DetectorConfig,
    fps: float,
    frame_size: tuple[int, int],
    persons: int = 1,
) -> tuple[list[Event], Coverage]:
    """Offline detection: a loop over :meth:`JerkDetector.update`."""
    detector = JerkDetector(config, fps, frame_size, persons)
    events: list[Event] = []
    for frame in frames:
        events.extend(detector.update(frame))
    events.extend(detector.flush())
    return sorted(events, key=lambda e: e.onset_s), detector.coverage
