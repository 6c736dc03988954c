"""The declaration of processing: what is processed, why, on what basis, how long, by whom."""
