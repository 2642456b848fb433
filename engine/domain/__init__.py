"""Plain dataclasses, enums and pure rules of the platform (standard library only)."""
