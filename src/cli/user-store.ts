/**
 * Gateway users and their SCRAM-SHA-256 verifiers, kept in a JSON file until the
 * federation catalog takes them over. Only verifiers are stored, never passwords.
 */
import { readFile, writeFile, rename } from 'node:fs/promises';
import { createScramVerifier } from '../server/auth/scram.js';

export class UserStore {
  private users = new Map<string, string>();

  private constructor(private readonly path: string) {}

  static async open(path: string): Promise<UserStore> {
    const store = new UserStore(path);
    try {
      const data = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
      for (const [name, verifier] of Object.entries(data)) store.users.set(name, verifier);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return store;
  }

  has(user: string): boolean {
    return this.users.has(user);
  }

  verifier(user: string): string | null {
    return this.users.get(user) ?? null;
  }

  /** Sets a user's password (stored as a verifier); the file is replaced atomically. */
  async setPassword(user: string, password: string): Promise<void> {
    this.users.set(user, createScramVerifier(password));
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, JSON.stringify(Object.fromEntries(this.users), null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
