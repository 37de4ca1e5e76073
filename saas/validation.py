"""Input rules shared by forms, the CLI and services."""

from __future__ import annotations

import re

# Deliberately loose: one @, no spaces, a dot in the domain. Delivery proves the rest.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
