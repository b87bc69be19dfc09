"""Tests of reading, validating and templating owner-roll files: pure, no application, no database."""
