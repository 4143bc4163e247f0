"""The policy as data and the engine that applies it (pure: no Django, no I/O at call time)."""

from civildesk.policy.decision import Decision, Evidence
from civildesk.policy.engine import Context, Engine
from civildesk.policy.schema import LabelRule, Policy, PolicyError, load_policy, parse_policy

__all__ = [
    "Context",
    "Decision",
    "Engine",
    "Evidence",
    "LabelRule",
    "Policy",
    "PolicyError",
    "load_policy",
    "parse_policy",
]
