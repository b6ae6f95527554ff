"""Background jobs with progress: in a thread of the app server by default, on RQ workers with Redis."""
