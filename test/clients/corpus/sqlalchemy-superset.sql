-- Apache Superset inspects databases with SQLAlchemy's inspector (superset/db_engine_specs,
-- `inspector.get_schema_names()`, `get_table_names`, `get_columns`, `get_pk_constraint`,
-- `get_foreign_keys`, `get_indexes` …) on SQLAlchemy 1.4 and psycopg2. These are the
-- PostgreSQL dialect's reflection queries for PostgreSQL 15; psycopg2 interpolates the
-- :name parameters client-side, so the server sees literals (`@name` is the OID of relation
-- `name`, which get_table_oid returned first).
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py @rel_1_4_54

-- [sqlalchemy] PGDialect._get_server_version_info
select pg_catalog.version()

-- [sqlalchemy] PGDialect._get_default_schema_name
select current_schema()

-- [sqlalchemy] PGDialect.initialize: standard_conforming_strings
show standard_conforming_strings

-- [sqlalchemy] PGDialect_psycopg2: transaction isolation (default dialect get_isolation_level)
show transaction isolation level

-- [sqlalchemy] PGDialect.has_schema
select nspname from pg_namespace where lower(nspname)='public'

-- [sqlalchemy] PGDialect.has_table without schema
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where pg_catalog.pg_table_is_visible(c.oid) and relname='patients'

-- [sqlalchemy] PGDialect.has_table with schema
select relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where n.nspname='public' and relname='patients'

-- [sqlalchemy] PGDialect.has_sequence
SELECT relname FROM pg_class c join pg_namespace n on n.oid=c.relnamespace where relkind='S' and n.nspname='public' and relname='patients_id_seq'

-- [sqlalchemy] PGDialect.has_type
            SELECT EXISTS (
                SELECT * FROM pg_catalog.pg_type t
                WHERE t.typname = 'mood'
                AND pg_type_is_visible(t.oid)
                )

-- [sqlalchemy] PGDialect.get_table_oid
            SELECT c.oid
            FROM pg_catalog.pg_class c
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE (n.nspname = 'public')
            AND c.relname = 'patients' AND c.relkind in
            ('r', 'v', 'm', 'f', 'p')

-- [sqlalchemy] PGDialect.get_schema_names
SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' ORDER BY nspname

-- [sqlalchemy] PGDialect.get_table_names
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind in ('r', 'p')

-- [sqlalchemy] PGDialect._get_foreign_table_names
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'f'

-- [sqlalchemy] PGDialect.get_view_names
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')

-- [sqlalchemy] PGDialect.get_sequence_names
SELECT relname FROM pg_class c join pg_namespace n on n.oid=c.relnamespace where relkind='S' and n.nspname='public'

-- [sqlalchemy] PGDialect.get_view_definition
SELECT pg_get_viewdef(c.oid) view_def FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = 'patients' AND c.relkind IN ('v', 'm')

-- [sqlalchemy] PGDialect.get_columns
            SELECT a.attname,
              pg_catalog.format_type(a.atttypid, a.atttypmod),
              (
                SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid)
                FROM pg_catalog.pg_attrdef d
                WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
                AND a.atthasdef
              ) AS DEFAULT,
              a.attnotnull,
              a.attrelid as table_oid,
              pgd.description as comment,
              a.attgenerated as generated,
                (SELECT json_build_object(
                    'always', a.attidentity = 'a',
                    'start', s.seqstart,
                    'increment', s.seqincrement,
                    'minvalue', s.seqmin,
                    'maxvalue', s.seqmax,
                    'cache', s.seqcache,
                    'cycle', s.seqcycle)
                FROM pg_catalog.pg_sequence s
                JOIN pg_catalog.pg_class c on s.seqrelid = c."oid"
                WHERE c.relkind = 'S'
                AND a.attidentity != ''
                AND s.seqrelid = pg_catalog.pg_get_serial_sequence(
                    a.attrelid::regclass::text, a.attname
                )::regclass::oid
                ) as identity_options
            FROM pg_catalog.pg_attribute a
            LEFT JOIN pg_catalog.pg_description pgd ON (
                pgd.objoid = a.attrelid AND pgd.objsubid = a.attnum)
            WHERE a.attrelid = @patients
            AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum

-- [sqlalchemy] PGDialect.get_pk_constraint: columns
                SELECT a.attname
                FROM pg_attribute a JOIN (
                    SELECT unnest(ix.indkey) attnum,
                           generate_subscripts(ix.indkey, 1) ord
                    FROM pg_index ix
                    WHERE ix.indrelid = @patients AND ix.indisprimary
                    ) k ON a.attnum=k.attnum
                WHERE a.attrelid = @patients
                ORDER BY k.ord

-- [sqlalchemy] PGDialect.get_pk_constraint: name
        SELECT conname
           FROM  pg_catalog.pg_constraint r
           WHERE r.conrelid = @patients AND r.contype = 'p'
           ORDER BY 1

-- [sqlalchemy] PGDialect.get_foreign_keys
          SELECT r.conname,
                pg_catalog.pg_get_constraintdef(r.oid, true) as condef,
                n.nspname as conschema
          FROM  pg_catalog.pg_constraint r,
                pg_namespace n,
                pg_class c

          WHERE r.conrelid = @patients AND
                r.contype = 'f' AND
                c.oid = confrelid AND
                n.oid = c.relnamespace
          ORDER BY 1

-- [sqlalchemy] PGDialect.get_indexes
              SELECT
                  i.relname as relname,
                  ix.indisunique, ix.indexprs,
                  a.attname, a.attnum, c.conrelid, ix.indkey::varchar,
                  ix.indoption::varchar, i.reloptions, am.amname,
                  pg_get_expr(ix.indpred, ix.indrelid),
                  ix.indnkeyatts as indnkeyatts
              FROM
                  pg_class t
                        join pg_index ix on t.oid = ix.indrelid
                        join pg_class i on i.oid = ix.indexrelid
                        left outer join
                            pg_attribute a
                            on t.oid = a.attrelid and a.attnum = ANY(ix.indkey)
                        left outer join
                            pg_constraint c
                            on (ix.indrelid = c.conrelid and
                                ix.indexrelid = c.conindid and
                                c.contype in ('p', 'u', 'x'))
                        left outer join
                            pg_am am
                            on i.relam = am.oid
              WHERE
                  t.relkind IN ('r', 'v', 'f', 'm', 'p')
                  and t.oid = @patients
                  and ix.indisprimary = 'f'
              ORDER BY
                  t.relname,
                  i.relname

-- [sqlalchemy] PGDialect.get_unique_constraints
            SELECT
                cons.conname as name,
                cons.conkey as key,
                a.attnum as col_num,
                a.attname as col_name
            FROM
                pg_catalog.pg_constraint cons
                join pg_attribute a
                  on cons.conrelid = a.attrelid AND
                    a.attnum = ANY(cons.conkey)
            WHERE
                cons.conrelid = @patients AND
                cons.contype = 'u'

-- [sqlalchemy] PGDialect.get_table_comment
            SELECT
                pgd.description as table_comment
            FROM
                pg_catalog.pg_description pgd
            WHERE
                pgd.objsubid = 0 AND
                pgd.objoid = @patients

-- [sqlalchemy] PGDialect.get_check_constraints
            SELECT
                cons.conname as name,
                pg_get_constraintdef(cons.oid) as src
            FROM
                pg_catalog.pg_constraint cons
            WHERE
                cons.conrelid = @patients AND
                cons.contype = 'c'

-- [sqlalchemy] PGDialect._load_enums
            SELECT t.typname as "name",
               -- no enum defaults in 8.4 at least
               -- t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema",
               e.enumlabel as "label"
            FROM pg_catalog.pg_type t
                 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 LEFT JOIN pg_catalog.pg_enum e ON t.oid = e.enumtypid
            WHERE t.typtype = 'e'
        AND n.nspname = 'public' ORDER BY "schema", "name", e.oid

-- [sqlalchemy] PGDialect._load_domains
            SELECT t.typname as "name",
               pg_catalog.format_type(t.typbasetype, t.typtypmod) as "attype",
               not t.typnotnull as "nullable",
               t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema"
            FROM pg_catalog.pg_type t
               LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype = 'd'
