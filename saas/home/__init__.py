"""A tenant's home page."""
