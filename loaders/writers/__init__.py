"""Writers of supply files through the same layout files the readers use."""
