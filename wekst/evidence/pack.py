"""Builds the evidence pack from its parts, one module per topic, and the manifest.

It reads every app, so the package sits in the top layer of the import contract (pyproject.toml).
It holds no personal data beyond what a register itself requires (README.txt in the ZIP says
what): the request log has no names or addresses, the consent part no consent ids, the breach
register leaves out the affected people and who reported the breach, and no part names staff.
"""

import hashlib
import io
import zipfile

from django.utils import timezone

from declaration.selectors import get_declaration
from wekst.evidence.clinic_duties import clinic_duty_files
from wekst.evidence.consent_log import consent_files
from wekst.evidence.history import audit_chain_files, breach_files, retention_files
from wekst.evidence.privacy_requests import request_files
from wekst.evidence.readme import README
from wekst.evidence.registers import policy_version_files, recipient_files, records_files
from wekst.evidence.segment_exports import segment_export_files
from wekst.evidence.special_categories import dpia_files

MANIFEST = "MANIFEST.sha256"


def build_evidence_files(*, now=None) -> dict[str, bytes]:
    """Every file of the pack (path: bytes), the manifest last."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    controller = get_declaration().controller
    texts = {
        "README.txt": README.format(controller=controller.legal_name, made=f"{now:%Y-%m-%d %H:%M}"),
        **records_files(),
        **recipient_files(),
        **policy_version_files(),
        **consent_files(),
        **request_files(now),
        **retention_files(),
        **breach_files(),
        **dpia_files(today),
        **clinic_duty_files(today),
        **segment_export_files(),
        **audit_chain_files(now),
    }
    files = {name: text.encode() for name, text in texts.items()}
    files[MANIFEST] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    ).encode()
    return files


def build_evidence_pack(*, now=None) -> bytes:
    """The ZIP itself, deterministic in its order."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in build_evidence_files(now=now).items():
            archive.writestr(name, data)
    return output.getvalue()
