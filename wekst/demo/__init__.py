"""Demo data for bin/run: deterministic records that fill every list of the back office but the
few wekst.demo.load.LEFT_EMPTY names, each with why."""
