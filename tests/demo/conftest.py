"""The demo tests use the session's one build (tests/conftest.py `demo`)."""
