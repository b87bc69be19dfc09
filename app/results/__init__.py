"""Results: closing, counting, the signed result package, certification and verification (DOMAIN §9)."""
