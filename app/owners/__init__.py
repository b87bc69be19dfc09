"""Owners on their own phones (issue 20): signing in by SMS or from a letter, "my community", objections,
nominations, co-signed petitions (联名) and the community's publications (DOMAIN §7 items 8–9)."""
