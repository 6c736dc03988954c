"""Marketing profiling: the audience segments of Wekst's own marketing (policy §10; TP-07)."""
