"""relorch: release orchestrator for HTTP APIs versioned by major in the URL."""

__version__ = "0.1.0"
