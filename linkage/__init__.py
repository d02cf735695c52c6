"""Linkage Tracker: agricultural value-chain linkages and the Decision 924/QD-TTg digital-economy targets."""

__version__ = "0.1.0"
