-- Session, cursor, COPY and SQL/MED statements clients and DBAs send (PostgreSQL grammar).

-- [any client] server version
SELECT version()

-- [BI tools] search path and schema
SELECT current_schema(), current_schemas(false), current_database(), current_user, session_user

-- [psql / drivers] SHOW a setting
SHOW server_version

-- [DBeaver] SHOW search_path
SHOW search_path

-- [psql] SHOW ALL
SHOW ALL

-- [drivers] SET a setting
SET DateStyle = 'ISO, MDY'

-- [drivers] SET TIME ZONE
SET TIME ZONE 'UTC'

-- [psycopg2] SET with LOCAL
SET LOCAL statement_timeout = 0

-- [drivers] RESET
RESET ALL

-- [drivers] transaction control
BEGIN

-- [drivers] transaction with isolation level
START TRANSACTION ISOLATION LEVEL REPEATABLE READ

-- [drivers] savepoint
SAVEPOINT sp1

-- [drivers] release savepoint
RELEASE SAVEPOINT sp1

-- [drivers] rollback to savepoint
ROLLBACK TO SAVEPOINT sp1

-- [drivers] commit
COMMIT

-- [drivers] rollback
ROLLBACK

-- [psycopg2 named cursor] DECLARE … CURSOR WITH HOLD
DECLARE "c_1" CURSOR WITH HOLD FOR SELECT * FROM patients WHERE age > $1

-- [postgres_fdw] DECLARE a cursor
DECLARE c1 CURSOR FOR SELECT id, name FROM public.patients

-- [postgres_fdw / psycopg2] FETCH
FETCH 100 FROM c1

-- [psql FETCH_COUNT] FETCH FORWARD
FETCH FORWARD 50 FROM _psql_cursor

-- [cursor clients] MOVE
MOVE ABSOLUTE 0 IN c1

-- [cursor clients] CLOSE
CLOSE c1

-- [pgjdbc/psycopg2] CLOSE ALL
CLOSE ALL

-- [psql \copy] COPY query TO STDOUT
COPY (SELECT id, name FROM patients) TO STDOUT

-- [psycopg2 copy_expert] COPY query TO STDOUT CSV HEADER
COPY (SELECT * FROM patients) TO STDOUT WITH (FORMAT csv, HEADER true)

-- [pgbouncer / pools] DISCARD ALL
DISCARD ALL

-- [drivers] DEALLOCATE
DEALLOCATE ALL

-- [notifications] LISTEN
LISTEN c2d_events

-- [EXPLAIN] explain a query
EXPLAIN SELECT count(*) FROM patients WHERE age > 40

-- [DBA] register a party node as a foreign server
CREATE SERVER bmc FOREIGN DATA WRAPPER c2d OPTIONS (host 'bmc.example.org', port '7443', party 'bmc')

-- [DBA] user mapping for a party node
CREATE USER MAPPING FOR analyst SERVER bmc OPTIONS (user 'c2d')

-- [DBA] import a party's exported tables
IMPORT FOREIGN SCHEMA public LIMIT TO (patients, diagnoses) FROM SERVER bmc INTO bmc_import

-- [DBA] federated table: the partitioned parent
CREATE TABLE patients (id bigint, party text, age int, diagnosis text) PARTITION BY LIST (party)

-- [DBA] federated table: one party's partition
CREATE FOREIGN TABLE patients_bmc PARTITION OF patients FOR VALUES IN ('bmc') SERVER bmc OPTIONS (schema_name 'public', table_name 'patients')

-- [DBA] a stand-alone foreign table
CREATE FOREIGN TABLE bmc_visits (id bigint, visited date) SERVER bmc OPTIONS (table_name 'visits')

-- [DBA] column policy
SECURITY LABEL FOR c2d ON COLUMN patients.diagnosis IS 'protected'

-- [DBA] drop a foreign table
DROP FOREIGN TABLE IF EXISTS bmc_visits

-- [DBA] alter a server
ALTER SERVER bmc OPTIONS (SET host 'bmc2.example.org')

-- [DBA] drop a server
DROP SERVER IF EXISTS bmc CASCADE

-- [application] VALUES list
VALUES (1, 'a'), (2, 'b')

-- [application] WITH query
WITH recent AS (SELECT * FROM patients WHERE age < 30) SELECT diagnosis, count(*) FROM recent GROUP BY diagnosis ORDER BY 2 DESC

-- [application] INSERT
INSERT INTO notes (id, body) VALUES ($1, $2)

-- [application] UPDATE
UPDATE notes SET body = $1 WHERE id = $2

-- [application] DELETE
DELETE FROM notes WHERE id = $1

-- [psql] \set ON_ERROR_STOP script statement
SELECT 1 AS one

-- [SQLAlchemy] start-up probes
select pg_catalog.version()

-- [SQLAlchemy] current schema probe
select current_schema()

-- [SQLAlchemy] standard_conforming_strings probe
show standard_conforming_strings
