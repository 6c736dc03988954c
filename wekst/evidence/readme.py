"""The README inside the evidence pack: what each file is, and what personal data it holds."""

README = """Evidence pack of {controller}, made {made} (UTC)

What is in it
  records/art30-1-controller.csv|html  Records of processing as controller (GDPR Art. 30(1))
  records/art30-2-processor.csv|html   Records of processing as processor for clinics (Art. 30(2))
  recipients.csv                       The recipient register: agreements (Art. 28) and
                                       transfer safeguards (Art. 44-49), with what is missing
  policy-versions.csv, policy-versions/  Every published version of the privacy and cookie
                                       policies, as published (Art. 5(2), 12, 13)
  consent/banner-texts.csv, consent/banner-texts/  The consent banner texts shown, with their
                                       SHA-256 (Art. 7(1): showing what was consented to)
  consent/decisions-by-banner-version.csv  Decision counts and rates per banner version
  privacy-requests.csv                 The log of privacy requests with their timings (Art. 12(3))
  privacy-requests-summary.txt         Counts and the on-time rate
  retention/sweep-runs.csv, retention/sweep-counts.csv  Evidence of the erasure sweeps
                                       (Art. 5(1)(e))
  breaches.csv                         The breach register (Art. 33(5))
  assessments/dpia-register.csv, assessments/dpia-risks.csv  The DPIA register: scope, entries
                                       covered, risks with likelihood, severity and measures,
                                       decision, review date, lapsed or not (Art. 35)
  assessments/special-categories.csv   The declaration's entries that can reveal special
                                       categories, their Art. 9(2) condition and DPIA
  clinics/agreements.csv               Per clinic, the Art. 28(3)(a)-(h) clauses of its current
                                       agreement
  clinics/sub-processors-in-use.csv, clinics/sub-processor-changes.csv  Per clinic, the
                                       sub-processors in use, and each change with its notice,
                                       deadline to object and the clinic's answer (Art. 28(2))
  clinics/unlawful-instructions.csv    Instructions Wekst warned would break the law, with the
                                       dates of the notice and the outcome (Art. 28(3))
  clinics/deletion-certificates.csv    Deletion certificates issued at the end of an engagement,
                                       with their SHA-256 and counts (Art. 28(3)(g))
  marketing/segment-exports.csv        Each export of an audience segment: segment, platform,
                                       number of people, when (policy section 10)
  audit-chain.txt                      The result of verifying the audit log's hash chain
  MANIFEST.sha256                      SHA-256 of every other file (check: sha256sum -c)

Personal data in this pack
  None about the people whose data we process, beyond what a register itself requires:
  - the request log gives kind, channel, dates, status and refusal ground; no name, address,
    email or free-text outcome;
  - the consent part gives texts, versions and counts; no consent id or IP address;
  - the breach register gives the facts Art. 33(5) requires (what happened, categories and
    approximate numbers of people and records, consequences, measures, notifications); it leaves
    out who the affected people are and who reported the breach. Its free-text fields are
    written by staff to describe the breach, not the people in it;
  - the records of processing and the recipient register name the controller, the clinics and
    the recipients (organisations) and their published contact points;
  - the DPIA register and the clinic parts name no staff member (who decided, recorded, deleted
    or signed) and no one at a clinic; a clinic's instruction is its business information. The
    notice texts, objections and the certificates themselves are left out (they may carry
    signatures); each certificate's SHA-256 is given;
  - the segment export log gives counts, never the people in a segment.
"""
