"""Preparing the first assembly meeting (Shaoxing Arts 9–18, 22): the group, its checklist, notices and candidates."""
