"""Parley: a dashboard for following peace negotiations round by round."""

__version__ = "0.1.0"
