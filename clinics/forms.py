"""The form a clinic's visitors fill in: Wekst's contact form, without Wekst's own marketing."""

from leads.forms import LeadForm


class ClinicEnquiryForm(LeadForm):
    """Name, email, phone, company, role, message, collected for the clinic (the controller).

    No marketing choice: data collected for a clinic is never used for Wekst's own purposes
    (GDPR Art. 28(10); checklist CL-02).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["marketing_consent"]
