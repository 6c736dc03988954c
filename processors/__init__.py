"""Recipients of personal data: the processor register with its agreements and safeguards, and the
provider integrations (booking webhooks, GA4, email, the connectors that pass rights on)."""
