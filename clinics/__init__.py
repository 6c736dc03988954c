"""What Wekst does as processor for clinics: clinics, their agreements and engagements,
accounting records, their enquiry form and the Art. 30(2) records (docs/clinics.md)."""
