"""Where the shipped data files live: policy, calendar, taxonomy, demo county."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
TAXONOMY_CSV = RESOURCES / "taxonomy" / "cn12345_taxonomy_DB44T2479-2024_appendixA.csv"
CATEGORY_DEFAULTS = RESOURCES / "categories" / "defaults.toml"
TIME_LIMIT_POLICY = RESOURCES / "policy" / "time_limits.toml"
CALENDAR_OVERRIDES = RESOURCES / "calendar" / "overrides.toml"
