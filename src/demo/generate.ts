/**
 * `c2d generate`: writes the demo's synthetic hospital data, one DuckDB file per party,
 * deterministically from (scale, seed).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DuckDBInstance,
  DuckDBDateValue,
  DuckDBTimestampTZValue,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
import { Random } from './random.js';
import {
  DEMO_PARTIES,
  DIAGNOSES,
  MASS_CASUALTY_DAY,
  MEDICATIONS,
  TRAUMA_MECHANISMS,
  ZIP_CODES,
  type DemoParty,
} from './hospital-data.js';

export interface GenerateOptions {
  /** Folder for the DuckDB files (created if missing; existing demo files are replaced). */
  dir: string;
  /** 1 = 10,000 people in the population (about 4,000–5,000 patients per hospital). */
  scale: number;
  seed: number;
  /** Called with (done, total) people as generation goes. */
  onProgress?: (done: number, total: number) => void;
}

export interface GeneratedCounts {
  patients: number;
  diagnoses: number;
  medications: number;
  trauma_cases: number;
}

const SCHEMA = [
  `CREATE TABLE patients (patient_id BIGINT PRIMARY KEY, national_id VARCHAR NOT NULL, birth_date DATE, sex VARCHAR, zip VARCHAR)`,
  `CREATE TABLE diagnoses (patient_id BIGINT NOT NULL, icd10 VARCHAR NOT NULL, diagnosed_on DATE NOT NULL)`,
  `CREATE TABLE medications (patient_id BIGINT NOT NULL, drug VARCHAR NOT NULL, dose_mg DECIMAL(10,2), prescribed_on DATE NOT NULL)`,
  `CREATE TABLE trauma_cases (case_id BIGINT PRIMARY KEY, patient_id BIGINT NOT NULL, arrived_at TIMESTAMPTZ NOT NULL, severity INTEGER NOT NULL, mechanism VARCHAR NOT NULL)`,
];

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2023, 0, 1) / DAY_MS;
const LAST_DAY = Date.UTC(2025, 11, 31) / DAY_MS;
const MASS_DAY = Date.parse(`${MASS_CASUALTY_DAY}T00:00:00Z`) / DAY_MS;

interface PartyWriter {
  party: DemoParty;
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  patients: DuckDBAppender;
  diagnoses: DuckDBAppender;
  medications: DuckDBAppender;
  trauma: DuckDBAppender;
  nextPatientId: number;
  nextCaseId: number;
  counts: GeneratedCounts;
}

export function demoFilePath(dir: string, party: string): string {
  return join(dir, `${party}.duckdb`);
}

export async function generateDemoData(options: GenerateOptions): Promise<Record<DemoParty, GeneratedCounts>> {
  const { dir, scale, seed } = options;
  if (!(scale > 0)) throw new Error('scale must be a positive number');
  await mkdir(dir, { recursive: true });
  const writers: PartyWriter[] = [];
  for (const [index, party] of DEMO_PARTIES.entries()) {
    const path = demoFilePath(dir, party);
    await rm(path, { force: true });
    await rm(`${path}.wal`, { force: true });
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    for (const ddl of SCHEMA) await connection.run(ddl);
    writers.push({
      party,
      instance,
      connection,
      patients: await connection.createAppender('patients'),
      diagnoses: await connection.createAppender('diagnoses'),
      medications: await connection.createAppender('medications'),
      trauma: await connection.createAppender('trauma_cases'),
      nextPatientId: (index + 1) * 1_000_000_000,
      nextCaseId: (index + 1) * 1_000_000_000,
      counts: { patients: 0, diagnoses: 0, medications: 0, trauma_cases: 0 },
    });
  }

  const random = new Random(seed);
  const population = Math.round(10_000 * scale);
  const massCasualties = Math.round(60 * scale);
  for (let person = 0; person < population; person++) {
    const casualty = person < massCasualties;
    let seenAt = hospitalsOf(random);
    if (casualty && seenAt.length === 0) seenAt = [random.int(0, 2)];
    // Casualties are often transferred, so more of them are known at a second centre.
    if (casualty && seenAt.length === 1 && random.chance(0.4)) seenAt.push((seenAt[0]! + 1) % 3);
    if (seenAt.length) writePerson(random, person, seenAt.map((i) => writers[i]!), casualty);
    if (person % 1000 === 999) options.onProgress?.(person + 1, population);
  }
  options.onProgress?.(population, population);

  const result = {} as Record<DemoParty, GeneratedCounts>;
  for (const w of writers) {
    for (const a of [w.patients, w.diagnoses, w.medications, w.trauma]) a.closeSync();
    await w.connection.run('CHECKPOINT');
    w.connection.closeSync();
    w.instance.closeSync();
    result[w.party] = w.counts;
  }
  return result;
}

/** Which hospitals (indexes) see this person: most one, some two, a few all three. */
function hospitalsOf(random: Random): number[] {
  if (random.chance(0.55)) return [];
  const first = random.weighted([
    [0, 3],
    [1, 4],
    [2, 3],
  ] as const);
  const r = random.next();
  if (r < 0.04) return [0, 1, 2];
  if (r < 0.2) return [first, (first + random.int(1, 2)) % 3];
  return [first];
}

function writePerson(random: Random, person: number, writers: PartyWriter[], massCasualty: boolean): void {
  const nationalId = `NID${String(100_000_000 + ((person * 7_919_317) % 899_999_989)).padStart(9, '0')}`;
  const age = Math.max(0, Math.min(100, Math.round(random.normal(48, 20))));
  const birthDay = LAST_DAY - age * 365 - random.int(0, 364);
  const sex = random.chance(0.51) ? 'F' : 'M';
  const zip = random.pick(ZIP_CODES);
  const massCasualtyAt = massCasualty ? random.int(0, writers.length - 1) : -1;
  const patientIds = writers.map((w) => w.nextPatientId++);
  writers.forEach((w, i) => {
    const patientId = patientIds[i]!;
    const p = w.patients;
    p.appendBigInt(BigInt(patientId));
    p.appendVarchar(nationalId);
    p.appendDate(new DuckDBDateValue(birthDay));
    p.appendVarchar(sex);
    if (random.chance(0.03)) p.appendNull();
    else p.appendVarchar(zip);
    p.endRow();
    w.counts.patients++;
    writeVisits(random, w, patientId);
    if (random.chance(0.04)) writeTrauma(random, w, patientId, random.int(FIRST_DAY, LAST_DAY));
  });
  if (massCasualtyAt >= 0) {
    writeTrauma(random, writers[massCasualtyAt]!, patientIds[massCasualtyAt]!, MASS_DAY, true);
    // Transfers: a casualty known at a second centre is often seen there the same day.
    const next = (massCasualtyAt + 1) % writers.length;
    if (next !== massCasualtyAt && random.chance(0.6)) writeTrauma(random, writers[next]!, patientIds[next]!, MASS_DAY, true);
  }
}

function writeVisits(random: Random, w: PartyWriter, patientId: number): void {
  const diagnosisCount = random.int(0, 5);
  for (let d = 0; d < diagnosisCount; d++) {
    const code = random.weighted(DIAGNOSES);
    const day = random.int(FIRST_DAY, LAST_DAY - 60);
    diagnosis(w, patientId, code, day);
    if (code === 'A04.7' && random.chance(0.3)) diagnosis(w, patientId, code, day + random.int(15, 56));
    if (code === 'I21.9' && random.chance(0.8)) prescription(w, patientId, 'aspirin', 81, day + random.int(0, 30));
    if (code === 'E75.22') prescription(w, patientId, 'imiglucerase', 60, day + random.int(0, 90));
  }
  const medicationCount = random.int(0, 3);
  for (let m = 0; m < medicationCount; m++) {
    const [drug, , dose] = MEDICATIONS[pickIndex(random)]!;
    prescription(w, patientId, drug, dose, random.int(FIRST_DAY, LAST_DAY));
  }
}

function pickIndex(random: Random): number {
  return random.weighted(MEDICATIONS.map(([, weight], i) => [i, weight] as const));
}

function diagnosis(w: PartyWriter, patientId: number, code: string, day: number): void {
  const a = w.diagnoses;
  a.appendBigInt(BigInt(patientId));
  a.appendVarchar(code);
  a.appendDate(new DuckDBDateValue(Math.min(day, LAST_DAY)));
  a.endRow();
  w.counts.diagnoses++;
}

function prescription(w: PartyWriter, patientId: number, drug: string, dose: number, day: number): void {
  const a = w.medications;
  a.appendBigInt(BigInt(patientId));
  a.appendVarchar(drug);
  a.appendDouble(dose);
  a.appendDate(new DuckDBDateValue(Math.min(day, LAST_DAY)));
  a.endRow();
  w.counts.medications++;
}

function writeTrauma(random: Random, w: PartyWriter, patientId: number, day: number, severe = false): void {
  const minute = severe ? random.int(9 * 60, 14 * 60) : random.int(0, 24 * 60 - 1);
  const micros = BigInt(day * DAY_MS + minute * 60_000 + random.int(0, 59_999)) * 1000n;
  const a = w.trauma;
  a.appendBigInt(BigInt(w.nextCaseId++));
  a.appendBigInt(BigInt(patientId));
  a.appendTimestampTZ(new DuckDBTimestampTZValue(micros));
  a.appendInteger(Math.max(1, Math.min(75, Math.round(random.normal(severe ? 30 : 12, severe ? 14 : 8)))));
  a.appendVarchar(severe ? random.weighted([['blast', 6], ['penetrating', 2], ['burn', 2]] as const) : random.weighted(TRAUMA_MECHANISMS));
  a.endRow();
  w.counts.trauma_cases++;
}
