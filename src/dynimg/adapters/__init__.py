"""Adapters: the ports implemented with real technology (SQLAlchemy, disk, PyAV, HTTP)."""
