"""Write metadata into the pose landmark models and bundle them as `.task` files.

This is the half of `build_models.py` that needs mediapipe==0.10.21: its
`metadata_writers` package does not import under the mediapipe 1.2.x that vidmyo
runs on. Don't run it directly; `build_models.py` runs it with the python of a
throwaway venv that has mediapipe==0.10.21 installed.

Usage: python _pose_bundle_worker.py LANDMARK_DIR OUT_DIR

LANDMARK_DIR holds pose_landmark_{lite,full,heavy}.tflite (from npm
@mediapipe/pose). The pose detector and the licence text come from the
mediapipe package this interpreter has installed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import zipfile
from pathlib import Path

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision
from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils
from mediapipe.tasks.python.metadata.metadata_writers.metadata_writer import MetadataWriter

VARIANTS = ("lite", "full", "heavy")

# sha256 of the inputs this script was written against; a mismatch means the
# packages changed under us, and the bundles would no longer match models/README.md.
INPUT_SHA256 = {
    "pose_detection": "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    "pose_landmark_lite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}

# The landmark models take a 256x256 RGB float32 image scaled to [0, 1].
IMAGE_NORM_MEAN = [0.0]
IMAGE_NORM_STD = [255.0]

# Output tensors, in the models' own order (Identity, Identity_1, ..., Identity_4).
LANDMARK_OUTPUTS = (
    ("landmarks", "39 landmarks x (x, y, z, visibility, presence) in input pixels."),
    ("pose_flag", "Score that a pose is present in the crop."),
    ("segmentation", "256x256 person segmentation logits."),
    ("heatmap", "64x64x39 landmark heatmaps used for refinement."),
    ("world_landmarks", "39 landmarks x (x, y, z) in metres, hip-centred."),
)

# Member names the PoseLandmarker task graph looks up inside the bundle.
DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKS_MEMBER = "pose_landmarks_detector.tflite"

# A fixed zip timestamp so that rebuilding gives byte-identical bundles.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)


def read_pinned(path: Path) -> bytes:
    """Read an input model, checking it against INPUT_SHA256."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != INPUT_SHA256[path.stem]:
        raise SystemExit(f"{path}: sha256 {digest}, expected {INPUT_SHA256[path.stem]}")
    return data


def add_landmark_metadata(model: bytes, variant: str) -> bytes:
    """Return the landmark model with the metadata PoseLandmarker requires."""
    writer = MetadataWriter.create(bytearray(model))
    writer.add_general_info(
        f"Pose landmarks detector ({variant})",
        "BlazePose GHUM 3D landmark model from the @mediapipe/pose npm package.",
    )
    writer.add_image_input(norm_mean=IMAGE_NORM_MEAN, norm_std=IMAGE_NORM_STD)
    for name, description in LANDMARK_OUTPUTS:
        writer.add_feature_output(name=name, description=description)
    model_with_metadata, _ = writer.populate()
    return bytes(model_with_metadata)


def write_bundle(members: dict[str, bytes], path: Path) -> None:
    """Same zip as `create_model_asset_bundle` writes, but with fixed timestamps.

    `create_model_asset_bundle` stamps each member with the current time, so every
    build would get a new sha256. This uses the same aligned, uncompressed zip
    class and member permissions, only with a constant date.
    """
    with model_asset_bundle_utils.AlignZipFile(path, mode="w", alignment=4) as bundle:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.external_attr = 0o600 << 16
            bundle.writestr(info, data)


def check_bundle_loads(path: Path) -> None:
    """Fail loudly if mediapipe cannot build a PoseLandmarker from the bundle."""
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(path)),
        running_mode=vision.RunningMode.IMAGE,
    )
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        blank = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((64, 64, 3), np.uint8))
        landmarker.detect(blank)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landmark_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()

    mediapipe_dir = Path(mp.__file__).parent
    detector = read_pinned(mediapipe_dir / "modules/pose_detection/pose_detection.tflite")

    args.out_dir.mkdir(parents=True, exist_ok=True)
    for variant in VARIANTS:
        raw = read_pinned(args.landmark_dir / f"pose_landmark_{variant}.tflite")
        bundle_path = args.out_dir / f"pose_landmarker_{variant}.task"
        members = {DETECTOR_MEMBER: detector, LANDMARKS_MEMBER: add_landmark_metadata(raw, variant)}
        write_bundle(members, bundle_path)
        check_bundle_loads(bundle_path)
        print(f"wrote {bundle_path}")

    licence = importlib.metadata.distribution("mediapipe").read_text("LICENSE")
    (args.out_dir / "LICENSE").write_text(licence)
    print(f"wrote {args.out_dir / 'LICENSE'}")


if __name__ == "__main__":
    main()
