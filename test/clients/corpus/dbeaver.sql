-- DBeaver's PostgreSQL driver (org.jkiss.dbeaver.ext.postgresql): what it sends when it
-- connects and when the navigator opens the database, the public schema and a table.
-- JDBC `?` placeholders are written as $n, with the values DBeaver binds as `params`
-- (`@name` is the OID of relation `name`, which DBeaver read from pg_class before).
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql @2428359b748778a5a345432906ab3da69289c20c

-- [dbeaver] PostgreDataSource: bootstrap database name
SELECT current_database()

-- [dbeaver] PostgreDataSource: server version
SELECT version()

-- [dbeaver] PostgreDataSource: databases (templates and unavailable hidden)
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE 1 = 1 AND datallowconn AND NOT datistemplate OR db.datname =$1
ORDER BY db.datname
-- params: c2d

-- [dbeaver] PostgreUtils.isMetaObjectExists: pg_enum present
SELECT * FROM pg_catalog.pg_enum WHERE 1<>1 LIMIT 1

-- [dbeaver] PostgreDatabase.supportsSysTypCategoryColumn
SELECT typcategory FROM pg_catalog.pg_type WHERE 1<>1 LIMIT 1

-- [dbeaver] PostgreExecutionContext: active schema and user
SELECT current_schema(),session_user

-- [dbeaver] PostgreExecutionContext: search path
SHOW search_path

-- [dbeaver] PostgreDatabase: database by name
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname=$1
-- params: c2d

-- [dbeaver] PostgreDatabase: database description
select description from pg_shdescription join pg_database on objoid = pg_database.oid where datname = $1
-- params: c2d

-- [dbeaver] PostgreDatabase.SchemaCache: schemas
SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass
 ORDER BY nspname

-- [dbeaver] PostgreDataTypeCache: data types
SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name, d.description
FROM pg_catalog.pg_type t
LEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem 
LEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid
WHERE t.typname IS NOT NULL
AND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C')

-- [dbeaver] PostgreDatabase.RoleCache: roles
SELECT a.oid,a.*,pd.description FROM pg_catalog.pg_roles a 
left join pg_catalog.pg_shdescription pd on a.oid = pd.objoid
ORDER BY a.rolname

-- [dbeaver] PostgreDatabase.AccessMethodCache
SELECT am.oid,am.* FROM pg_catalog.pg_am am 
ORDER BY am.oid

-- [dbeaver] PostgreDatabase.CollationCache
SELECT c.oid,c.* FROM pg_catalog.pg_collation c 
ORDER BY c.oid

-- [dbeaver] PostgreDatabase.LanguageCache
SELECT l.oid,l.* FROM pg_catalog.pg_language l 
ORDER BY l.oid

-- [dbeaver] PostgreDatabase.ForeignDataWrapperCache
SELECT l.oid,l.*,p.pronamespace as handler_schema_id 
FROM pg_catalog.pg_foreign_data_wrapper l
LEFT OUTER JOIN pg_catalog.pg_proc p ON p.oid=l.fdwhandler 
ORDER BY l.fdwname

-- [dbeaver] PostgreDatabase.ForeignServerCache
SELECT l.oid,l.* FROM pg_catalog.pg_foreign_server l
ORDER BY l.srvname

-- [dbeaver] PostgreDatabase.TablespaceCache
SELECT t.oid,t.*,pg_tablespace_location(t.oid) loc
FROM pg_catalog.pg_tablespace t 
ORDER BY t.oid

-- [dbeaver] PostgreDataSource.SettingCache
select * from pg_catalog.pg_settings

-- [dbeaver] PostgreSchema.TableCache: relations of a schema
SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr,  pg_catalog.pg_get_partkeydef(c.oid) as partition_key 
FROM pg_catalog.pg_class c
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass
WHERE c.relnamespace=$1 AND c.relkind not in ('i','I','c')
-- params: 2200

-- [dbeaver] PostgreSchema.TableCache: columns of a table
SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
LEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid
WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.oid=$1
ORDER BY a.attnum
-- params: @patients

-- [dbeaver] PostgreSchema.ConstraintCache: constraints of a table
SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description, case when c.contype='c' then "substring"(pg_get_constraintdef(c.oid), 7) else null end consrc_copy
FROM pg_catalog.pg_constraint c
INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid
LEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_constraint'::regclass
WHERE c.conrelid=$1
ORDER BY c.oid
-- params: @patients

-- [dbeaver] PostgreSchema: table inheritance (partitions) of a schema
SELECT i.inhrelid relid, pc.relnamespace parent_ns, pc.oid parent_oid, i.inhseqno
FROM pg_catalog.pg_inherits i, pg_class rc, pg_class pc
WHERE rc.oid=i.inhrelid AND rc.relnamespace=$1 AND pc.oid=i.inhparent
-- params: 2200

-- [dbeaver] PostgreSchema: extensions of a schema
SELECT 
 e.oid,
 cfg.tbls,
 e.* 
FROM 
 pg_catalog.pg_extension e 
 join pg_namespace n on n.oid =e.extnamespace
 left join  (
         select
            ARRAY_AGG(ns.nspname || '.' ||  cls.relname) tbls, oid_ext
          from
            (
            select
                unnest(e1.extconfig) oid , e1.oid oid_ext
            from
                pg_catalog.pg_extension e1 ) c 
                join    pg_class cls on cls.oid = c.oid 
                join pg_namespace ns on ns.oid = cls.relnamespace
            group by oid_ext        
         ) cfg on cfg.oid_ext = e.oid

WHERE e.extnamespace=$1
ORDER BY e.oid
-- params: 2200

-- [dbeaver] PostgreTableReal: table sizes
select pg_catalog.pg_total_relation_size($1) as total_rel_size,pg_catalog.pg_relation_size($2) as rel_size
-- params: @patients, @patients
