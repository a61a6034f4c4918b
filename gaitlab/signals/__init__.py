"""Signals stage: orientation, mounting, pelvis angles and gait events.

One module per step; frames, units and signs are those of :mod:`gaitlab.frames`.

- :mod:`.preprocess`: continuous stretches, quiet standing
- :mod:`.orientation`: sensor attitude (imufusion)
- :mod:`.mounting`: sensor-to-pelvis rotation found from the data
- :mod:`.angles`: pelvic obliquity, tilt, rotation; level-frame accelerations
- :mod:`.events`: initial contact, toe-off and side of each step
"""

from .events import SideClassifier, StepDetector
from .mounting import Mounting, MountingEstimator
from .orientation import FusionOrientation
from .preprocess import QuietStanding

__all__ = ["FusionOrientation", "Mounting", "MountingEstimator", "QuietStanding", "SideClassifier", "StepDetector"]
