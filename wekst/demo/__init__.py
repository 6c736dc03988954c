"""Demo data for bin/run: deterministic records that fill the back office's main screens (the
models of MAIN_MODELS in wekst/tests/test_demo_data.py; lists that fill only as work is done start
empty)."""
