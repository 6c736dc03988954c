"""Outside processors: one module per provider over one interface (booking webhooks for now)."""
