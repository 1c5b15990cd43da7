/**
 * The demo's synthetic hospital world: one population of people, three hospitals that
 * each see part of it (some people at more than one), and per visit diagnoses,
 * prescriptions and trauma cases. Chosen so the demo's questions have answers worth
 * looking at: a mass-casualty day across the trauma centres, a rare disease spread thin
 * over all three, aspirin after heart attacks, recurrent C. difficile.
 */
export const DEMO_PARTIES = ['bmc', 'mgh', 'bwh'] as const;
export type DemoParty = (typeof DEMO_PARTIES)[number];

/** The tables every demo party exports. */
export const DEMO_TABLES = ['patients', 'diagnoses', 'medications', 'trauma_cases'] as const;

/** The mass-casualty event: many trauma arrivals at all three centres on this day. */
export const MASS_CASUALTY_DAY = '2025-04-15';

/** ICD-10 codes with relative frequencies. */
export const DIAGNOSES: ReadonlyArray<readonly [string, number]> = [
  ['I10', 120], // essential hypertension
  ['E11.9', 80], // type 2 diabetes
  ['J45.909', 45], // asthma
  ['I25.10', 40], // coronary artery disease
  ['I21.9', 18], // acute myocardial infarction
  ['F32.9', 40], // depression
  ['J18.9', 30], // pneumonia
  ['N39.0', 30], // urinary tract infection
  ['A04.7', 8], // C. difficile enterocolitis
  ['K21.9', 35], // reflux
  ['M54.5', 50], // low back pain
  ['E78.5', 60], // hyperlipidaemia
  ['C50.919', 6], // breast cancer
  ['G35', 3], // multiple sclerosis
  ['E75.22', 0.4], // Gaucher disease: the rare one
  ['S06.0X0A', 6], // concussion
  ['S72.001A', 4], // hip fracture
];

export const MEDICATIONS: ReadonlyArray<readonly [string, number, number]> = [
  // drug, relative frequency, usual dose in mg
  ['aspirin', 50, 81],
  ['metformin', 40, 500],
  ['atorvastatin', 45, 40],
  ['lisinopril', 40, 10],
  ['albuterol', 20, 0.09],
  ['sertraline', 20, 50],
  ['vancomycin', 6, 125],
  ['omeprazole', 30, 20],
  ['ibuprofen', 30, 400],
  ['imiglucerase', 0.3, 60],
];

export const TRAUMA_MECHANISMS: ReadonlyArray<readonly [string, number]> = [
  ['fall', 40],
  ['motor vehicle', 30],
  ['assault', 10],
  ['penetrating', 6],
  ['blast', 1],
  ['burn', 4],
];

export const ZIP_CODES = ['02115', '02114', '02118', '02215', '02120', '02130', '02446', '02139', '02141', '02143'] as const;
