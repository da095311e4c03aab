"""Pure streaming readers: files in, typed rows and structural findings out (no database)."""
