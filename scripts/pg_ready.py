"""Exit 0 when the PostgreSQL server in the URL accepts connections, creating
the URL's database if it is missing (the suite then creates test_<name>)."""

import sys

import psycopg
from psycopg import sql


def main(url: str) -> int:
    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(base + "/postgres", connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        print(f"PostgreSQL not usable at {base}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
