"""Scenario files: a whole competition, marks to results, loaded through the same services as the screens."""
