"""The audit log (hash-chained events) and its verification."""
