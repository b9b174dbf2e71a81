"""Moved to gdviz.state (the page state lives on the core side of the house); this name remains
only while the last callers move."""
from ..state import *  # noqa: F401,F403
from ..state import _PLAIN_NUMBER  # noqa: F401
