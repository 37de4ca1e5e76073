"""People: employees, their profiles, and whether they are assessed."""
