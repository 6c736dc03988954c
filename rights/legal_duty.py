"""Old import path of subjects.legal_duty, kept for one release (issue 17: the marker moved below
the areas that use it, so that clinics and breaches need not import the rights app)."""

from subjects.legal_duty import KeptUnderLegalDuty, end_of_accounting_year, legal_duty_of

__all__ = ["KeptUnderLegalDuty", "end_of_accounting_year", "legal_duty_of"]
