"""The product's database (SQLite by default, PostgreSQL with DATABASE_URL): engines (`engine`),
the check every opener of a SQLite file makes (`file_check`), alembic's configuration shared by
the bot's and the feeds' migrations (`alembic_scripts`)."""
