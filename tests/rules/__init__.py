"""Tests of the pure counting engine `app.rules`: no application, no database."""
