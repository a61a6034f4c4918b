"""Signals stage: orientation, mounting, pelvis angles and gait events.

One module per step; frames, units and signs are those of :mod:`gaitlab.frames`.

- :mod:`.preprocess`: continuous stretches, quiet standing
- :mod:`.orientation`: sensor attitude (imufusion)
- :mod:`.mounting`: sensor-to-pelvis rotation found from the data
- :mod:`.angles`: pelvic obliquity, tilt, rotation; level-frame accelerations
- :mod:`.events`: initial contact, toe-off and side of each step
- :mod:`.lever`: where the sensor sits on the pelvis; its accelerations moved to the centre
"""

from .events import SideClassifier, StepDetector
from .lever import LeverArm, LeverFit
from .mounting import Mounting, MountingEstimator
from .orientation import FusionOrientation
from .preprocess import QuietStanding

__all__ = ["FusionOrientation", "LeverArm", "LeverFit", "Mounting", "MountingEstimator", "QuietStanding", "SideClassifier", "StepDetector"]
