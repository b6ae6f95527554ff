"""Marks entered by judges on tablets, their versions, station sign-off and the event lock."""
