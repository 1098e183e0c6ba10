"""Moderator queue views: thin; they check access, call selectors and services, render."""
