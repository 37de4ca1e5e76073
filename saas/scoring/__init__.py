"""Kaohe's scoring engine: schemes, their checks, and scoring one subject with a trace.

Pure Python: nothing here imports Flask or SQLAlchemy, so the engine can be tested, benchmarked
and run from the command line without a database.
"""
