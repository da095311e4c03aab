"""Reference data shipped with the gazetteer (see README.md in this folder for sources)."""
