"""Competition archives: one file carrying a whole competition from one installation to another."""
