/**
 * A real `c2d party` process started from the built command with a config file, as an
 * operator runs it; resolves with the port it printed once it is listening.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export async function startPartyProcess(configPath: string, timeoutMs = 20_000): Promise<{ process: ChildProcess; port: number; line: string }> {
  const proc = spawn(process.execPath, [cli, 'party', '--config', configPath, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`party did not start:\n${text}`)), timeoutMs);
    proc.stdout!.on('data', (b: Buffer) => {
      text += b.toString();
      if (text.includes('listening')) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`party exited with ${code}: ${text}`));
    });
  }).catch((error: unknown) => {
    proc.kill('SIGKILL');
    throw error;
  });
  return { process: proc, port: Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]), line };
}
