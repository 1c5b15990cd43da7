/** How the server authenticates clients. */
export interface AuthConfig {
  /** 'trust' lets anyone in as any user: for local development only. */
  method: 'scram-sha-256' | 'trust';
  /**
   * The stored SCRAM verifier of a user (`SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>`),
   * or null when there is no such user. Never a password.
   */
  lookupVerifier(user: string): Promise<string | null>;
}
