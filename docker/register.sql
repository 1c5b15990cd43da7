-- What a DBA runs once, with psql against the gateway, to register the three hospitals
-- of docker/compose.yaml and their federated tables (the same DDL `c2d demo` runs).
CREATE SERVER IF NOT EXISTS bmc FOREIGN DATA WRAPPER c2d OPTIONS (host 'bmc', port '7001');
CREATE SERVER IF NOT EXISTS mgh FOREIGN DATA WRAPPER c2d OPTIONS (host 'mgh', port '7001');
CREATE SERVER IF NOT EXISTS bwh FOREIGN DATA WRAPPER c2d OPTIONS (host 'bwh', port '7001');
CREATE TABLE IF NOT EXISTS patients (party text NOT NULL, patient_id bigint NOT NULL, national_id text NOT NULL, birth_date date, sex text, zip text) PARTITION BY LIST (party);
CREATE FOREIGN TABLE IF NOT EXISTS patients_bmc PARTITION OF patients FOR VALUES IN ('bmc') SERVER bmc OPTIONS (table 'patients');
CREATE FOREIGN TABLE IF NOT EXISTS patients_mgh PARTITION OF patients FOR VALUES IN ('mgh') SERVER mgh OPTIONS (table 'patients');
CREATE FOREIGN TABLE IF NOT EXISTS patients_bwh PARTITION OF patients FOR VALUES IN ('bwh') SERVER bwh OPTIONS (table 'patients');
SECURITY LABEL FOR c2d ON COLUMN patients.national_id IS 'protected';
CREATE TABLE IF NOT EXISTS diagnoses (party text NOT NULL, patient_id bigint NOT NULL, icd10 text NOT NULL, diagnosed_on date NOT NULL) PARTITION BY LIST (party);
CREATE FOREIGN TABLE IF NOT EXISTS diagnoses_bmc PARTITION OF diagnoses FOR VALUES IN ('bmc') SERVER bmc OPTIONS (table 'diagnoses');
CREATE FOREIGN TABLE IF NOT EXISTS diagnoses_mgh PARTITION OF diagnoses FOR VALUES IN ('mgh') SERVER mgh OPTIONS (table 'diagnoses');
CREATE FOREIGN TABLE IF NOT EXISTS diagnoses_bwh PARTITION OF diagnoses FOR VALUES IN ('bwh') SERVER bwh OPTIONS (table 'diagnoses');
CREATE TABLE IF NOT EXISTS medications (party text NOT NULL, patient_id bigint NOT NULL, drug text NOT NULL, dose_mg numeric(10,2), prescribed_on date NOT NULL) PARTITION BY LIST (party);
CREATE FOREIGN TABLE IF NOT EXISTS medications_bmc PARTITION OF medications FOR VALUES IN ('bmc') SERVER bmc OPTIONS (table 'medications');
CREATE FOREIGN TABLE IF NOT EXISTS medications_mgh PARTITION OF medications FOR VALUES IN ('mgh') SERVER mgh OPTIONS (table 'medications');
CREATE FOREIGN TABLE IF NOT EXISTS medications_bwh PARTITION OF medications FOR VALUES IN ('bwh') SERVER bwh OPTIONS (table 'medications');
SECURITY LABEL FOR c2d ON COLUMN medications.dose_mg IS 'protected';
CREATE TABLE IF NOT EXISTS trauma_cases (party text NOT NULL, case_id bigint NOT NULL, patient_id bigint NOT NULL, arrived_at timestamp with time zone NOT NULL, severity integer NOT NULL, mechanism text NOT NULL) PARTITION BY LIST (party);
CREATE FOREIGN TABLE IF NOT EXISTS trauma_cases_bmc PARTITION OF trauma_cases FOR VALUES IN ('bmc') SERVER bmc OPTIONS (table 'trauma_cases');
CREATE FOREIGN TABLE IF NOT EXISTS trauma_cases_mgh PARTITION OF trauma_cases FOR VALUES IN ('mgh') SERVER mgh OPTIONS (table 'trauma_cases');
CREATE FOREIGN TABLE IF NOT EXISTS trauma_cases_bwh PARTITION OF trauma_cases FOR VALUES IN ('bwh') SERVER bwh OPTIONS (table 'trauma_cases');
