"""The platform area: platform admins onboard, list, suspend and resume client organisations."""
