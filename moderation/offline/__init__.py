"""Scoring and evaluating texts from a file as the workers would, writing nothing (``score_texts``,
``evaluate_scorers``)."""
