/** One of the three compute parties of a computation. */
export type PartyIndex = 0 | 1 | 2;

export const PARTY_INDICES: readonly PartyIndex[] = [0, 1, 2] as const;

/** The party after `p` in the ring 0 → 1 → 2 → 0. */
export function nextParty(p: PartyIndex): PartyIndex {
  return ((p + 1) % 3) as PartyIndex;
}

/** The party before `p` in the ring 0 → 1 → 2 → 0. */
export function prevParty(p: PartyIndex): PartyIndex {
  return ((p + 2) % 3) as PartyIndex;
}

export function isPartyIndex(value: unknown): value is PartyIndex {
  return value === 0 || value === 1 || value === 2;
}
