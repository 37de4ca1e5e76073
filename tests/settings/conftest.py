"""The example organisation of the goal tests, for the settings page."""

from tests.goals.conftest import team  # noqa: F401
