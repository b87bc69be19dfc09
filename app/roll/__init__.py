"""The owner roll (业主名册): units, their owners and areas, in immutable versions."""
