-- What the Node.js drivers send. node-postgres (pg 8) sends no query of its own at
-- start-up or for metadata: every statement is the application's. postgres.js (3.4)
-- fetches array types after connecting (src/connection.js fetchArrayTypes) and, with
-- target_session_attrs, checks the server role.

-- [postgres.js 3.4] start-up: array element types and their array types
select b.oid, b.typarray
      from pg_catalog.pg_type a
      left join pg_catalog.pg_type b on b.oid = a.typelem
      where a.typcategory = 'A'
      group by b.oid, b.typarray
      order by b.oid

-- [postgres.js 3.4] target_session_attrs: role check (src/connection.js, one simple query)
show transaction_read_only;
      select pg_catalog.pg_is_in_recovery()

-- [node-postgres 8] typical application query with parameters (extended protocol)
SELECT $1::text AS name, $2::int4 AS n

-- [node-postgres 8] application metadata query via information_schema
SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position
