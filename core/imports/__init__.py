"""Intake from other systems' files (信息归集): spreadsheets through a column mapping."""
