"""Sleep videos never leave the machine: not the frames, and not MediaPipe's usage metrics."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

PROBE = """
import numpy as np, time
from vidmyo.config import PoseConfig
from vidmyo.pose import PoseEstimator
with PoseEstimator(PoseConfig(model="lite")) as pose:
    for i in range(10):
        pose(np.zeros((240, 320, 3), np.uint8), i / 30)
    time.sleep(2)  # give background uploader threads their chance
"""


def test_pose_inference_opens_no_outside_connection(tmp_path):
    strace = shutil.which("strace")
    if strace is None:
        if os.environ.get("CI"):
            pytest.fail("strace is needed for the privacy check; .ci/run installs it")
        pytest.skip("strace not installed")
    log = tmp_path / "trace.txt"
    subprocess.run(
        [strace, "-f", "-s", "200", "-e", "trace=connect,sendto,sendmmsg", "-o", str(log),
         sys.executable, "-c", PROBE],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    trace = log.read_text()
    outside = [
        line for line in trace.splitlines()
        if "connect(" in line and "AF_INET" in line
        and not re.search(r'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"', line)
    ]  # fmt: skip
    assert outside == [], outside
    assert "googleapis" not in trace  # not even a DNS lookup
