"""Where contracts and accounting documents are stored: private files, served to staff only.

Data processing agreements, transfer safeguards (SCCs) and accounting vouchers are not public
media: they live under WEKST_PRIVATE_FILES_ROOT, outside the static and media roots, and their
URL is a staff-only view (processors.views.document) rather than a path the web server serves.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse


class PrivateDocumentStorage(FileSystemStorage):
    # Read from settings on each use (not cached at start-up), so a test can point it elsewhere.
    @property
    def base_location(self):
        return str(settings.WEKST_PRIVATE_FILES_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name: str) -> str:
        return reverse("processors_admin:document", kwargs={"name": name})


private_documents = PrivateDocumentStorage()
