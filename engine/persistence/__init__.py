"""The only package that imports SQLAlchemy and Alembic: tables, repositories, unit of work, migrations."""
