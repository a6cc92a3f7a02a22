"""Shared helpers of the reliability and security tests: subprocess workers, kill switch, reference data."""
