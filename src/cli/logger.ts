import { pino, type Logger } from 'pino';

/** Logs go to stderr as JSON lines, so stdout stays for what a command prints for people. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination(2));
}
