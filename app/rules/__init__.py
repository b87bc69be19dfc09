"""PURE counting rules (Civil Code Art 278, SPC interpretation on building co-ownership Arts 8–9).

Frozen dataclasses in, frozen dataclasses out; integer areas in 0.01 m²; no Flask, SQLAlchemy or `app`
imports.
"""
