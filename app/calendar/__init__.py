"""Holiday years added by an administrator (kept in the database beside the years the product ships)."""
