"""Children, agencies and the partnership's contacts."""
