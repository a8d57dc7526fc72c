"""All settings in one typed place, with the defaults documented where they are defined.

Every stage takes its own section (``PoseConfig``, ``DetectorConfig``) so that it can be
tested on its own; ``Config`` bundles them for the pipeline and the command line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from vidmyo.errors import UsageError

ModelName = Literal["lite", "full", "heavy"]
Rotation = Literal["auto", "0", "90", "180", "270"]

MODELS: tuple[str, ...] = ("lite", "full", "heavy")
ROTATIONS: tuple[str, ...] = ("auto", "0", "90", "180", "270")


@dataclass(frozen=True)
class PoseConfig:
    """How frames become landmarks.

    The confidences are low on purpose: a sleeper is small, rotated and dimly lit, and the
    model's default (0.5) loses such a person (measured: a 240 px tall person needs ~0.2).
    """

    model: ModelName = "full"
    """Pose model bundle in ``models/``: lite (fastest), full (default), heavy (most exact)."""
    processing_size: int = 640
    """Frames are downscaled so that their longer side is at most this many pixels."""
    min_detection_confidence: float = 0.2
    min_presence_confidence: float = 0.3
    min_tracking_confidence: float = 0.3
    rotation: Rotation = "auto"
    """``auto`` tries 0/90/180/270 degrees on the opening frames (and again whenever the pose
    is lost for a while) and keeps the one in which the pose is found best; a number fixes it."""
    rotation_probe_frames: int = 5
    """How many frames, spread over the first seconds, the rotation probe looks at."""
    reprobe_after_s: float = 5.0
    """Try the rotations again after the pose has been lost for this long."""
    enhance_dark: bool = True
    """Brighten dark or infrared-grey frames (CLAHE) and smooth their grain before inference."""
    dark_luma: float = 80.0
    """Mean luma (0-255) below which a frame counts as dark."""
    persons: int = 1
    """How many people to track (1-4): 2 when a bed partner is in view. Each gets a stable
    person slot (see :mod:`vidmyo.tracking`), and each event's ``person`` says whose jerk it
    was. With 1 the model follows whichever person it finds best."""
    track_max_jump: float = 1.0
    """A pose can take over a tracked person's slot only if its torso lies within this many
    torso lengths of where that person was last seen; a pose farther from everyone tracked
    is a new person. Sleepers hardly move between frames, while the torsos of two people
    side by side in a bed lie roughly a torso length apart (a shoulder width)."""
    track_max_size_ratio: float = 1.8
    """...and only if its torso is at most this many times longer or shorter than theirs
    (a person nearer the camera looks larger; a sleeper turning on their side changes the
    measured torso length too, so the limit is loose)."""
    track_duplicate: float = 0.3
    """Two poses whose landmarks lie this close (median distance, in torso lengths; below 1)
    are the pose model finding one person twice; the less visible one is dropped, so one
    person never fills two slots."""


@dataclass(frozen=True)
class DetectorConfig:
    """How landmark trajectories become events.

    Thresholds are in units of the recording's own noise (robust spread of each landmark's
    excursion while the body is still), so they adapt to pose jitter, distance and light.
    Distances are in torso lengths (mid-shoulder to mid-hip), so they do not depend on how
    far away the person is.
    """

    sensitivity: float = 1.0
    """Divides the trigger threshold and the minimum amplitude: 2.0 halves them (smaller jerks
    found, more false ones), 0.5 doubles them (only clear jerks)."""
    trigger_z: float = 5.5
    """A region triggers when its excursion from rest exceeds this many noise units."""
    sudden_speed_z: float = 7.0
    sudden_trigger_z: float = 3.5
    """A region whose displacement over ``still_window_s`` exceeded ``sudden_speed_z`` of its
    noise units within the last ``still_window_s`` (a jerk's excursion often goes on rising
    a frame after its fastest frame) triggers already at ``sudden_trigger_z`` units of
    excursion, when the picture can confirm it: if it stays below ``trigger_z``, it must
    then change the picture in its own region's box (``picture_check``) and last
    ``min_active_s`` from the onset of its sudden rise. Why: the excursion's noise unit
    includes the pose model's slow drift, which the short displacement window does not see,
    so a jerk of a swinging limb (whose region mean moves less than its end) can be many
    units sudden and still below ``trigger_z`` (``docs/accuracy.md``: these two values were
    chosen on the video clips). Landmarks without pictures trigger at ``trigger_z`` only."""
    onset_z: float = 3.0
    """The onset is the first frame of the run of frames above this many noise units."""
    onset_fraction: float = 0.25
    """...and, walking back, frames below this share of the excursion at the trigger are
    before the onset (so a slow drift before a jerk is not counted as part of it)."""
    quiet_z: float = 2.5
    """A region is still again when its displacement over ``still_window_s`` stays below this
    many noise units."""
    still_window_s: float = 0.15
    """Window for judging stillness: long enough that a slow movement still shows as moving."""
    min_active_s: float = 0.08
    """A movement must stay above ``onset_z`` this long (3 frames at 30 fps): the pose model's
    one- and two-frame glitches are not movements, while a jerk's rise, hold and return last
    longer than that."""
    brief_z: float = 9.0
    """A movement shorter than ``min_active_s`` still counts when its excursion reaches this
    many noise units, alone or together with the other regions above ``trigger_z`` on the
    same frame (root sum of squares): a 50 ms jerk is one frame at 25-30 fps, and the pose
    model's one-frame glitches stay below this. Measured (``scripts/measure_quiet.py``): in
    20 minutes of quiet footage with every frame through the pose model, the 94 bursts of
    one or two frames above ``trigger_z`` peaked at 7.6 noise units at most."""
    min_amplitude: float = 0.03
    """Excursions smaller than this many torso lengths are never events."""
    baseline_s: float = 0.5
    """Rest position = median position over this window before the movement."""
    baseline_gap_frames: int = 3
    """The rest window ends this many frames before the current frame, so that the first frames
    of a movement do not pull the rest position."""
    noise_window_s: float = 20.0
    """Noise is estimated over this much recent still time."""
    noise_update_every: int = 10
    """Recompute the noise estimate every this many frames (it changes slowly)."""
    min_noise: float = 0.004
    """Floor for a region's noise unit, in torso lengths, for perfectly clean inputs."""
    quiet_s: float = 0.1
    """A region must be still this long before its movement is considered over."""
    max_jerk_s: float = 0.8
    """Movements longer than this (onset to offset, return included) are not jerks. Where the
    picture is known, a sudden movement that lasts longer is over where its own box stopped
    changing, if it stood still from there on, however long the landmarks go on jittering."""
    max_rise_s: float = 0.25
    """A jerk reaches its largest excursion within this time of its onset."""
    min_return: float = 0.3
    step_amplitude: float = 0.1
    """A sudden displacement smaller than ``step_amplitude`` torso lengths that does not move
    back by at least ``min_return`` of itself is the pose model stepping between solutions,
    not a jerk. When the picture changed with it in its own box, the return is waited for
    until ``max_jerk_s`` after the onset: a jerk may hold still before it returns."""
    step_noise_units: float = 10.0
    """...and so is one smaller than this many noise units: in dark footage the model's steps
    are as large as real jerks, and only the return tells them apart."""
    trusted_noise: float = 0.012
    """Noise unit (torso lengths) up to which the pose model is trusted fully; above it an
    event's confidence falls in proportion (normal light: 0.004-0.009; dark grey footage:
    0.02-0.08, where the model's glitches look like jerks)."""
    picture_check: bool = True
    """A jerk must change the picture where it happens: on some frame from its onset (one
    frame before) to just after its peak, the motion gate must have counted changed pixels
    in the moving region's box, more than on a busy frame just before (a trembling arm, or
    the settling after an earlier jerk, changes the picture on most frames; the pose model's
    jumps during them change it no more). If the picture changed nowhere on the person, the
    movement is the pose model's glitch (legs gliding on a still picture, jumps in dark
    footage) and is set aside. If it changed only in another region's box, the
    movement is set aside when a jerk of that region, which the picture did change with,
    accounts for the change (the model moving landmarks beside a real jerk), and kept
    otherwise: something jerked, the landmarks only misplace it. A movement that has gone on
    for ``max_rise_s`` + ``picture_after_s`` without such a change (its frames' changed
    pixels added up) is set aside there and then, so that a jerk right after it starts
    afresh (in dark footage the model's limbs wander on a still picture before real jerks);
    so is one whose picture was still on most of its frames (and never changed as much as a
    jerk changes it) when it starts to change: the change starts afresh.
    Landmarks without pictures (synthetic, or files from before this check) are not judged.
    ``scripts/bench_accuracy.py`` shows the effect on the video clips."""
    picture_jerks: bool = True
    """Report a jerk that the picture shows and the pose model did not follow (evidence
    ``"picture"``): out of a still picture (``picture_still_s``), the gate counts at least
    ``picture_jerk_pixels`` changed pixels in one of the person's region boxes, on two of
    three frames at least ``picture_min_pixels`` (or the picture moved by
    ``picture_jerk_flow`` at the landmarks), and the picture is still again within
    ``max_jerk_s``; the background did not move (``picture_jerk_shift``; where it cannot be
    measured, no such jerk is reported), the light did not change (``picture_jerk_light``,
    ``picture_jerk_one_way``), and no event of the person's landmarks overlaps it. On the
    clips of ``docs/accuracy.md`` the pose model showed some clear jerks at a fraction of
    their size (a 0.08 arm jerk as 0.02) while the picture changed by hundreds of pixels.
    Its regions and amplitude: how far the picture itself moved at each region's landmarks
    (``picture_region_floor``, ``picture_region_share``; see ``vidmyo.scene.PictureFlow``),
    or, where it moved too little to say (``picture_jerk_region_floor``), the box that
    changed. Needs ``picture_check``."""
    picture_jerk_pixels: float = 36.0
    """Changed pixels a picture jerk reaches in one box on one of its first three frames:
    three times ``picture_min_pixels``, as for the motion gate's one-frame wake."""
    picture_jerk_flow: float = 0.03
    """...or, instead of ``picture_jerk_pixels`` on two frames: the picture itself moved by
    at least this much (torso lengths) at one region's landmarks (measured as for
    ``picture_region_floor``) within the burst's first three frames. In dark footage the
    gate's threshold rises with the grain, and a jerk changes few pixels (at dark jerks the
    pixel rule missed on the clips: 8-69 in the largest box, on one or two frames, with flow
    of 0.031-0.045 at six of seven, in a scratch scan; ``docs/accuracy.md``, thirteenth
    pass); a codec's key frame refreshes the noise and moves nothing, but on a plain patch
    the flow can slide with the refresh, so it is not trusted through a key frame that
    changed no box beyond the refresh (``vidmyo.events._own_change``)."""
    picture_still_s: float = 0.5
    """A picture jerk comes out of a still picture: unchanged on the frame before, and on
    three frames of four over this long before."""
    picture_jerk_shift: float = 0.001
    """Largest background shift on any frame of a picture jerk, as a fraction of the frame's
    longer side (0.64 px at 640 px; still footage: under 0.05 px, camera shakes 0.4-12 px
    a frame)."""
    picture_jerk_light: float = 0.01
    """Largest change of the picture's mean brightness (relative to the frame before the
    burst) through a picture jerk and the still frames after it. A light that comes on over
    part of the bed (a lamp, a phone's screen) brightens the picture; a limb that jerks and
    returns hardly changes it (at the 58 picture jerks of the clips and the holdout clips:
    at most 0.33%, median 0.06%). A light too small to move the mean by 1% still passes."""
    picture_jerk_one_way: float = 0.98
    """On a picture jerk's largest frame, less than this share of the changed pixels in the
    box that changed most may have got lighter, and less than this share darker: a moving
    limb lightens the picture at one edge and darkens it at the other, a light coming on
    over the bed, or a shadow, changes it one way. At the scripted jerks that changed a box
    by 36 pixels or more, 12-95% got lighter (three sets of clips, 300 jerks; in dark footage
    a jerk can change the picture nearly one way: ``scripts/measure_picture_jerks.py``)."""
    picture_region_floor: float = 0.015
    """A region joins a jerk if the picture moved there by at least this much (torso lengths;
    flow at its landmarks, measured as the landmarks are: ``vidmyo.motion.picture_excursion``)
    and at least ``picture_region_share`` of the jerk's primary region (for a picture jerk,
    the region that moved most). Used for every jerk whose primary region's flow is known;
    otherwise a landmark jerk's regions are those whose landmarks jerked
    (``min_region_share``). Chosen on three sets of clips (``docs/accuracy.md``, fourteenth
    pass): 0.01 let the flow's noise in (distribution right 80% against 85% on the main
    clips)."""
    picture_jerk_region_floor: float = 0.0075
    """A picture jerk's regions come from the flow (``picture_region_floor``) only if the
    picture moved at least this much (torso lengths) at some region's landmarks; below, the
    gate's boxes name its one region (``vidmyo.events``, ``_picture_event``). The flow misses
    a limb it lost, and one the pose model placed off the limb, where it follows the
    background: at such jerks of the second man's clips (0.07-0.24 torso lengths) it moved
    0.001-0.006 everywhere, and its noise named another region, mostly the head or the
    trunk. Half ``picture_region_floor``: between the two, the flow named three of the first
    man's small jerks (0.02-0.03 torso lengths, flow 0.012-0.015) right, and the boxes did
    not (``docs/accuracy.md``, twenty-ninth pass)."""
    picture_region_share: float = 0.25
    """See ``picture_region_floor``. A jerk's other regions were scripted at 0.4-0.75 of the
    primary's size; 0.2-0.3 gave the same distributions within two points on three sets of
    clips, 0.5 lost the smaller regions."""
    picture_rider_share: float = 0.35
    """``picture_region_share`` between the trunk and what hangs from it: for the head and
    arms when the trunk is the primary region, and for the trunk when an arm or a leg is.
    A trunk jerk carries the head and arms, and part of that carriage is left on their
    picture after the trunk's shift and turn are taken out (``vidmyo.motion.picture_excursion``).
    At the landmark jerks of five sets of clips with the trunk primary, 14 of 137 riders that
    were not scripted moved 0.25 of the trunk's movement or more (at most 0.45), 4 of them
    0.35 or more; of 7 scripted ones, 6 and 3 (``scripts/measure_regions.py``). On those
    sets 0.35 set 6 distributions right and 2 wrong (``docs/accuracy.md``, twenty-third
    pass). A limb's jerk moves the picture at its shoulder or hip, the trunk's landmarks: at
    the landmark jerks of the same sets with an arm or a leg primary, 9 of 139 trunks that
    were not scripted moved 0.25 of the limb's movement or more, 6 of them 0.35 or more; the
    39 scripted ones all moved 0.44 or more (twenty-fourth pass)."""
    picture_carriage_slack: float = 0.3
    """How much of a trunk's movement in the picture, along it, may be left on the head and
    arms that it carried, on frames where the trunk moved most (a share of the trunk's
    movement; ``vidmyo.motion.less_trunk_shortfall``). The flow follows a plain shirt's
    shoulders only in part, and the carriage taken off the riders falls short along the
    trunk's movement. At the trunk jerks of seven sets of clips, the heads and arms that were
    not scripted moved along the trunk's movement by a median 0.04 of it in normal light
    (90th percentile 0.15) and 0.07 in dark clips (90th percentile 0.51); in dark clips 11
    of 63 moved ``picture_rider_share`` of the trunk's movement or more, 7 with 0.3 taken
    off, 4 with 0.5 (``scripts/measure_carriage.py``). Re-detected, 0.3, 0.5 and 0.7 set
    the same six distributions right and none wrong (``docs/accuracy.md``, twenty-fifth
    pass). The clips' scripted riders all moved against or across the trunk's movement, so
    what this costs a rider that jerks along it by less than ``picture_rider_share`` plus
    this share of the trunk's movement is not measured."""
    limb_contact: float = 0.15
    """Another limb whose landmarks come within this many torso lengths of a jerking limb's
    bones, as the jerk began, lies on that limb in the picture (about half a thigh's width).
    Where the flow at its landmarks moved, that may have been the jerking limb's movement, so
    it joins the jerk only where its landmarks jerked too (``vidmyo.motion.limbs_lying_on``).
    A second person's legs cross: the other leg's landmarks lay 0.00-0.11 from a leg's
    jerking bones, its flow moved 0.26-0.85 as far, and 12 jerks of one leg were reported
    with both legs. The first person's legs never came closer than 0.16
    (``scripts/measure_limb_contact.py``; ``docs/accuracy.md``, twenty-seventh pass)."""
    picture_glitch_share: float = 0.02
    """A landmark jerk is the pose model's own when the picture's flow, followed at its region
    throughout, moved less than this share of its excursion anywhere on the person. Chosen on
    clips of a second person, whom the pose model often took to face away from the camera,
    sweeping one side's landmarks across the body: there the six landmark jerks that matched
    no scripted jerk moved the picture 0.001-0.016 of their excursion, and on the first
    person's eight sets the 412 true ones 0.028 or more (``scripts/measure_picture_artefacts.py``;
    ``docs/accuracy.md``, twenty-sixth pass). Zero flow is the simplest case."""
    picture_primary_ratio: float = 1.3
    """A landmark jerk's primary region is where the picture moved most if that region's
    landmarks did not jerk at all and its flow is at least this many times that of the
    region the landmarks chose: the pose model missed that region's jerk. First 2, chosen
    on four sets of clips (``docs/accuracy.md``, sixteenth pass). On twelve sets, of the
    886 jerks of the target class found, the primary region was wrong at 38 with 2, 27
    with 1.5, 23 with 1.3 and with 1.15 (twenty-second pass)."""
    picture_jerk_confidence: float = 0.5
    """Confidence of a picture jerk: the pose model did not confirm it."""
    picture_min_pixels: float = 12.0
    """...at least this many changed pixels of the gate's thumbnail
    (``SkipConfig.thumb_width`` wide) inside the region's box, padded, more than the upper
    quartile over the ~0.45 s before the movement."""
    picture_after_s: float = 0.07
    """...up to this long after the peak (two frames at 30 fps). The pose model's smoothing
    makes landmarks lag the picture, so a landmark peak before any change in the picture is
    a glitch; but in dark footage a glitch can sit on a real jerk that comes a frame or two
    later, and would take it along if the window were shorter."""
    min_region_share: float = 0.3
    """A region's landmark movement is part of a jerk (its onset, offset and speed) only if
    it moved at least this share of the primary region's amplitude (the model drags
    neighbouring landmarks along a little); the jerk's regions come from the picture
    (``picture_region_floor``) where its flow is known."""
    partner_share: float = 0.5
    """With more than one person in view: a jerk of one person that starts during a jerk of
    another at least 1 / ``partner_share`` times its size is that jerk seen through them,
    and is set aside. A bed partner's jerk changes the picture in the neighbour's boxes and
    moves the neighbour's landmarks a little (in the two-person clips, trunk "jerks" of
    0.04-0.05 torso lengths during the partner's jerks of 0.18-0.19); counted in the
    summary's ``partner_jerks_set_aside``. With people in view, events therefore leave the
    detector ``max_jerk_s`` + ``context_s`` later."""
    max_event_s: float = 20.0
    """A movement that goes on longer than this is cut into consecutive events."""
    merge_s: float = 0.15
    """Region movements whose onsets lie this close together are one event."""
    tremor_min_hz: float = 2.5
    tremor_max_hz: float = 12.0
    tremor_min_cycles: int = 3
    min_visibility: float = 0.5
    """Landmarks less visible than this (MediaPipe's visibility score) are not used."""
    swap_ratio: float = 0.5
    swap_min_shift: float = 0.05
    """The pose model swapped a person's left and right arm (leg, side of the face) when the
    two sides moved more than ``swap_min_shift`` torso lengths since the previous frame and lie
    closer to each other's previous place than to their own, by this ratio: they are swapped
    back (dark footage; see ``motion.SideSwapFixer``)."""
    scale_window_s: float = 3.0
    """Body scale = median torso length over this recent window."""
    light_change: float = 0.12
    """A relative change of mean brightness larger than this between frames is a light change."""
    camera_shift: float = 0.004
    """Background shift between frames, as a fraction of the frame's longer side, above which
    the camera moved (0.004 = 2.6 px at 640 px)."""
    context_s: float = 0.4
    """A jerk-like movement this close to a camera shake, a light change or a longer movement
    of the same person is labelled as that, not as a jerk. Events are final this long after
    their offset."""

    def scaled(self) -> DetectorConfig:
        """Thresholds after applying ``sensitivity``."""
        s = self.sensitivity
        return replace(
            self,
            sensitivity=1.0,
            trigger_z=self.trigger_z / s,
            sudden_speed_z=self.sudden_speed_z / s,
            sudden_trigger_z=self.sudden_trigger_z / s,
            brief_z=self.brief_z / s,
            onset_z=min(self.onset_z, self.trigger_z / s),
            min_amplitude=self.min_amplitude / s,
            picture_jerk_pixels=self.picture_jerk_pixels / s,
            picture_jerk_flow=self.picture_jerk_flow / s,
        )


@dataclass(frozen=True)
class SkipConfig:
    """When to spare pose inference: a night is hours of stillness.

    A cheap test on a grey thumbnail decides whether anything in the picture changed. While
    nothing does, frames get the last pose (marked as held, not inferred). The moment
    something moves, pose runs again, first over the frames of the pre-roll, so a jerk's onset
    and the rest before it are measured exactly as without skipping.
    """

    enabled: bool = True
    thumb_width: int = 160
    """Width of the grey thumbnail compared between frames."""
    pixel_threshold: float = 8.0
    """A thumbnail pixel changed if it moved by more than this many grey levels (in a picture
    of ordinary contrast; see ``contrast_reference``)..."""
    noise_factor: float = 4.0
    """...and by more than this many times the frame's own noise (robust spread of the
    difference), so grainy night footage does not count as motion."""
    contrast_reference: float = 100.0
    """``pixel_threshold`` is scaled down in a picture whose contrast inside the people's box
    (grey levels from its 5th to its 95th percentile) is below this, to no less than
    ``min_pixel_threshold``; 0: no scaling. Dark and infrared-grey footage squeezes the
    picture into a narrower band of grey, so a limb that moves changes each pixel by less.
    On the rendered clips (contrast 46-69 in the dark, 110-196 in normal light) the gate
    slept through 10 of 225 dark jerks at a fixed 8 levels and through 1 with the scaling,
    and woke on 49 quiet frames instead of 48 of 23 917. In normal light it slept through
    none either way (``scripts/measure_gate.py --contrast-references``;
    ``docs/accuracy.md``, twenty-first pass)."""
    min_pixel_threshold: float = 4.0
    """The lowest step the contrast scaling goes to."""
    min_changed_pixels: int = 12
    """Something moved when at least this many thumbnail pixels (within the person's box,
    padded) changed since the previous frame on two frames in a row, or five times as many
    in a blurred thumbnail since the last pose frame (slow drift)."""
    single_frame_factor: float = 3.0
    """...or ``single_frame_factor`` times ``min_changed_pixels`` on one frame alone. A jerk
    can rise within one frame and hold before it returns, changing the picture on its first
    frame only (two leg jerks of the dark clips: 44 and 93 pixels, then under 12, so pose
    never saw them; ``docs/accuracy.md``)."""
    single_frame_share: float = 0.75
    """On a key frame of the video's codec, that one frame must also have this share of its
    changed pixels in one body region's box. A key frame refreshes the picture's noise all
    over the person at once (on the clips' quiet key frames up to 222 pixels in one frame,
    at most 42% of them in one region's box); a jerk changes it where the limb is (8 of the
    17 one-frame jerks of the clips put 100% there; the others, most of them multi-region,
    47-75%: on a key frame they wait for the frames after; ``scripts/measure_gate.py``)."""
    warmup_s: float = 2.0
    """Run pose on every frame for this long at the start: the detector's noise units need
    a second of real inferences, and a jerk in the opening seconds must meet them ready."""
    still_after_s: float = 0.5
    """Stop inference after this long without any change. The pose model's landmarks lag
    the picture and settle for several frames after it stops: stopping at 0.3 s froze them
    before they had, and lost 2 of 45 jerks in the video benchmark."""
    pre_roll_s: float = 0.8
    """When something moves, run pose from this long before: the rest window
    (``baseline_s`` + gap) before the onset, plus the gate's lag of a few frames behind it."""
    keepalive_s: float = 30.0
    """Run pose at least this often during stillness anyway: a check on the held pose
    (someone who left without the gate seeing it, a pose that was a glitch)."""


@dataclass(frozen=True)
class Config:
    pose: PoseConfig = field(default_factory=PoseConfig)
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    skip: SkipConfig = field(default_factory=SkipConfig)
    start_s: float = 0.0
    """Analyse from this time (seconds from the first frame)."""
    end_s: float | None = None
    """Analyse up to this time; ``None`` = to the end."""

    def __post_init__(self) -> None:
        if self.pose.model not in MODELS:
            raise UsageError(f"unknown model {self.pose.model!r}; choose one of {MODELS}")
        if self.pose.rotation not in ROTATIONS:
            raise UsageError(f"unknown rotation {self.pose.rotation!r}; choose one of {ROTATIONS}")
        if self.start_s < 0:
            raise UsageError("--start must be >= 0")
        if self.end_s is not None and self.end_s <= self.start_s:
            raise UsageError("--end must be after --start")
        if not 0.05 <= self.detector.sensitivity <= 20:
            raise UsageError("--sensitivity must be between 0.05 and 20")
        persons = self.pose.persons
        if isinstance(persons, bool) or not isinstance(persons, int) or not 1 <= persons <= 4:
            raise UsageError(f"--persons must be a whole number from 1 to 4, not {persons!r}")
        if not (self.pose.track_max_jump > 0 and self.pose.track_max_size_ratio > 1):
            raise UsageError("track_max_jump must be > 0 and track_max_size_ratio > 1")
        if not 0 <= self.pose.track_duplicate < min(1.0, self.pose.track_max_jump):
            raise UsageError("track_duplicate must be >= 0 and below 1 and track_max_jump")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MonitorConfig:
    """Settings of ``vidmyo monitor`` beyond the analysis itself (pose, detector and skipping
    come from :class:`Config`, so that monitor and analyze share them)."""

    realtime: bool = True
    """Replay a video file at its own frame rate, as if it were a camera; False: as fast as
    possible, every frame (``--as-fast-as-possible``)."""
    fps: float | None = None
    """Frame rate the detector assumes. ``None``: the source's own (a file's stated rate, a
    camera's or stream's reported one, or 30 if it reports none)."""
    max_lag_s: float = 0.5
    """Live sources (and real-time replays): a frame that has waited this long behind the
    newest one is dropped, so processing never falls further behind and an event is committed
    within about ``0.45 + max_lag_s`` seconds of its offset. 0 keeps only the newest frame. A
    file played as fast as possible never drops frames."""
    thin_after_s: float = 0.25
    """While processing is more than this far behind, every other frame is dropped, so it
    catches up quickly (after a burst of pose inference on a pre-roll) and, when the machine
    is simply too slow, settles at half the frame rate instead of at ``max_lag_s``."""
    start_attempts: int = 3
    """Tries to open a camera or stream at start (1, 2, 4 … s apart) before giving up."""
    retry_first_s: float = 1.0
    retry_max_s: float = 30.0
    """A lost camera or stream is reopened after 1, 2, 4 … s, at most this long apart."""
    no_pose_min_s: float = 2.0
    """Nobody in view for at least this long is recorded as a ``no_pose`` state."""
    facing_window_s: float = 60.0
    """Which way the pose model took each person to face is judged over windows this long
    (``analyze`` judges the whole video). Where it read the rarer way on more than
    ``results.FACING_UNSURE_ABOVE`` of a window's frames, it could not tell, and left and right
    in the events may be swapped: a ``sides_unsure`` state runs from that window's start to
    the start of the first window where it could tell again."""
    drops_quiet_s: float = 2.0
    """A ``frames_dropped`` state ends after this long without a dropped frame."""
    heartbeat_s: float = 5.0
    """How often the session's frame counts and ``last_seen`` are written."""
    pre_s: float = 3.0
    """Clip pre-roll: seconds before the event's onset."""
    post_s: float = 5.0
    """Clip post-roll: seconds after the event's offset."""
    clip_size: int = 480
    """Clip frames are downscaled so that their longer side is at most this many pixels."""
    clip_quality: int = 85
    """JPEG quality of the frames kept in the ring buffer (and of the peak snapshot)."""
    ring_slack_s: float = 3.0
    """The ring buffer keeps ``pre_s`` plus this much, since an event is known only after its
    offset: this covers the event itself and the detector's delay."""
    max_clip_s: float = 60.0
    """An episode of close events is cut into clips no longer than this."""
    privacy: bool = False
    """Keep no images at all: each clip is the event's landmarks (.npz), no video, no snapshot."""
    alert_cooldown_s: float = 60.0
    """After an alert, further events within this many seconds raise no new alert."""
    alert_kinds: tuple[str, ...] = ("jerk",)
    """Event kinds that raise an alert."""

    def __post_init__(self) -> None:
        if self.pre_s < 0 or self.post_s < 0:
            raise UsageError("--pre-s and --post-s must be >= 0")
        if self.fps is not None and not 1 <= self.fps <= 240:
            raise UsageError("--fps must be between 1 and 240")
        if self.alert_cooldown_s < 0:
            raise UsageError("--alert-cooldown-s must be >= 0")
        if self.start_attempts < 1:
            raise UsageError("--start-attempts must be at least 1")
        if self.max_lag_s < 0:
            raise UsageError("--max-lag-s must be >= 0")

    @property
    def ring_s(self) -> float:
        return self.pre_s + self.ring_slack_s

    def to_dict(self) -> dict:
        return asdict(self)
