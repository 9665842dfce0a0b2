"""Test-data builders and small clients used by the integration tests."""
