"""Qt tests (pytest-qt, offscreen): every screen against real core objects."""
