"""Drills (演练): the drill database, scenario files, real-day replays, scoring. No Qt."""
