"""Synthetic landmark recordings with known events, for tests and the accuracy benchmark.

A 33-landmark body (upright or lying, any size and place in the frame) with pose-model-like
jitter and breathing, onto which scripted movements are applied: jerks of any region set,
slow voluntary movements, tremor, turning over, camera shake, light changes and dropouts.
Each scripted movement is also returned as a truth record, so detection can be scored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from vidmyo.landmarks import N_LANDMARKS, REGION_LANDMARKS, FrameLandmarks
from vidmyo.results import distribution_of

# Upright body facing the camera, in torso lengths: x to the image right (the person's left),
# y down, mid-hip at the origin, mid-shoulder at (0, -1).
TEMPLATE = np.array([
    (0.0, -1.45), (0.05, -1.52), (0.09, -1.53), (0.13, -1.52), (-0.05, -1.52), (-0.09, -1.53),
    (-0.13, -1.52), (0.2, -1.47), (-0.2, -1.47), (0.05, -1.35), (-0.05, -1.35),
    (0.4, -1.0), (-0.4, -1.0), (0.5, -0.45), (-0.5, -0.45), (0.55, 0.05), (-0.55, 0.05),
    (0.58, 0.17), (-0.58, 0.17), (0.55, 0.2), (-0.55, 0.2), (0.5, 0.14), (-0.5, 0.14),
    (0.2, 0.0), (-0.2, 0.0), (0.22, 0.85), (-0.22, 0.85), (0.23, 1.7), (-0.23, 1.7),
    (0.2, 1.78), (-0.2, 1.78), (0.3, 1.85), (-0.3, 1.85),
])  # fmt: skip

PIVOT = {
    "head": (0.0, -1.1),
    "left_arm": (0.4, -1.0),
    "right_arm": (-0.4, -1.0),
    "left_leg": (0.2, 0.0),
    "right_leg": (-0.2, 0.0),
}
"""Joint each region rotates about when it jerks."""

UPPER_BODY = np.array(list(range(0, 23)))
JITTER = np.full(N_LANDMARKS, 0.006)
JITTER[list(range(0, 11))] = 0.005
JITTER[[15, 16, 17, 18, 19, 20, 21, 22]] = 0.012
JITTER[[27, 28, 29, 30, 31, 32]] = 0.010
"""Default jitter per landmark (std per axis, torso lengths); ``jitter_scale`` multiplies it."""


@dataclass
class Scripted:
    """A scripted movement: ``kind`` is jerk, movement, tremor, turn, camera_shake,
    light_change or dropout; times in seconds; ``amplitude`` in torso lengths at the most
    distal landmark; ``visible`` False when the moving regions are hidden."""

    kind: str
    onset_s: float
    regions: tuple[str, ...] = ()
    amplitude: float = 0.15
    duration_s: float = 0.25
    freq_hz: float = 5.0
    visible: bool = True

    def truth(self, fps: float) -> dict:
        # The first frame that shows the movement is the first one after its start.
        onset_frame = int(math.floor(self.onset_s * fps + 1e-9)) + 1
        offset_frame = int(math.ceil((self.onset_s + self.duration_s) * fps - 1e-9))
        return {
            "kind": self.kind,
            "onset_s": onset_frame / fps,
            "offset_s": offset_frame / fps,
            "onset_frame": onset_frame,
            "offset_frame": offset_frame,
            "regions": list(self.regions),
            "primary_region": self.regions[0] if self.regions else "",
            "distribution": distribution_of(self.regions),
            "amplitude": self.amplitude,
            "visible": self.visible,
        }


@dataclass
class Scenario:
    """A synthetic recording. ``rotation`` in degrees (90 = lying), ``torso_px`` the body size,
    ``hidden`` regions are under a blanket (low visibility) throughout."""

    duration_s: float = 30.0
    fps: float = 30.0
    rotation: float = 0.0
    torso_px: float = 150.0
    center: tuple[float, float] = (320.0, 260.0)
    frame_size: tuple[int, int] = (640, 480)
    jitter_scale: float = 1.0
    breathing: float = 0.01
    events: list[Scripted] = field(default_factory=list)
    hidden: tuple[str, ...] = ()
    seed: int = 0


def jerk_profile(u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Displacement over a jerk's duration (u in [0, 1]): a fast rise over the first fifth, a
    short hold, then a slower return towards rest."""
    rise = np.clip(u / 0.2, 0, 1)
    back = np.clip((u - 0.35) / 0.65, 0, 1)
    return np.where(u < 0, 0, np.where(u > 1, 0, rise * (1 - back**1.2)))


def _rotate(points: npt.NDArray, pivot: npt.NDArray, angle: float) -> npt.NDArray:
    c, s = math.cos(angle), math.sin(angle)
    d = points - pivot
    return pivot + d @ np.array([[c, s], [-s, c]])


def _region_idx(region: str) -> list[int]:
    return list(REGION_LANDMARKS[region])


def _apply(body: npt.NDArray, ev: Scripted, t: float, rng_phase: float) -> npt.NDArray:
    """Displace the body in torso coordinates according to one scripted movement at time t."""
    u = (t - ev.onset_s) / ev.duration_s
    if ev.kind == "turn" and u > 1:
        u = 1.0  # the body stays where it rolled to
    if u < 0 or u > 1:
        return body
    body = body.copy()
    if ev.kind == "jerk":
        level = float(jerk_profile(np.array([u]))[0])
    elif ev.kind == "movement":  # slow raise, hold, lower: a cosine bump
        level = 0.5 * (1 - math.cos(2 * math.pi * u))
    elif ev.kind == "tremor":
        level = math.sin(2 * math.pi * ev.freq_hz * (t - ev.onset_s) + rng_phase) * min(
            1.0, 4 * u, 4 * (1 - u)
        )
    elif ev.kind == "turn":  # the whole body rolls: rotate about the hips and slide
        level = 0.5 * (1 - math.cos(math.pi * u))
        body = _rotate(body, np.zeros(2), level * 0.6)
        return body + np.array([0.5 * level, 0.0])
    else:
        return body
    for region in ev.regions:
        idx = _region_idx(region)
        if region == "trunk":  # flexion: shoulders, head and arms move, hips stay
            carried = list(range(0, 23))
            body[carried] += np.array([0.0, ev.amplitude * level * 0.8]) + np.array(
                [ev.amplitude * level * 0.6, 0.0]
            )
            continue
        pivot = np.array(PIVOT[region])
        reach = np.max(np.linalg.norm(TEMPLATE[idx] - pivot, axis=1))
        angle = ev.amplitude * level / reach
        body[idx] = _rotate(body[idx], pivot, angle)
    return body


def simulate(scn: Scenario) -> tuple[list[FrameLandmarks], list[dict]]:
    """Frames and truth records (one per scripted movement) for a scenario."""
    rng = np.random.default_rng(scn.seed)
    n = int(round(scn.duration_s * scn.fps))
    ang = math.radians(scn.rotation)
    rot = np.array([[math.cos(ang), math.sin(ang)], [-math.sin(ang), math.cos(ang)]])
    center = np.array(scn.center)
    jitter = JITTER * scn.jitter_scale
    ar = np.zeros((N_LANDMARKS, 2))
    phases = {id(ev): rng.uniform(0, 2 * math.pi) for ev in scn.events}
    hidden = [i for r in scn.hidden for i in _region_idx(r)]
    frames: list[FrameLandmarks] = []
    camera = np.zeros(2)
    brightness = 120.0
    for i in range(n):
        t = i / scn.fps
        body = TEMPLATE.copy()
        breath = scn.breathing * math.sin(2 * math.pi * 0.25 * t)
        body[UPPER_BODY] += np.array([0.0, -breath])
        present = True
        visibility = np.full(N_LANDMARKS, 0.95, np.float32)
        shift = np.zeros(2, np.float32)
        glitch = False
        for ev in scn.events:
            inside = ev.onset_s <= t <= ev.onset_s + ev.duration_s
            if ev.kind == "camera_shake" and inside:
                step = rng.normal(0, ev.amplitude * scn.torso_px, 2)
                camera += step
                shift = step.astype(np.float32)
            elif ev.kind == "light_change" and abs(t - ev.onset_s) < 0.5 / scn.fps:
                brightness *= 1.0 + ev.amplitude
                glitch = True
            elif ev.kind == "dropout" and inside:
                present = False
            else:
                body = _apply(body, ev, t, phases[id(ev)])
        # AR(1) jitter: the model's errors persist a little from frame to frame.
        ar = 0.5 * ar + math.sqrt(1 - 0.25) * rng.normal(0, 1, (N_LANDMARKS, 2)) * jitter[:, None]
        noisy = body + ar
        if glitch:  # the pose model jumps when the light changes
            noisy = noisy + rng.normal(0, 0.05, (N_LANDMARKS, 2))
        xy = (noisy @ rot.T) * scn.torso_px + center + camera
        visibility[hidden] = 0.1
        if not present:
            frames.append(FrameLandmarks.empty(i, t))
            frames[-1].brightness = brightness
            continue
        frames.append(
            FrameLandmarks(
                index=i,
                t=t,
                xy=xy[None].astype(np.float32),
                visibility=visibility[None],
                present=np.ones(1, bool),
                brightness=brightness,
                shift=shift,
            )
        )
    truth = [ev.truth(scn.fps) for ev in scn.events]
    for rec, ev in zip(truth, scn.events, strict=True):
        if set(ev.regions) & set(scn.hidden):
            rec["visible"] = False
    return frames, truth
