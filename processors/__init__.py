"""Recipients of personal data: the processor register with its agreements and safeguards, and the provider integrations (booking webhooks, connectors that pass rights on, GA4, email)."""
