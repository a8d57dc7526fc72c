"""vidmyo: find myoclonic jerks in video of a person, most often asleep.

Pipeline: video frames → pose landmarks (MediaPipe) → body-scale motion per region → jerk
events → reports. A research and monitoring aid, not a diagnostic device.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
