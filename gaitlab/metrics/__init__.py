"""Placeholder for the metrics stage (see the issues); nothing here yet."""
