"""The life of a community's self-governance: its state, every transition and its history (DOMAIN §7)."""
