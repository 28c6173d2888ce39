"""SQLAlchemy persistence: SQLite by default, PostgreSQL for many machines."""
