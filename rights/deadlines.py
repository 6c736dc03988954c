"""Old import path of wekst.deadlines, kept for one release (issue 17: the leads' Art. 14
notices count their month the same way, and may not import the rights app)."""

from wekst.deadlines import MAX_EXTENSION_MONTHS, ONE_MONTH, add_months, due_at, end_of_day

__all__ = ["MAX_EXTENSION_MONTHS", "ONE_MONTH", "add_months", "due_at", "end_of_day"]
