"""Video files → timestamped frames.

Every frame carries its own time, read from the stream's timestamps rather than computed as
``index / fps``: phone and IP-camera recordings often have a variable frame rate, and a fixed
rate would drift by seconds over a night.

Files are decoded with PyAV (FFmpeg), not OpenCV, because a still night needs colour for only
a few per cent of its frames: the motion gate looks at the luma plane, which the decoder gives
for free, and a frame is converted to BGR only when something asks for its ``image`` (pose
inference). OpenCV's reader converts every frame, which cost more than decoding itself
(docs/speed.md, "Decoding"). The conversion is the same FFmpeg scaler OpenCV uses, so the
pictures are identical.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
from array import array
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt

from vidmyo.errors import InputError, TruncatedVideoError

log = logging.getLogger(__name__)

DECODE_AHEAD = 8
"""Frames decoded ahead of the consumer."""
SEEK_AFTER_S = 10.0
"""A ``start_s`` later than this is reached by jumping to the key frame before it; an earlier
one by decoding from the beginning (decoding costs 0.15-0.4 ms a frame: little for seconds,
minutes for a batch chunk late in a night)."""
REORDER_PACKETS = 32
"""Packets read past the start time to find the first frame after it: with B-frames, the
decoding order runs ahead of the showing order by a few frames."""
_END = object()

_LUMA_FORMATS = ("yuv", "yuvj", "nv12", "nv21", "gray")
"""Pixel formats whose first plane is the picture's luma (grey)."""


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video (``fps`` as a float: 29.97 stays 29.97)."""

    path: str
    fps: float
    frame_count: int
    duration_s: float
    width: int
    height: int

    def to_dict(self) -> dict:
        return asdict(self)


class Frame:
    """One frame: ``image`` is BGR uint8 (H, W, 3), ``t`` seconds from the first frame of the
    video, ``thumb`` its grey thumbnail when the source was asked for one (see
    :func:`grey_thumbnail`), ``key`` whether the codec coded it as a key frame (None when
    unknown: live cameras). A decoded frame is converted to BGR on first access of
    ``image`` only."""

    __slots__ = ("index", "t", "thumb", "key", "_image", "_decoded", "_to_bgr")

    def __init__(
        self,
        index: int,
        t: float,
        image: npt.NDArray[np.uint8] | None = None,
        thumb: npt.NDArray[np.uint8] | None = None,
        decoded: av.VideoFrame | None = None,
        to_bgr: _BgrConverter | None = None,
        key: bool | None = None,
    ):
        if image is None and decoded is None:
            raise ValueError("a Frame needs an image or a decoded frame")
        self.index = index
        self.t = t
        self.thumb = thumb
        self.key = key
        self._image = image
        self._decoded = decoded
        self._to_bgr = to_bgr

    @property
    def image(self) -> npt.NDArray[np.uint8]:
        if self._image is None:
            self._image = (self._to_bgr or _BgrConverter())(self._decoded)
            self._decoded = None
        return self._image

    @property
    def width(self) -> int:
        return self._image.shape[1] if self._image is not None else self._decoded.width

    def __repr__(self) -> str:
        return f"Frame(index={self.index}, t={self.t:.3f})"


class _BgrConverter:
    """Decoded frame → BGR array with one FFmpeg scaler kept for a whole video: setting up a
    new scaler for every frame (what ``VideoFrame.to_ndarray`` does) costs several times the
    conversion itself. The lock lets frames of one video be converted on any thread."""

    def __init__(self) -> None:
        self._reformatter = av.video.reformatter.VideoReformatter()
        self._lock = threading.Lock()

    def __call__(self, decoded: av.VideoFrame) -> npt.NDArray[np.uint8]:
        with self._lock:
            return self._reformatter.reformat(decoded, format="bgr24").to_ndarray()


def grey_thumbnail(image: npt.NDArray[np.uint8], width: int) -> npt.NDArray[np.uint8]:
    """A small grey copy of a frame (BGR or already grey), ``width`` pixels wide: what the
    motion gate compares."""
    h, w = image.shape[:2]
    size = (width, max(8, round(h * width / w)))
    if w > 2 * width:  # a cheap halving first: INTER_AREA straight from full size is slow
        image = cv2.resize(image, (2 * size[0], 2 * size[1]), interpolation=cv2.INTER_LINEAR)
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small


def _luma_thumbnail(frame: av.VideoFrame, width: int) -> npt.NDArray[np.uint8] | None:
    """The thumbnail from the decoder's luma plane, on the 0-255 scale of a BGR→grey
    conversion; None for pixel formats without one (RGB codecs)."""
    name = frame.format.name
    if not name.startswith(_LUMA_FORMATS):
        return None
    plane = frame.planes[0]
    luma = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    small = grey_thumbnail(luma[:, : plane.width], width)
    if name.startswith(("yuvj", "gray")) or frame.color_range == 2:  # already full range
        return small
    # Limited ("TV") range: 16-235 → 0-255, as FFmpeg's conversion to BGR stretches it.
    return cv2.convertScaleAbs(small, alpha=255 / 219, beta=-16 * 255 / 219)


def _open_container(path: Path):
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a folder; pass a video file")
    try:
        container = av.open(str(path))
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            f"cannot open {path} as a video (not a video, or truncated/corrupt: {exc}); "
            "check that it plays in a video player"
        ) from None
    if not container.streams.video:
        container.close()
        raise InputError(f"{path} has no video stream")
    return container


@dataclass(frozen=True)
class _SeekPlan:
    """Where to start decoding for a ``start_s`` (see :meth:`VideoFile._seek_plan`)."""

    first_time: float
    """Stream time of the video's first frame (``t`` = 0)."""
    key_pts: int
    """The key frame to decode from."""
    start_pts: int
    """The first frame at or after ``start_s``: decoding from the key frame must reach it."""
    start_index: int
    """Its index, as decoding from the beginning would count it."""


class _SeekMissed(Exception):
    """Decoding from the key frame did not give what decoding from the beginning would."""


class VideoFile:
    """Frames of a recorded video, optionally between ``start_s`` and ``end_s``.

    Iterating yields :class:`Frame` objects. If the stream stops decoding well before its
    stated length, iteration raises :class:`TruncatedVideoError` after the last good frame,
    so that callers can save what was read before reporting the problem.

    With ``thumb_width``, every frame also carries its grey thumbnail, made on the decode
    thread: on a still night the motion gate is most of the work left on the main thread.

    A ``start_s`` later than :data:`SEEK_AFTER_S` is reached by seeking (unless ``seek`` is
    False), with the same frames, indices and times as decoding from the beginning: the
    packets before it are read without decoding, to count them. Where that cannot be
    vouched for (packets without timestamps, repeated timestamps, a decoder that would drop
    leading frames, a seek that lands elsewhere), it decodes from the beginning instead.
    ``seeked`` says afterwards which way it went.
    """

    def __init__(
        self,
        path: str | Path,
        start_s: float = 0.0,
        end_s: float | None = None,
        thumb_width: int | None = None,
        seek: bool = True,
    ):
        self.path = Path(path)
        self.start_s = start_s
        self.end_s = end_s
        self.thumb_width = thumb_width
        self.seek = seek
        self.seeked = False
        with _open_container(self.path) as container:
            stream = container.streams.video[0]
            rate = stream.guessed_rate or stream.average_rate
            fps = float(rate) if rate else 0.0
            width, height = stream.codec_context.width, stream.codec_context.height
            count = stream.frames
            if not count:  # no frame count in the container: estimate it from the duration
                if stream.duration is not None and stream.time_base is not None:
                    seconds = float(stream.duration * stream.time_base)
                else:
                    seconds = (container.duration or 0) / av.time_base
                count = int(seconds * fps + 0.5) if fps > 0 else 0
        if width <= 0 or height <= 0:
            raise InputError(f"{self.path} has no video stream")
        if not math.isfinite(fps) or fps <= 0 or fps > 1000:
            fps = 30.0
            log.warning("%s does not state a frame rate; assuming 30 fps", self.path)
        count = max(count, 0)
        self.info = VideoInfo(
            path=str(self.path),
            fps=fps,
            frame_count=count,
            duration_s=count / fps if count else 0.0,
            width=width,
            height=height,
        )

    def __iter__(self) -> Iterator[Frame]:
        """Frames decoded on a background thread (FFmpeg runs without the GIL), so decoding
        overlaps with pose inference; a small queue bounds the memory."""
        frames: queue.Queue = queue.Queue(maxsize=DECODE_AHEAD)
        stop = threading.Event()

        def decode() -> None:
            try:
                for frame in self._frames():
                    while not stop.is_set():
                        try:
                            frames.put(frame, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                frames.put(_END)
            except BaseException as exc:  # handed to the consumer, raised there
                frames.put(exc)

        thread = threading.Thread(target=decode, name="vidmyo-decode", daemon=True)
        thread.start()
        try:
            while True:
                item = frames.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join(timeout=5)

    def _frames(self) -> Iterator[Frame]:
        plan = self._seek_plan() if self.seek and self.start_s > SEEK_AFTER_S else None
        if plan is not None:
            with _open_container(self.path) as container:
                try:
                    yield from self._decode(container, plan)
                    return
                except _SeekMissed as exc:  # raised before any frame was given out
                    log.debug("%s: %s; decoding from the beginning", self.path, exc)
        with _open_container(self.path) as container:
            yield from self._decode(container, None)

    def _seek_plan(self) -> _SeekPlan | None:
        """Count the packets before ``start_s`` and find the key frame to decode from,
        reading packets without decoding them (a small fraction of decoding's cost:
        ``scripts/bench_seek.py``). None where the count could differ from decoding's (see
        the class)."""
        try:
            with _open_container(self.path) as container:
                first = next(container.decode(container.streams.video[0]), None)
            if first is None or first.time is None:
                return None
            with _open_container(self.path) as container:
                stream = container.streams.video[0]
                before = array("d")  # a night's worth: 8 bytes a packet, not a list's 32
                key = start_pts = None
                after = 0
                for packet in container.demux(stream):
                    if packet.pts is None:
                        if packet.size == 0:  # the demuxer's end-of-stream marker
                            continue
                        return None
                    rel = float(packet.pts * stream.time_base) - first.time
                    if rel < self.start_s - 1e-6:
                        before.append(rel)
                        if packet.is_keyframe and start_pts is None:
                            key = packet.pts
                        continue
                    if start_pts is None:  # the first packet at the start, in decoding order
                        key = packet.pts if packet.is_keyframe else key
                        start_pts = packet.pts
                    start_pts = min(start_pts, packet.pts)
                    after += 1
                    if after >= REORDER_PACKETS:
                        break
        except av.FFmpegError:
            return None
        if key is None or start_pts is None:
            return None
        times = np.sort(np.frombuffer(before, np.float64))
        if times.size and (times[0] < -1e-9 or np.any(np.diff(times) <= 0)):
            return None  # frames before the first decoded one, or repeated timestamps
        return _SeekPlan(first.time, key, start_pts, len(before))

    def _decode(self, container, plan: _SeekPlan | None) -> Iterator[Frame]:
        """Frames from the beginning, or (``plan``) from its key frame on: then the frames
        before ``start_s`` are decoded but not counted, and the first one after it must be
        the plan's (else :class:`_SeekMissed`, before any frame is given out)."""
        fps = self.info.fps
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # frame and slice threads (measured fastest here)
        first: float | None = None
        index = -1  # after a seek, counted from the plan's start_index once it is reached
        checked = plan is None
        if plan is not None:
            first = plan.first_time
            try:
                container.seek(plan.key_pts, stream=stream, backward=True, any_frame=False)
            except av.FFmpegError as exc:
                raise _SeekMissed(f"seeking failed: {exc}") from None
        last_t = -math.inf
        to_bgr = _BgrConverter()
        try:
            for decoded in container.decode(stream):
                seconds = decoded.time
                if not checked and seconds is None:
                    raise _SeekMissed("a frame without a timestamp")
                index += 1
                if first is None and seconds is not None:
                    first = seconds
                t = seconds - first if seconds is not None else index / fps
                if t <= last_t:  # missing or repeated timestamps: fall back to a steady clock
                    t = last_t + 1.0 / fps
                last_t = t
                if t < self.start_s - 1e-6:
                    continue  # never converted: skipping costs only the decoding
                if not checked:
                    if decoded.pts != plan.start_pts:
                        raise _SeekMissed(f"landed on {decoded.pts}, not {plan.start_pts}")
                    checked = self.seeked = True
                    index = plan.start_index
                if self.end_s is not None and t > self.end_s + 1e-6:
                    return
                thumb = None
                key = bool(decoded.key_frame)
                if self.thumb_width:
                    thumb = _luma_thumbnail(decoded, self.thumb_width)
                    if thumb is None:
                        frame = Frame(index, t, image=to_bgr(decoded), key=key)
                        frame.thumb = grey_thumbnail(frame.image, self.thumb_width)
                        yield frame
                        continue
                yield Frame(index, t, thumb=thumb, decoded=decoded, to_bgr=to_bgr, key=key)
        except av.FFmpegError as exc:  # damaged data: stop here; the count check below judges
            if not checked:
                raise _SeekMissed(f"decoding failed after the seek: {exc}") from None
            log.debug("%s: decoding stopped after frame %d: %s", self.path, index, exc)
        if not checked:
            raise _SeekMissed("the stream ended before the start time")
        decoded = index + 1
        expected = self.info.frame_count
        if decoded == 0:
            raise InputError(f"{self.path} contains no decodable frames")
        # Containers often overstate the count by a frame or two; more than that is damage.
        if expected and decoded < expected - max(2, 0.01 * expected):
            raise TruncatedVideoError(
                f"{self.path} stops decoding after {decoded} of {expected} frames "
                f"({decoded / fps:.1f} s of {expected / fps:.1f} s): truncated or corrupt"
            )
