"""Synthetic landmark recordings with known events, for tests and the accuracy benchmark.

A 33-landmark body (standing or sitting, upright or lying, any size and place in the frame)
with pose-model-like jitter and breathing, onto which scripted movements are applied: jerks
of any region set, slow voluntary movements, tremor, turning over, camera shake, light
changes and dropouts. Each scripted movement is also returned as a truth record, so
detection can be scored.

Two jitter models:

* ``Scenario(jitter="ar1")`` (the default, which the unit tests were written against):
  independent Gaussian jitter per landmark, AR(1) with coefficient 0.5.
* ``Scenario(jitter="mediapipe")`` and its variants in :data:`JITTER_MODELS`: fitted to what
  MediaPipe's pose model (full bundle, VIDEO mode, as vidmyo runs it) does on still footage,
  measured by ``scripts/measure_jitter.py`` (numbers in ``docs/accuracy.md``). Per landmark,
  a slowly wandering offset (an Ornstein–Uhlenbeck process of time constant ``tau_frames``)
  driven by heavy-tailed innovations: on a share ``hold`` of frames no innovation at all
  (the landmark holds still), on a share ``jump`` a large one (``jump_ratio`` × the ordinary
  step), otherwise an ordinary Gaussian step. The landmarks of one body region share the
  kind of innovation (a hold or a jump hits the whole region) and part ``rho`` of its
  direction, as MediaPipe's errors do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from vidmyo.landmarks import MIRROR, N_LANDMARKS, REGION_LANDMARKS, REGIONS, FrameLandmarks
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

SITTING = TEMPLATE.copy()
"""Seated, facing the camera: the thighs point at the camera (foreshortened), the shanks hang
down, the hands rest on the thighs."""
SITTING[13:23] += np.array([0.0, -0.05])
SITTING[[15, 17, 19, 21]] = [(0.4, -0.02), (0.38, 0.1), (0.34, 0.1), (0.34, 0.05)]
SITTING[[16, 18, 20, 22]] = [(-0.4, -0.02), (-0.38, 0.1), (-0.34, 0.1), (-0.34, 0.05)]
SITTING[25:33] = [
    (0.26, 0.3), (-0.26, 0.3), (0.27, 1.1), (-0.27, 1.1),
    (0.25, 1.17), (-0.25, 1.17), (0.33, 1.26), (-0.33, 1.26),
]  # fmt: skip

POSTURES = {"standing": TEMPLATE, "sitting": SITTING}

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

JITTER_GROUPS: dict[str, tuple[int, ...]] = {
    "face": tuple(range(0, 11)),
    "shoulders_hips": (11, 12, 23, 24),
    "elbows": (13, 14),
    "wrists_hands": tuple(range(15, 23)),
    "knees": (25, 26),
    "ankles_feet": tuple(range(27, 33)),
}
"""Landmark groups of the jitter measurement and model."""


@dataclass(frozen=True)
class JitterModel:
    """Pose-model jitter (see the module docstring). Steps are per frame (per inference),
    std per axis in torso lengths; ``step`` and ``tau_frames`` per :data:`JITTER_GROUPS`
    group, ``rho`` per body region. ``flip_rate``: left/right flips of the whole body (the
    model taking the person's back for their front, seen in dark grey footage) starting per
    frame; ``flip_frames``: their mean length in frames."""

    hold: float
    jump: float
    jump_ratio: float
    step: dict[str, float]
    tau_frames: dict[str, float]
    rho: dict[str, float]
    flip_rate: float = 0.0
    flip_frames: float = 1.5
    source: str = ""
    fps: float = 30.0
    """Frame rate of the measurement. The jitter is a process in time, not per inference:
    at 15 fps MediaPipe's one-frame change equals its two-frame change at 30 fps. So at
    another rate, time constants scale with the frame rate, steps with its inverse square
    root (a random walk), and flips keep their rate per second and length in seconds."""

    def per_landmark(self, values: dict[str, float]) -> npt.NDArray[np.float64]:
        out = np.zeros(N_LANDMARKS)
        for group, idx in JITTER_GROUPS.items():
            out[list(idx)] = values[group]
        return out


# Fitted by scripts/measure_jitter.py on the sample clip and its --dark and --rotate 90
# variants at 30 fps (see docs/accuracy.md); regenerate with
# `python scripts/measure_jitter.py --fit` and paste its output here.
JITTER_MODELS: dict[str, JitterModel] = {
    "mediapipe": JitterModel(
        hold=0.4, jump=0.1, jump_ratio=4,
        step={"face": 0.00106, "shoulders_hips": 0.00069, "elbows": 0.00074,
              "wrists_hands": 0.00128, "knees": 0.00178, "ankles_feet": 0.00246},
        tau_frames={"face": 12, "shoulders_hips": 20, "elbows": 12, "wrists_hands": 20,
                    "knees": 7, "ankles_feet": 20},
        rho={"head": 0.82, "trunk": 0.32, "left_arm": 0.71, "right_arm": 0.59,
             "left_leg": 0.38, "right_leg": 0.43},
        flip_rate=0, flip_frames=1.5,
        source="scripts/measure_jitter.py, condition 'upright'",
    ),
    "mediapipe_dark": JitterModel(
        hold=0.5, jump=0.02, jump_ratio=6,
        step={"face": 0.003, "shoulders_hips": 0.00441, "elbows": 0.00482,
              "wrists_hands": 0.00742, "knees": 0.00988, "ankles_feet": 0.01669},
        tau_frames={"face": 12, "shoulders_hips": 20, "elbows": 12, "wrists_hands": 20,
                    "knees": 7, "ankles_feet": 7},
        rho={"head": 0.55, "trunk": 0.02, "left_arm": 0.83, "right_arm": 0.84,
             "left_leg": 0.62, "right_leg": 0.63},
        flip_rate=0.0179, flip_frames=1.69,
        source="scripts/measure_jitter.py, condition 'dark' (2026-11-27, dark frames blurred)",
    ),
    "mediapipe_lying": JitterModel(
        hold=0.2, jump=0.1, jump_ratio=6,
        step={"face": 0.00077, "shoulders_hips": 0.00045, "elbows": 0.00051,
              "wrists_hands": 0.00079, "knees": 0.00149, "ankles_feet": 0.00163},
        tau_frames={"face": 35, "shoulders_hips": 35, "elbows": 35, "wrists_hands": 100,
                    "knees": 60, "ankles_feet": 100},
        rho={"head": 0.83, "trunk": 0.32, "left_arm": 0.69, "right_arm": 0.64,
             "left_leg": 0.33, "right_leg": 0.38},
        flip_rate=0, flip_frames=1.5,
        source="scripts/measure_jitter.py, condition 'lying'",
    ),
}  # fmt: skip
"""Jitter models by name, for ``Scenario(jitter=…)``."""


def pose_noise(
    n: int, model: JitterModel, rng: np.random.Generator, scale: float = 1.0, fps: float = 30.0
) -> npt.NDArray[np.float64]:
    """(n, 33, 2) landmark offsets in torso lengths drawn from a :class:`JitterModel`, for a
    recording at ``fps``."""
    ratio = fps / model.fps
    step = model.per_landmark(model.step) * scale / math.sqrt(ratio)
    tau = model.per_landmark(model.tau_frames) * ratio
    a = np.exp(-1.0 / np.maximum(tau, 1e-3))
    burn = int(min(5 * float(np.max(tau)), 1200))
    total = n + burn
    kinds = rng.choice(
        3, size=(total, len(REGIONS)), p=[model.hold, 1 - model.hold - model.jump, model.jump]
    )
    gain = np.array([0.0, 1.0, model.jump_ratio])[kinds]  # (T, regions)
    shared = rng.standard_normal((total, len(REGIONS), 2))
    own = rng.standard_normal((total, N_LANDMARKS, 2))
    eta = np.empty((total, N_LANDMARKS, 2))
    for r, region in enumerate(REGIONS):
        idx = list(REGION_LANDMARKS[region])
        rho = model.rho[region]
        mix = math.sqrt(rho) * shared[:, r, None, :] + math.sqrt(1 - rho) * own[:, idx, :]
        eta[:, idx, :] = gain[:, r, None, None] * step[idx][None, :, None] * mix
    x = np.zeros((N_LANDMARKS, 2))
    out = np.empty((total, N_LANDMARKS, 2))
    a2 = a[:, None]
    for t in range(total):
        x = a2 * x + eta[t]
        out[t] = x
    return out[burn:]


def flip_frames(
    n: int, model: JitterModel, rng: np.random.Generator, fps: float = 30.0
) -> npt.NDArray[np.bool_]:
    """Frames in which the pose model has flipped left and right (see :class:`JitterModel`)."""
    out = np.zeros(n, bool)
    if model.flip_rate <= 0:
        return out
    ratio = fps / model.fps
    starts = np.nonzero(rng.random(n) < model.flip_rate / ratio)[0]
    lengths = rng.geometric(1.0 / max(model.flip_frames * ratio, 1.0), len(starts))
    for a, k in zip(starts, lengths, strict=True):
        out[a : a + k] = True
    return out


@dataclass
class Scripted:
    """A scripted movement: ``kind`` is jerk, movement, tremor, turn, camera_shake,
    light_change or dropout; times in seconds; ``amplitude`` in torso lengths at the most
    distal landmark; ``visible`` False when the moving regions are hidden.

    ``amplitudes`` gives some regions of a jerk their own amplitude (the others get
    ``amplitude``), so that the primary region is the one that moves most. ``stay`` is the
    share of a jerk's displacement that remains afterwards (0: back at rest). A dropout with
    ``regions`` loses only those regions' landmarks (low visibility, wandering guesses);
    without, the whole pose is lost."""

    kind: str
    onset_s: float
    regions: tuple[str, ...] = ()
    amplitude: float = 0.15
    duration_s: float = 0.25
    freq_hz: float = 5.0
    visible: bool = True
    amplitudes: dict[str, float] | None = None
    stay: float = 0.0

    def amplitude_of(self, region: str) -> float:
        if self.amplitudes and region in self.amplitudes:
            return self.amplitudes[region]
        return self.amplitude

    def truth(self, fps: float) -> dict:
        # The first frame that shows the movement is the first one after its start.
        onset_frame = int(math.floor(self.onset_s * fps + 1e-9)) + 1
        offset_frame = int(math.ceil((self.onset_s + self.duration_s) * fps - 1e-9))
        primary = max(self.regions, key=self.amplitude_of) if self.regions else ""
        return {
            "kind": self.kind,
            "onset_s": onset_frame / fps,
            "offset_s": offset_frame / fps,
            "onset_frame": onset_frame,
            "offset_frame": offset_frame,
            "regions": list(self.regions),
            "primary_region": primary,
            "distribution": distribution_of(self.regions),
            "amplitude": self.amplitude_of(primary) if primary else self.amplitude,
            "region_amplitudes": {r: self.amplitude_of(r) for r in self.regions},
            "duration_s": self.duration_s,
            "stay": self.stay,
            "visible": self.visible,
        }


@dataclass
class Scenario:
    """A synthetic recording. ``rotation`` in degrees (90 = lying), ``torso_px`` the body size,
    ``hidden`` regions are under a blanket (low visibility) throughout. ``posture`` is
    ``standing`` or ``sitting``. ``jitter`` names the jitter model: ``ar1`` or a key of
    :data:`JITTER_MODELS`; ``jitter_scale`` multiplies either. ``shift_measured`` False: a
    featureless background, so no frame has a background-shift measure (NaN)."""

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
    jitter: str = "ar1"
    posture: str = "standing"
    shift_measured: bool = True


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


def _apply(
    body: npt.NDArray, ev: Scripted, t: float, rng_phase: float, template: npt.NDArray = TEMPLATE
) -> npt.NDArray:
    """Displace the body in torso coordinates according to one scripted movement at time t."""
    u = (t - ev.onset_s) / ev.duration_s
    if ev.kind == "turn" and u > 1:
        u = 1.0  # the body stays where it rolled to
    if ev.kind == "jerk" and ev.stay > 0 and u > 1:
        u = 1.0  # the part stays partly displaced
    if u < 0 or u > 1:
        return body
    body = body.copy()
    if ev.kind == "jerk":
        level = float(jerk_profile(np.array([u]))[0])
        if ev.stay > 0:
            rise = min(1.0, u / 0.2)
            back = min(1.0, max(0.0, (u - 0.35) / 0.65))
            level = rise * (1 - (1 - ev.stay) * back**1.2)
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
        amplitude = ev.amplitude_of(region)
        if region == "trunk":  # a bend: the upper body leans about the hips and folds
            # towards them (a flexion towards the camera); head and arms ride along.
            lean = _rotate(body[UPPER_BODY], np.zeros(2), amplitude * level * 0.6)
            body[UPPER_BODY] = lean + np.array([0.0, amplitude * level * 0.8])
            continue
        pivot = np.array(PIVOT[region])
        reach = np.max(np.linalg.norm(template[idx] - pivot, axis=1))
        angle = amplitude * level / reach
        body[idx] = _rotate(body[idx], pivot, angle)
    return body


def simulate(scn: Scenario) -> tuple[list[FrameLandmarks], list[dict]]:
    """Frames and truth records (one per scripted movement) for a scenario."""
    rng = np.random.default_rng(scn.seed)
    n = int(round(scn.duration_s * scn.fps))
    ang = math.radians(scn.rotation)
    rot = np.array([[math.cos(ang), math.sin(ang)], [-math.sin(ang), math.cos(ang)]])
    center = np.array(scn.center)
    template = POSTURES[scn.posture]
    jitter = JITTER * scn.jitter_scale
    ar = np.zeros((N_LANDMARKS, 2))
    noise = None
    flipped = np.zeros(n, bool)
    if scn.jitter != "ar1":
        if scn.jitter not in JITTER_MODELS:
            raise ValueError(f"unknown jitter model {scn.jitter!r}")
        # A separate stream, so the scripted events draw the same numbers under any model.
        noise_rng = np.random.default_rng([scn.seed, 7])
        model = JITTER_MODELS[scn.jitter]
        noise = pose_noise(n, model, noise_rng, scn.jitter_scale, scn.fps)
        flipped = flip_frames(n, model, noise_rng, scn.fps)
    phases = {id(ev): rng.uniform(0, 2 * math.pi) for ev in scn.events}
    hidden = [i for r in scn.hidden for i in _region_idx(r)]
    lost_rng = np.random.default_rng([scn.seed, 11])
    frames: list[FrameLandmarks] = []
    camera = np.zeros(2)
    brightness = 120.0
    for i in range(n):
        t = i / scn.fps
        body = template.copy()
        breath = scn.breathing * math.sin(2 * math.pi * 0.25 * t)
        body[UPPER_BODY] += np.array([0.0, -breath])
        present = True
        visibility = np.full(N_LANDMARKS, 0.95, np.float32)
        shift = np.zeros(2, np.float32)
        glitch = False
        lost: list[int] = []
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
                if ev.regions:
                    lost += [j for r in ev.regions for j in _region_idx(r)]
                else:
                    present = False
            else:
                body = _apply(body, ev, t, phases[id(ev)], template)
        if noise is None:
            # AR(1) jitter: the model's errors persist a little from frame to frame.
            ar = (
                0.5 * ar
                + math.sqrt(1 - 0.25) * rng.normal(0, 1, (N_LANDMARKS, 2)) * jitter[:, None]
            )
            noisy = body + ar
        else:
            noisy = body + noise[i]
        if glitch:  # the pose model jumps when the light changes
            noisy = noisy + rng.normal(0, 0.05, (N_LANDMARKS, 2))
        if flipped[i]:  # the model swaps the person's left and right
            noisy = noisy[MIRROR]
        if lost:  # the model guesses where landmarks it cannot see are
            noisy[lost] += lost_rng.normal(0, 0.05, (len(lost), 2))
            visibility[lost] = 0.2
        xy = (noisy @ rot.T) * scn.torso_px + center + camera
        visibility[hidden] = 0.1
        if not present:
            frames.append(FrameLandmarks.empty(i, t))
            frames[-1].brightness = brightness
            if not scn.shift_measured:
                frames[-1].shift = np.full(2, np.nan, np.float32)
            continue
        frames.append(
            FrameLandmarks(
                index=i,
                t=t,
                xy=xy[None].astype(np.float32),
                visibility=visibility[None],
                present=np.ones(1, bool),
                brightness=brightness,
                shift=shift if scn.shift_measured else np.full(2, np.nan, np.float32),
            )
        )
    truth = [ev.truth(scn.fps) for ev in scn.events]
    for rec, ev in zip(truth, scn.events, strict=True):
        seen = [r for r in ev.regions if r not in scn.hidden]
        if ev.regions and len(seen) < len(ev.regions):
            rec["regions_scripted"] = list(ev.regions)
            if not seen:
                rec["visible"] = False
            else:  # what a camera can see of it: the jerk of the visible regions
                rec["regions"] = seen
                rec["primary_region"] = max(seen, key=ev.amplitude_of)
                rec["distribution"] = distribution_of(seen)
                rec["amplitude"] = ev.amplitude_of(rec["primary_region"])
    return frames, truth
