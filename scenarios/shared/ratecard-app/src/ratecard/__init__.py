"""Usage-based price quotes for the @{service} service."""

__all__ = ["pricing"]
