"""Results: ranking, review, publicity, appeals and finalization."""
