"""Onestop engine: the platform core (definitions, runtime, persistence, services); runs without Flask."""
