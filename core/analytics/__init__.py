"""Indicators and assessment (督查考核): cohorts, counting rules, the composite score.

``compute`` is the entry point; the counting rules live in
resources/analytics/indicators.toml and the score's terms in composite.toml.
"""

from core.analytics.composite import Score
from core.analytics.indicators import Measure
from core.analytics.period import Period, last_complete_month, parse_period
from core.analytics.report import DrillDatabase, GroupRow, Report, compute, county_timezone
from core.analytics.rules import (
    INDICATORS,
    Composite,
    Rules,
    load_composite,
    load_rules,
)

__all__ = [
    "INDICATORS",
    "Composite",
    "DrillDatabase",
    "GroupRow",
    "Measure",
    "Period",
    "Report",
    "Rules",
    "Score",
    "compute",
    "county_timezone",
    "last_complete_month",
    "load_composite",
    "load_rules",
    "parse_period",
]
