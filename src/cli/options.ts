/** Option parsers shared by the subcommands. */
import { InvalidArgumentError, Option } from 'commander';

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0–65535; 0 picks a free one)');
  return n;
}

export const logLevelOption = (): Option =>
  new Option('--log-level <level>', 'log level for the JSON log on stderr')
    .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
    .default('warn');

