"""Townships and communities."""
