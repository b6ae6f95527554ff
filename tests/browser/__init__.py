"""Browser tests: a real Chromium against a live server loaded with the demo data."""
