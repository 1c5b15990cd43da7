/**
 * Installs Debian packages a client test needs (python3-psycopg2 …) when they are not
 * there yet: the test set-up does it, not a person. Where it cannot (not root, no apt),
 * the test fails with the reason; it never skips.
 */
import { execFile } from 'node:child_process';

function run(command: string, args: string[], timeout: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/** Ensures `python3 -c "import <modules>"` works with Debian's /usr/bin/python3, installing `packages` if not. */
export async function ensurePythonModules(modules: readonly string[], packages: readonly string[]): Promise<void> {
  const probe = ['-c', `import ${modules.join(', ')}`];
  if ((await run('/usr/bin/python3', probe, 60_000)).code === 0) return;
  const update = await run('apt-get', ['update', '-qq'], 300_000);
  if (update.code !== 0) throw new Error(`apt-get update failed:\n${update.output}`);
  const install = await run('apt-get', ['install', '-y', '-qq', ...packages], 600_000);
  if (install.code !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed:\n${install.output}`);
  const again = await run('/usr/bin/python3', probe, 60_000);
  if (again.code !== 0) throw new Error(`python modules ${modules.join(', ')} still missing:\n${again.output}`);
}
