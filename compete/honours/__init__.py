"""Honours: policies applied to final results, the grade history, titles, selection rounds and targets."""
