"""Competitions, their events and marking schemes."""
