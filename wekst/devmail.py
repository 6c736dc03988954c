"""Development mail backend: each email printed as a person reads it, decoded, links whole.

Django's console backend prints the MIME source, quoted-printable, whose `=` soft line breaks cut
the verification link in two when it is copied from the terminal (issue 20, item 7).
"""

import sys
import threading

from django.core.mail.backends.base import BaseEmailBackend

# The headers a developer needs to see which mail this is and where it went.
SHOWN_HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "List-Unsubscribe")


def readable_message(message) -> str:
    """The email as text: its headers, then every text part decoded, attachments named."""
    msg = message.message()
    lines = [f"{name}: {msg[name]}" for name in SHOWN_HEADERS if msg[name]]
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_maintype() != "text":
            lines.append(f"\n[attachment: {filename or part.get_content_type()}]")
            continue
        lines.append(f"\n--- {part.get_content_type()} ---")
        lines.append(part.get_content().rstrip("\n"))
    return "\n".join(lines)


class EmailBackend(BaseEmailBackend):
    def __init__(self, *, stream=None, **kwargs):
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()
        super().__init__(**kwargs)

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        with self._lock:
            for message in email_messages:
                self.stream.write(readable_message(message) + "\n" + "-" * 79 + "\n")
                self.stream.flush()
        return len(email_messages)
