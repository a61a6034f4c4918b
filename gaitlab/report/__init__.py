"""Placeholder for the report stage (see the issues); nothing here yet."""
