"""Pure domain rules: plain data in, plain data out; no Flask, no SQLAlchemy."""
