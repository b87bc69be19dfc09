"""Staff accounts, login, roles and their scopes, API tokens."""
