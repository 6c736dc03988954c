"""Date formats per site language (FORMAT_MODULE_PATH): each language writes dates its own way."""
