"""What every layer stands on and nothing about negotiations: settings, the database, Alembic, and the
errors services raise for a missing or impossible choice."""
