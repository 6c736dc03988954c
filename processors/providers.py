"""The provider integrations, collected in one place: one record each, defined next to its module.

Adding a provider: its module with an `INTEGRATION` record, one line here, and the rest of the
checklist in docs/adding-a-processor.md.
"""

from processors import calcom, email_provider, ga4, trafft
from processors.integration import Integration

INTEGRATIONS: tuple[Integration, ...] = (
    email_provider.INTEGRATION,
    ga4.INTEGRATION,
    trafft.INTEGRATION,
    calcom.INTEGRATION,
)
