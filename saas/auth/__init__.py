"""Logging in and out of a tenant; who the current user is."""
