"""Template tags of the project wiring."""
