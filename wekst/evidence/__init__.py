"""The evidence pack for Datatilsynet or an auditor: one ZIP of the records the law asks for."""
