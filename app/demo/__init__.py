"""Demo data for `gongjue demo`: a pure, deterministic owner-roll generator."""
