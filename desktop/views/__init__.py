"""Screens: intake, dispatch panels per tier, order editor, review, wall, drill."""
