#!/usr/bin/env node
/**
 * The `c2d` command. Every subcommand has --help; `c2d --help` lists them.
 */
import { Command } from 'commander';
import { demoCommand } from './demo-command.js';
import { gatewayCommand } from './gateway-command.js';
import { generateCommand } from './generate-command.js';
import { userCommand } from './user-command.js';
import { partyCommand } from './party-command.js';
import { certsCommand } from './certs-command.js';
import { C2D_VERSION } from './version.js';

const program = new Command()
  .name('c2d')
  .description('C2D: a PostgreSQL-compatible gateway for privacy-preserving federated SQL')
  .version(C2D_VERSION)
  .showHelpAfterError();

program.addCommand(demoCommand());
program.addCommand(gatewayCommand());
program.addCommand(generateCommand());
program.addCommand(userCommand());
program.addCommand(partyCommand());
program.addCommand(certsCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Errors a user can act on get one line, not a stack trace.
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e.code === 'EADDRINUSE') {
    console.error(`error: ${e.address ?? 'the address'}:${e.port ?? ''} is already in use (another C2D, or a PostgreSQL?); choose another with --port`);
  } else if (e.code === 'EACCES' && e.syscall === 'listen') {
    console.error(`error: not allowed to listen on ${e.address ?? ''}:${e.port ?? ''}; choose a port above 1024 with --port`);
  } else {
    throw error;
  }
  process.exit(2);
}
