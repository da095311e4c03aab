"""The BS7666 gazetteer: domain, validation, labels, storage and lookups."""
