"""Writing the gazetteer out: a flat CSV, GeoJSON, govtalk BS7666 XML and LLPG DTF 7.3."""
