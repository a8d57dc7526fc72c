"""Build the pose model bundles in models/ that vidmyo loads offline.

Why this exists
---------------
vidmyo finds poses with MediaPipe's PoseLandmarker, which needs a `.task` bundle:
a zip holding `pose_detector.tflite` and `pose_landmarks_detector.tflite`. The
mediapipe 1.2.x wheel that vidmyo depends on ships no model files, and vidmyo
must never download anything at run time, so the bundles are built once from
models published on package registries and committed to the repo:

* the landmark models `pose_landmark_{lite,full,heavy}.tflite` come from the npm
  package @mediapipe/pose (Apache-2.0);
* the pose detector `pose_detection.tflite` and the licence text come from the
  PyPI wheel mediapipe==0.10.21 (Apache-2.0).

The npm landmark models carry no TFLite metadata, and PoseLandmarker refuses a
float32 image input without NormalizationOptions metadata (mediapipe 1.2.x
reports that as a misleading FileNotFoundError). The metadata writer that adds
it only imports under the older mediapipe 0.10.21, which in turn wants numpy<2
and opencv<4.12, so that step runs in a throwaway venv (see
`_pose_bundle_worker.py`); the dev environment is left alone.

How to run
----------
From the repo root, with Python 3.9-3.12 (mediapipe 0.10.21 has no wheel for
newer versions), `npm` on PATH and access to PyPI and the npm registry:

    python scripts/build_models.py

It takes a couple of minutes, mostly installing mediapipe into the temporary
venv, and rewrites models/pose_landmarker_{lite,full,heavy}.task and
models/LICENSE. The output is byte-for-byte reproducible: the sha256 values it
prints should match those in models/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "_pose_bundle_worker.py"

NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404"
PYPI_REQUIREMENT = "mediapipe==0.10.21"
VARIANTS = ("lite", "full", "heavy")


def run(*cmd: str | Path, cwd: Path | None = None) -> None:
    print("+", " ".join(str(part) for part in cmd), flush=True)
    subprocess.run([str(part) for part in cmd], cwd=cwd, check=True)


def make_build_venv(venv_dir: Path) -> Path:
    """Create a venv with the old mediapipe and return its python."""
    run(sys.executable, "-m", "venv", venv_dir)
    python = venv_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PYPI_REQUIREMENT)
    return python


def fetch_landmark_models(work_dir: Path) -> Path:
    """Fetch the npm tarball (without installing it) and extract the landmark models."""
    work_dir.mkdir()
    run("npm", "pack", "--silent", NPM_PACKAGE, cwd=work_dir)
    (tarball,) = work_dir.glob("*.tgz")
    models_dir = work_dir / "models"
    models_dir.mkdir()
    with tarfile.open(tarball) as tar:
        for variant in VARIANTS:
            name = f"pose_landmark_{variant}.tflite"
            member = tar.extractfile(f"package/{name}")
            (models_dir / name).write_bytes(member.read())
    return models_dir


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=REPO_ROOT / "models",
        help="where to write the bundles and LICENSE (default: %(default)s)",
    )
    args = parser.parse_args()
    out_dir = args.out_dir.resolve()

    with tempfile.TemporaryDirectory(prefix="vidmyo-models-") as tmp:
        tmp_dir = Path(tmp)
        python = make_build_venv(tmp_dir / "venv")
        landmark_dir = fetch_landmark_models(tmp_dir / "npm")
        run(python, WORKER, landmark_dir, out_dir)

    print()
    for variant in VARIANTS:
        bundle = out_dir / f"pose_landmarker_{variant}.task"
        print(f"{sha256(bundle)}  {bundle.name}  ({bundle.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
