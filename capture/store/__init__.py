"""The only way into the database."""
