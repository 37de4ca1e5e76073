"""Inspections (检查 / 抽查 / 暗访) against checklists: schedules, the phone run, the engine's
score and the signed report (docs/inspections.md)."""
