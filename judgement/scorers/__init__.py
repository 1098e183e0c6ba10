"""Scorers: plain Python, no Django import, so they can be tested and benchmarked alone."""
