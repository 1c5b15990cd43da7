import { Command } from 'commander';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { UserStore } from './user-store.js';

export function userCommand(): Command {
  const user = new Command('user').description("manage the gateway's users (SCRAM-SHA-256 verifiers, never passwords)");
  user
    .command('set-password')
    .description('create a user or change its password; the password is read from C2D_PASSWORD or stdin')
    .argument('<name>', 'user name')
    .option('--data-dir <path>', "the gateway's data directory", '.c2d/gateway')
    .action(async (name: string, opts: { dataDir: string }) => {
      const password = process.env.C2D_PASSWORD ?? (await readStdin()).replace(/\r?\n$/, '');
      if (!password) {
        console.error('error: no password given (set C2D_PASSWORD or pipe it on stdin)');
        process.exitCode = 2;
        return;
      }
      await mkdir(opts.dataDir, { recursive: true });
      const store = await UserStore.open(join(opts.dataDir, 'users.json'));
      await store.setPassword(name, password);
      console.log(`password set for user "${name}"`);
    });
  return user;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
