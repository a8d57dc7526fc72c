"""How fast can frames be decoded? OpenCV against PyAV (what vidmyo uses), on one video.

Decoding every frame is the floor under `vidmyo analyze`'s speed once still frames skip pose
inference (docs/speed.md): the motion gate needs a grey thumbnail of every frame, pose only
a few. This measures, per frame of one process, wall time and CPU time (all threads: the
decoders use several, and on two cores CPU is what pose inference has to share):

- OpenCV ``read()`` (decode + conversion to BGR) and ``grab()`` only (no conversion);
- PyAV with threaded decoding: the luma plane as is (a grey picture, no conversion at all),
  ``to_ndarray('gray')`` and ``to_ndarray('bgr24')``;
- the motion gate's input both ways: OpenCV ``read()`` plus the grey thumbnail (vidmyo before
  PyAV), and ``vidmyo.sources.VideoFile`` with its thumbnail made from the luma plane on the
  decode thread (vidmyo now; the colour picture is never made here).

    python scripts/bench_decode.py [VIDEO] [--repeat 3] [--doc]

Prints a table (best of ``--repeat`` runs) and the machine's load average, which on a shared
machine matters more than anything else here; ``--doc`` puts it into docs/speed.md.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import av
import cv2
import numpy as np
from _docsection import write_section

from vidmyo.config import SkipConfig
from vidmyo.sources import VideoFile, grey_thumbnail

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_videos" / "sample_jerks.mp4"
THUMB_WIDTH = SkipConfig().thumb_width


def opencv_read(path: Path, thumbnail: bool = False) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while True:
        ok, image = cap.read()
        if not ok:
            break
        if thumbnail:
            grey_thumbnail(image, THUMB_WIDTH)
        n += 1
    cap.release()
    return n


def vidmyo_thumbnails(path: Path) -> int:
    return sum(1 for _ in VideoFile(path, thumb_width=THUMB_WIDTH))


def opencv_grab(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.grab():
        n += 1
    cap.release()
    return n


def pyav(path: Path, how: str) -> int:
    n = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            if how == "luma":  # the Y plane of a YUV frame is the grey picture
                plane = frame.planes[0]
                rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)
                _ = rows[: frame.height, : frame.width]
            else:
                _ = frame.to_ndarray(format=how)
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("video", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--doc", action="store_true", help="write the table into docs/speed.md")
    args = parser.parse_args()

    version = av.__version__
    cases = [
        ("OpenCV read() → BGR", lambda: opencv_read(args.video)),
        ("OpenCV grab() only", lambda: opencv_grab(args.video)),
        (f"PyAV {version}, luma plane (grey)", lambda: pyav(args.video, "luma")),
        (f"PyAV {version}, to_ndarray('gray')", lambda: pyav(args.video, "gray")),
        (f"PyAV {version}, to_ndarray('bgr24')", lambda: pyav(args.video, "bgr24")),
        ("gate input, OpenCV: read() + grey thumbnail", lambda: opencv_read(args.video, True)),
        ("gate input, vidmyo: VideoFile thumbnails", lambda: vidmyo_thumbnails(args.video)),
    ]  # fmt: skip

    cap = cv2.VideoCapture(str(args.video))
    size = f"{int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))}×{int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
    cap.release()
    load_before = os.getloadavg()[0]
    lines = ["| decoder | frames/s | ms/frame | CPU ms/frame |", "| --- | --- | --- | --- |"]
    for label, run in cases:
        best, best_cpu = 0.0, float("inf")
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            frames = run()
            best = max(best, frames / (time.perf_counter() - started))
            best_cpu = min(best_cpu, 1000 * (time.process_time() - cpu) / frames)
        lines.append(f"| {label} | {best:.0f} | {1000 / best:.2f} | {best_cpu:.2f} |")
        print(lines[-1], flush=True)
    name = args.video.relative_to(ROOT) if args.video.is_relative_to(ROOT) else args.video
    text = "\n".join([
        "## Decoding",
        "",
        f"Made by `python scripts/bench_decode.py` on {time.strftime('%Y-%m-%d')}:"
        f" {name} ({size}), one process, best of {args.repeat}, {os.cpu_count()} cores,"
        f" load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after.",
        "",
        *lines,
    ])  # fmt: skip
    print(text)
    if args.doc:
        write_section(ROOT / "docs" / "speed.md", "decode", text, title="Speed and memory")


if __name__ == "__main__":
    main()
