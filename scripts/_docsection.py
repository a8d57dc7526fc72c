"""Shared by the benchmark scripts: replace one marked section of a Markdown document."""

from __future__ import annotations

from pathlib import Path


def write_section(path: Path, marker: str, body: str, title: str = "Detection accuracy") -> None:
    """Put ``body`` between ``<!-- marker:begin -->`` and ``<!-- marker:end -->`` in ``path``
    (appended if the markers are missing; a new document gets ``title``), leaving the rest of
    the document as it is."""
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    text = path.read_text() if path.exists() else f"# {title}\n"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
