"""Scoring runs: a cycle's inputs read at one instant, scored as a cohort, persisted at once."""
