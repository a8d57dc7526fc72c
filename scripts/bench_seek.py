"""How long a batch chunk takes to reach its start: seeking (vidmyo now) against decoding
from the beginning (vidmyo before, and still the fallback).

`vidmyo batch` splits a long video into chunks (600 s by default), each read from 10 s before
its start. Decoding from the beginning, chunk k first decodes k chunks' worth of frames it
throws away, so the waste grows with the square of the night's length. This builds the
60-minute quiet clip of ``bench_speed.py`` (640x480, 30 fps, MPEG-4 Part 2 with a key frame
every 12 frames) and, for each chunk of the default layout, times ``VideoFile`` with the
gate's thumbnails up to its first 30 frames both ways, and checks that both give the same
frames (index, time, key flag, thumbnail).

    python scripts/bench_seek.py [--minutes 60] [--chunk-s 600] [--doc]

``--doc`` writes the table into docs/batch.md (the ``seek`` section).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from _docsection import write_section
from bench_speed import sample_frames, write_clip

from vidmyo.batch import plan_chunks
from vidmyo.config import SkipConfig
from vidmyo.sources import VideoFile

ROOT = Path(__file__).resolve().parent.parent
FIRST_FRAMES = 30


def first_frames(path: Path, start: float, seek: bool) -> tuple[float, list, bool]:
    """(seconds to the chunk's first frames, those frames, whether it seeked)."""
    started = time.perf_counter()
    video = VideoFile(path, start, thumb_width=SkipConfig().thumb_width, seek=seek)
    frames = []
    for frame in video:
        frames.append(frame)
        if len(frames) == FIRST_FRAMES:
            break
    return time.perf_counter() - started, frames, video.seeked


def same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        (x.index, x.t, x.key) == (y.index, y.t, y.key) and np.array_equal(x.thumb, y.thumb)
        for x, y in zip(a, b, strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--chunk-s", type=float, default=600.0)
    parser.add_argument("--overlap-s", type=float, default=10.0)
    parser.add_argument("--doc", action="store_true", help="write the table into docs/batch.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    lines = [
        "| chunk | reads from (s) | seeking (s) | decoding from the start (s) | same frames |",
        "| --- | --- | --- | --- | --- |",
    ]
    total_seek = total_decode = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "long.mp4"
        write_clip(clip, sample_frames(), args.minutes, "quiet")
        chunks = plan_chunks(args.minutes * 60, args.chunk_s, args.overlap_s)
        for k, chunk in enumerate(chunks):
            t_seek, seeked_frames, seeked = first_frames(clip, chunk.read_from, seek=True)
            t_decode, decoded_frames, _ = first_frames(clip, chunk.read_from, seek=False)
            total_seek += t_seek
            total_decode += t_decode
            agree = same(seeked_frames, decoded_frames)
            how = "" if seeked or chunk.read_from == 0 else " (did not seek)"
            lines.append(
                f"| {k + 1} | {chunk.read_from:.0f} | {t_seek:.2f}{how} | {t_decode:.2f} | "
                f"{'yes' if agree else '**no**'} |"
            )
            print(lines[-1], flush=True)
    lines.append(f"| all | | {total_seek:.2f} | {total_decode:.2f} | |")
    text = "\n".join([
        "## Reaching a chunk's start",
        "",
        f"Made by `python scripts/bench_seek.py` on {time.strftime('%Y-%m-%d')}: the"
        f" {args.minutes:g}-minute quiet clip of `bench_speed.py` (640×480, 30 fps), chunks of"
        f" {args.chunk_s:g} s read from {args.overlap_s:g} s before their start (`vidmyo"
        " batch` defaults to 600 and 10), time to each chunk's first"
        f" {FIRST_FRAMES} frames (with the"
        f" gate's thumbnails), one process, {os.cpu_count()} cores, load average"
        f" {load_before:.1f} before and {os.getloadavg()[0]:.1f} after.",
        "",
        *lines,
    ])  # fmt: skip
    print(text)
    if args.doc:
        write_section(ROOT / "docs" / "batch.md", "seek", text, title="Batch throughput")


if __name__ == "__main__":
    main()
