"""What an agreement looks like outside the database: bilingual labels, the PDF,
the ODRL policy."""
