"""Demo data for bin/run: deterministic records that fill every back-office screen."""
