"""The motion gate: when the picture changed enough that pose must run."""

from __future__ import annotations

import cv2
import numpy as np

from vidmyo.config import SkipConfig
from vidmyo.landmarks import REGION_LANDMARKS
from vidmyo.scene import FLOW_SPAN_S, MotionGate, PictureFlow, _padded_box
from vidmyo.simulate import TEMPLATE
from vidmyo.sources import Frame


def gate_run(changed: list[int], keys: tuple[int, ...] = ()) -> list[bool]:
    """The gate's verdicts on a still grey picture of which, on frame ``i``, ``changed[i]``
    thumbnail pixels (one block, growing or shrinking) are bright: from one frame to the
    next, as many pixels change as the block grew or shrank. ``keys``: the codec's key
    frames (the others are not; None would be unknown)."""
    gate = MotionGate(SkipConfig())
    verdicts = []
    for i, n in enumerate(changed):
        thumb = np.full((120, 160), 90, np.uint8)
        thumb.reshape(-1)[5000 : 5000 + n] = 200
        image = np.zeros((480, 640, 3), np.uint8)
        frame = Frame(i, i / 30, image=image, thumb=thumb, key=i in keys)
        verdicts.append(gate(frame, None)[1])
    return verdicts


def test_a_codec_refresh_of_one_frame_does_not_wake_pose():
    """13 changed pixels on one frame: the most a key frame changed on the quiet clips."""
    assert not any(gate_run([0] * 5 + [13] * 5)[1:])


def test_a_change_on_two_frames_in_a_row_wakes_pose():
    verdicts = gate_run([0] * 5 + [20, 40, 40, 40])
    assert verdicts[6] and not any(verdicts[1:6])


def test_a_jerk_that_changes_the_picture_on_one_frame_only_wakes_pose():
    """A jerk can rise within one frame and hold before it returns: its first frame is then
    the only one that changes (the dark clips' leg jerks: 44 and 93 pixels, then under 12)."""
    config = SkipConfig()
    large = int(config.single_frame_factor * config.min_changed_pixels)
    verdicts = gate_run([0] * 5 + [large] * 4 + [0] * 2)
    assert verdicts[5] and not any(verdicts[1:5])
    assert not any(gate_run([0] * 5 + [large - 1] * 4)[1:])


def test_in_a_picture_of_low_contrast_a_smaller_grey_change_counts():
    """Dark and infrared footage squeezes the picture into a narrow band of grey, and a limb
    that moves changes each pixel by less: 6 grey levels wake pose in a picture spanning 55
    levels, not in one spanning 200 (``SkipConfig.contrast_reference``). The picture flow
    still restarts on such a frame: at the fixed step it stood still."""

    def woke(low: int, high: int, config: SkipConfig | None = None) -> bool:
        gate = MotionGate(config or SkipConfig())
        picture = np.tile(np.linspace(low, high, 160).astype(np.uint8), (120, 1))
        image = np.zeros((480, 640, 3), np.uint8)
        verdicts, counts, flow_goes_on = [], [], []
        for i, n in enumerate([0, 0, 0, 30, 60, 90, 90]):  # a patch 6 levels lighter, growing
            thumb = picture.copy()
            thumb[40:70].reshape(-1)[:n] += 6
            reading, moved = gate(Frame(i, i / 30, image=image, thumb=thumb), None)
            verdicts.append(moved)
            counts.append(reading.changed_pixels)
            flow_goes_on.append(gate.changed_at_fixed_step)
        assert not any(flow_goes_on[1:])
        return any(verdicts[1:]) and counts[3:6] == [30, 30, 30]

    assert woke(60, 115)
    assert not woke(20, 220)
    assert not woke(60, 115, SkipConfig(contrast_reference=0))  # the fixed step alone


def test_on_a_key_frame_one_frame_wakes_pose_only_where_a_limb_is():
    """A key frame refreshes the codec's noise all over the person at once (on the clips'
    quiet key frames up to 222 changed pixels on one frame, at most 42% of them in one
    region's box); a jerk's one changing frame changes the picture where the limb is (the
    dark clip's leg jerk at a key frame: 100% in the leg's box; scripts/measure_gate.py)."""
    body = (TEMPLATE * 100 + [320, 200]).astype(np.float32)[None]  # in the 640 px frame
    foot = body[0, REGION_LANDMARKS["right_leg"][-1]] / 4  # in the 160 px thumbnail
    x, y = int(foot[0]), int(foot[1])
    box = _padded_box(body[0], (120, 160), 0.25)

    def key_frame_verdict(changed: np.ndarray, people: np.ndarray = body) -> bool:
        gate = MotionGate(SkipConfig())
        still = np.full((120, 160), 90, np.uint8)
        image = np.zeros((480, 640, 3), np.uint8)
        for i, (thumb, key) in enumerate([(still, True), (still, False), (changed, True)]):
            moved = gate(Frame(i, i / 30, image=image, thumb=thumb, key=key), people)[1]
        return moved

    at_the_foot = np.full((120, 160), 90, np.uint8)
    at_the_foot[y - 6 : y, x - 4 : x + 4] = 200  # 48 pixels
    everywhere = np.full((120, 160), 90, np.uint8)
    person = everywhere[box].copy()
    person.reshape(-1)[:: max(1, person.size // 200)] = 200  # ~200 pixels all over
    everywhere[box] = person
    assert key_frame_verdict(at_the_foot)
    assert not key_frame_verdict(everywhere)
    with_an_empty_slot = np.concatenate([body, np.full_like(body, np.nan)])  # --persons 2
    assert key_frame_verdict(at_the_foot, with_an_empty_slot)
    assert not key_frame_verdict(everywhere, with_an_empty_slot)


def test_the_gate_counts_the_changed_pixels_that_got_lighter():
    """A limb that moves lightens the picture at one edge and darkens it at the other; a
    light that comes on over the bed lightens it throughout (``picture_jerk_one_way``)."""
    body = (TEMPLATE * 100 + [320, 200]).astype(np.float32)[None]
    hand = body[0, REGION_LANDMARKS["left_arm"][-1]] / 4  # in the 160 px thumbnail
    x, y = int(hand[0]), int(hand[1])
    arm = list(REGION_LANDMARKS).index("left_arm")
    image = np.zeros((480, 640, 3), np.uint8)

    def reading(before: np.ndarray, after: np.ndarray):
        gate = MotionGate(SkipConfig())
        for i, thumb in enumerate([before, before, after]):
            picture, _ = gate(Frame(i, i / 30, image=image, thumb=thumb), body)
        return picture.by_region[0, arm], picture.lighter_by_region[0, arm]

    still = np.full((120, 160), 90, np.uint8)
    bar = still.copy()
    bar[y - 2 : y + 2, x - 8 : x] = 200
    moved = still.copy()
    moved[y - 2 : y + 2, x - 5 : x + 3] = 200  # the bar, 3 pixels on
    changed, lighter = reading(bar, moved)
    assert changed == 24 and lighter == 12
    lamp = still.copy()
    lamp[y - 3 : y + 3, x - 4 : x + 4] = 140
    assert reading(still, lamp) == (48, 48)
    assert reading(lamp, still) == (48, 0)


def test_the_picture_flow_follows_each_landmark_from_the_last_still_frame():
    """A textured picture in which one block (a limb) moves 4 px right and 2 px down over
    two frames, and then back: the flow at the landmarks on the block is that displacement,
    counted from the last still frame; elsewhere nothing moved. Still frames give zero and
    become the new reference; before the first pose there is nothing to follow, and after
    ``FLOW_SPAN_S`` of change it stops following."""
    rng = np.random.default_rng(3)
    still = cv2.GaussianBlur((rng.random((480, 640)) * 255).astype(np.uint8), (5, 5), 0)

    def picture(dx: int, dy: int) -> np.ndarray:
        image = still.copy()
        image[200 + dy : 300 + dy, 300 + dx : 400 + dx] = still[200:300, 300:400]
        return np.dstack([image] * 3)

    people = np.full((1, 33, 2), np.nan, np.float32)
    people[0, 15] = (350, 250)  # on the block
    people[0, 16] = (100, 100)  # away from it
    flow = PictureFlow()
    assert flow(Frame(0, 0.0, image=picture(0, 0)), None, changed=False) is None
    at_rest = flow(Frame(1, 1 / 30, image=picture(0, 0)), people, changed=False)
    assert np.array_equal(at_rest[0, 15:17], np.zeros((2, 2))) and np.isnan(at_rest[0, 0]).all()
    first = flow(Frame(2, 2 / 30, image=picture(2, 1)), people, changed=True)
    second = flow(Frame(3, 3 / 30, image=picture(4, 2)), people, changed=True)
    assert np.allclose(first[0, 15], (2, 1), atol=0.2)
    assert np.allclose(second[0, 15], (4, 2), atol=0.2)  # from the still frame, not the last
    assert np.allclose(second[0, 16], (0, 0), atol=0.2)
    late = flow(Frame(40, 40 / 30 + FLOW_SPAN_S, image=picture(4, 2)), people, changed=True)
    assert np.isnan(late).all()
    flow(Frame(41, 41 / 30 + FLOW_SPAN_S, image=picture(4, 2)), people, changed=False)
    back = flow(Frame(42, 42 / 30 + FLOW_SPAN_S, image=picture(0, 0)), people, changed=True)
    assert np.allclose(back[0, 15], (-4, -2), atol=0.2)  # from the new still frame


def test_the_picture_flow_is_unknown_where_the_picture_has_nothing_to_follow():
    """A landmark in a plain patch (a shirt, a blanket): the tracking has nothing to hold on
    to, and must say so rather than report a movement."""
    rng = np.random.default_rng(4)
    still = cv2.GaussianBlur((rng.random((480, 640)) * 255).astype(np.uint8), (5, 5), 0)
    still[150:350, 200:400] = 128  # plain
    people = np.full((1, 33, 2), np.nan, np.float32)
    people[0, 23] = (300, 250)  # in the middle of the plain patch
    people[0, 15] = (500, 100)  # on texture
    flow = PictureFlow()
    flow(Frame(0, 0.0, image=np.dstack([still] * 3)), people, changed=False)
    moved = np.roll(still, 3, axis=1)
    moved[150:350, 200:400] = 128
    shifts = flow(Frame(1, 1 / 30, image=np.dstack([moved] * 3)), people, changed=True)
    assert np.isnan(shifts[0, 23]).all()
    assert np.allclose(shifts[0, 15], (3, 0), atol=0.2)
