-- Tableau Desktop and Server connect to PostgreSQL through the PostgreSQL ODBC driver
-- (psqlODBC). These are what the driver sends when Tableau connects and lists schemas,
-- tables and columns (SQLTables, SQLColumns, SQLSpecialColumns with Tableau's arguments:
-- schema "public", table "patients").
-- source: postgresql-interfaces/psqlodbc connection.c, info.c @bc439e8fc144d8f0810d4497bbcdbf1018e6492e

-- [psqlodbc] CC_connect: DateStyle check
show DateStyle

-- [psqlodbc] CC_connect: isolation level
show transaction_isolation

-- [psqlodbc] CC_lookup_lo: large object type
select oid, typbasetype from pg_type where typname = 'lo'

-- [psqlodbc] CC_get_current_schema
select current_schema()

-- [psqlodbc] SQLTables: list table types
select NULL, NULL, relkind from (select 'r' as relkind union select 'v' union select 'm' union select 'f' union select 'p') as a

-- [psqlodbc] SQLTables: list schemas
select NULL, nspname, NULL from pg_catalog.pg_namespace n where true and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') order by nspname

-- [psqlodbc] SQLTables: tables of a schema
select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'm', 'f', 'p') and nspname like 'public' and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') and n.oid = relnamespace order by nspname, relname

-- [psqlodbc] SQLColumns: columns of a table
select n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnum, a.attlen, a.atttypmod, a.attnotnull, c.relhasrules, c.relkind, c.oid, pg_get_expr(d.adbin, d.adrelid), case t.typtype when 'd' then t.typbasetype else 0 end, t.typtypmod, 0, attidentity, c.relhassubclass from (((pg_catalog.pg_class c inner join pg_catalog.pg_namespace n on n.oid = c.relnamespace and c.relname like 'patients' and n.nspname like 'public') inner join pg_catalog.pg_attribute a on (not a.attisdropped) and a.attnum operator(pg_catalog.>) 0 and a.attrelid operator(pg_catalog.=) c.oid) inner join pg_catalog.pg_type t on t.oid operator(pg_catalog.=) a.atttypid) left outer join pg_attrdef d on a.atthasdef and d.adrelid operator(pg_catalog.=) a.attrelid and d.adnum operator(pg_catalog.=) a.attnum order by n.nspname, c.relname, attnum

-- [psqlodbc] SQLSpecialColumns: best row identifier
select NULL as "SCOPE",a.attname AS "COLUMN_NAME",t.typname AS "DATA_TYPE",t.typname AS "TYPE_NAME",t.typlen AS "COLUMN_SIZE",a.attlen AS "BUFFER_LENGTH",case when t.typname = 'numeric' then case when a.atttypmod > -1 then 6 else a.atttypmod::int4 end else 0 end AS "DECIMAL_DIGITS",1 AS "PSEUDO_COLUMN" FROM pg_class c INNER JOIN pg_namespace n ON n.oid = c.relnamespace INNER JOIN pg_attribute a ON a.attrelid = c.oid INNER JOIN pg_type t on a.atttypid = t.oid LEFT JOIN pg_index i ON i.indrelid = c.oid AND a.attnum = ANY (i.indkey[0:(i.indnkeyatts - 1)]) WHERE i.indisprimary and a.attnum > 0 and c.relname='patients' and n.nspname = 'public'
