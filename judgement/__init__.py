"""The judgement: scorers, the framing analyzer, the shared embedding and the learned heads.

Plain Python, no Django: ``moderation`` calls it through ``moderation.loaded_scorers``,
the management commands are thin wrappers, and a test keeps Django out.
"""
