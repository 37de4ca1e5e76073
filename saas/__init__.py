"""Kaohe: the Flask application (create_app lives in saas.app)."""
