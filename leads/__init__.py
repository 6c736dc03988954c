"""Leads: the contact form, information requests and booked meetings (policy §3a, §3b)."""
