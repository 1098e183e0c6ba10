"""Reads for the moderator queue and its pages. Views call these; nothing here writes."""
