"""Outgoing email: every message is stored, sent by the background worker, retried until sent."""
