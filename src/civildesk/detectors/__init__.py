"""Pure detectors: each turns a message into findings with evidence spans."""

from civildesk.detectors.base import (
    KINDS,
    LABELS,
    PLATFORMS,
    SIGNALS,
    Detector,
    DetectorConfig,
    Finding,
    MessageInput,
    Prepared,
    StaffMember,
    prepare,
)
from civildesk.detectors.normalise import Normalised, normalise

__all__ = [
    "KINDS",
    "LABELS",
    "PLATFORMS",
    "SIGNALS",
    "Detector",
    "DetectorConfig",
    "Finding",
    "MessageInput",
    "Normalised",
    "Prepared",
    "StaffMember",
    "normalise",
    "prepare",
]
