"""A local platform simulator: the four platforms' APIs and their signed webhook deliveries."""

from civildesk.simulator.server import Action, Fault, Simulator

__all__ = ["Action", "Fault", "Simulator"]
