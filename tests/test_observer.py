"""The observer's housekeeping, with the pose model replaced (no inference needed)."""

from __future__ import annotations

import numpy as np

from vidmyo import observer
from vidmyo.config import PoseConfig, SkipConfig
from vidmyo.pose import PoseResult
from vidmyo.sources import Frame


def test_freed_memory_is_handed_back_every_few_seconds_of_video(monkeypatch):
    """glibc keeps memory the pose model freed unless asked (see ``_release_freed``): the
    observer asks every few seconds of video, skipping or not, and not on every frame."""
    released = []
    monkeypatch.setattr(observer, "_release_freed", lambda: released.append(1))
    fps, seconds = 30.0, 21.0
    nobody = PoseResult.empty(1)
    for skip in (True, False):
        released.clear()
        with observer.FrameObserver(PoseConfig(), skip=SkipConfig(enabled=skip), fps=fps) as obs:
            monkeypatch.setattr(type(obs.pose), "__call__", lambda self, image, t: nobody)
            image = np.zeros((48, 64, 3), np.uint8)
            for i in range(int(seconds * fps)):
                obs.push(Frame(i, i / fps, image=image.copy()))
            obs.flush()
        assert 3 <= len(released) <= seconds  # at least every 10 s, at most once a second


def test_a_one_frame_jump_of_the_pose_does_not_move_the_gates_boxes(monkeypatch):
    """The motion gate counts changed pixels in each region's box, and the detector asks a
    jerk for them. If a box followed the pose model's one-frame jump of an arm, the picture
    changing where the jump put it (here a patch that flickers there, as a neighbouring
    tremor does) would vouch for the jump on the next frame. The boxes come from the median
    of the last few poses, so the arm's box stays on the arm."""
    from vidmyo.landmarks import REGION_LANDMARKS, REGIONS
    from vidmyo.simulate import TEMPLATE

    fps, jump_at = 30.0, 20
    body = (TEMPLATE * 100 + [160, 250]).astype(np.float32)  # torso 100 px, left half
    arm = list(REGION_LANDMARKS["right_arm"])
    jumped = body.copy()
    jumped[arm, 0] += 300  # to the right half of the picture

    def pose(self, image, t):
        xy = jumped if round(t * fps) == jump_at else body
        return PoseResult(xy[None].copy(), np.ones((1, 33), np.float32), np.ones(1, bool))

    still = np.full((480, 640, 3), 90, np.uint8)
    flicker = still.copy()
    flicker[180:300, 420:560] = 200  # where the jump put the arm
    with observer.FrameObserver(PoseConfig(), skip=SkipConfig(enabled=False), fps=fps) as obs:
        monkeypatch.setattr(type(obs.pose), "__call__", pose)
        out = []
        for i in range(jump_at + 3):
            image = flicker if i == jump_at + 1 else still
            out += obs.push(Frame(i, i / fps, image=image.copy()))
        out += obs.flush()
    after = out[jump_at + 1]
    assert after.index == jump_at + 1
    assert after.changed_pixels[0, REGIONS.index("right_arm")] == 0


def test_a_jerk_seen_on_one_frame_gets_the_same_pre_roll_as_one_seen_on_two(monkeypatch):
    """A jerk that changes the picture on its first frame only wakes pose on that frame; one
    that changes it on two frames wakes it a frame later. The pre-roll counts back from the
    frame after the first change either way, so the same frames go through pose (the pose
    model's results depend on which frames it saw)."""
    from vidmyo.simulate import TEMPLATE

    fps, at = 30.0, 100
    body = (TEMPLATE * 100 + [320, 200]).astype(np.float32)[None]
    seen = PoseResult(body.copy(), np.ones((1, 33), np.float32), np.ones(1, bool))
    still = np.full((480, 640, 3), 90, np.uint8)

    def inferred(pictures: dict[int, np.ndarray]) -> list[int]:
        with observer.FrameObserver(PoseConfig(), skip=SkipConfig(), fps=fps) as obs:
            monkeypatch.setattr(type(obs.pose), "__call__", lambda self, image, t: seen)
            out = []
            for i in range(at + 40):
                image = pictures.get(i, pictures.get(-1) if i > at else still)
                out += obs.push(Frame(i, i / fps, image=image.copy()))
            out += obs.flush()
        return [f.index for f in out if f.inferred and f.index > 75]  # after the warm-up

    hand = still.copy()
    hand[300:340, 360:400] = 200  # 100 thumbnail pixels where the body is
    half = still.copy()
    half[300:320, 360:400] = 200
    one_frame = inferred({at: hand, -1: hand})  # the change comes, and holds
    two_frames = inferred({at: half, at + 1: hand, -1: hand})
    pre_roll = observer.frames_for(SkipConfig().pre_roll_s, fps)
    assert one_frame[0] == two_frames[0] == at + 1 - pre_roll
    assert one_frame[:pre_roll] == two_frames[:pre_roll] == list(range(at + 1 - pre_roll, at + 1))


def test_the_codecs_key_frames_are_recorded_held_or_inferred(monkeypatch):
    """The detector needs them (a key frame's picture change is partly the codec's), also
    through still stretches where the pose is held."""
    fps, nobody = 30.0, PoseResult.empty(1)
    for skip in (True, False):
        with observer.FrameObserver(PoseConfig(), skip=SkipConfig(enabled=skip), fps=fps) as obs:
            monkeypatch.setattr(type(obs.pose), "__call__", lambda self, image, t: nobody)
            image = np.zeros((48, 64, 3), np.uint8)
            out = []
            for i in range(120):
                out += obs.push(Frame(i, i / fps, image=image.copy(), key=i % 12 == 0))
            out += obs.flush()
        assert [f.index for f in out if f.key] == list(range(0, 120, 12))
        assert skip == (not all(f.inferred for f in out))  # held frames were among them
