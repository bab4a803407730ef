"""The one place where the project's Python version is pinned (major.minor)."""

PYTHON_VERSION = "3.12"
