"""Browser tests: the real pages in the system's Chromium (see conftest.py)."""
