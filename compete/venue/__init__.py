"""The competition day: check-in, draws and double encryption, judges and avoidance."""
