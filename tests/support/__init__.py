"""Helpers shared by the test suite; test modules import from here, never from each other."""
