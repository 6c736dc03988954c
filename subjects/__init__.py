"""The subject index: every record that holds personal data points at one data subject here."""
