"""psycopg2 (Debian's python3-psycopg2), SQLAlchemy and pandas against the gateway.

Prints "ok <check>" or "FAIL <check>: <reason>" per check and exits 1 if any failed.
Usage: python3 check_psycopg2.py <port> <user> <password>
"""
import io
import sys
import traceback

import psycopg2
import psycopg2.extras

port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
dsn = f"host=127.0.0.1 port={port} dbname=c2d user={user} password={password} sslmode=require"
failures = 0


def check(name):
    def wrap(fn):
        global failures
        try:
            fn()
            print(f"ok {name}", flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the rest
            failures += 1
            print(f"FAIL {name}: {e!r}", flush=True)
            traceback.print_exc(file=sys.stderr)
        return fn
    return wrap


conn = psycopg2.connect(dsn)


@check("parameters")
def _():
    with conn.cursor() as cur:
        cur.execute("select %s::int + 1, %s::text, %s::date, %s::numeric(10,2)", (41, "it's", "2024-02-29", "1.50"))
        row = cur.fetchone()
        assert row[0] == 42 and row[1] == "it's" and str(row[2]) == "2024-02-29" and str(row[3]) == "1.50", row
        cur.execute("select count(*) from patients where party = %(party)s", {"party": "bwh"})
        assert cur.fetchone()[0] > 0
    conn.rollback()


@check("named-server-side-cursor")
def _():
    with conn.cursor(name="c2d_named") as cur:
        cur.itersize = 500
        cur.execute("select i from range(12345) t(i)")
        total = sum(1 for _ in cur)
        assert total == 12345, total
    conn.rollback()


@check("copy-expert")
def _():
    buf = io.StringIO()
    with conn.cursor() as cur:
        cur.copy_expert("copy (select party, count(*) from patients group by party order by party) to stdout with csv header", buf)
    lines = buf.getvalue().splitlines()
    assert lines[0] == "party,count" and [l.split(",")[0] for l in lines[1:]] == ["bmc", "bwh", "mgh"], lines
    conn.rollback()


@check("sqlalchemy-inspect")
def _():
    import sqlalchemy
    engine = sqlalchemy.create_engine(f"postgresql+psycopg2://{user}:{password}@127.0.0.1:{port}/c2d?sslmode=require")
    inspector = sqlalchemy.inspect(engine)
    tables = set(inspector.get_table_names())
    assert {"patients", "diagnoses", "medications", "trauma_cases"} <= tables, tables
    columns = {c["name"]: str(c["type"]) for c in inspector.get_columns("trauma_cases")}
    assert columns.get("case_id") == "BIGINT" and columns.get("severity") == "INTEGER", columns
    assert columns.get("arrived_at", "").startswith("TIMESTAMP"), columns
    engine.dispose()


@check("pandas-read-sql")
def _():
    import pandas
    import sqlalchemy
    engine = sqlalchemy.create_engine(f"postgresql+psycopg2://{user}:{password}@127.0.0.1:{port}/c2d?sslmode=require")
    with engine.connect() as c:
        frame = pandas.read_sql("select icd10, count(*) as n from diagnoses group by icd10 order by n desc limit 5", c)
    assert list(frame.columns) == ["icd10", "n"] and len(frame) == 5 and frame["n"].is_monotonic_decreasing, frame
    engine.dispose()


conn.close()
print("all checks passed" if failures == 0 else f"{failures} checks failed")
sys.exit(1 if failures else 0)
