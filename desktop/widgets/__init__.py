"""Reusable widgets: order table model, countdown badge, KPI tile, map, ticker."""
