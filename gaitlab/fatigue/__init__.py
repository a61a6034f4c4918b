"""Placeholder for the fatigue stage (see the issues); nothing here yet."""
