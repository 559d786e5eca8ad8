"""``gamify``: a command line for the API, the local stack's jobs, and load simulation."""
