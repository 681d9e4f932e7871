"""The forms: values, drafts into PDFs, signing identity, trusted certificates."""
