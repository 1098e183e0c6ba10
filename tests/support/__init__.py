"""Test helpers shared by the scorer, Django and Celery test suites."""
