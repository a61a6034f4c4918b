"""Placeholder for the signals stage (see the issues); nothing here yet."""
