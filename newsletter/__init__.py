"""The newsletter: double opt-in sign-up, sending to confirmed subscribers, one-click unsubscribe."""
