"""The offline recount: `gongjue tally` and its documented file format (docs/tally-format.md)."""
