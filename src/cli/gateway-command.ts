import { Command, Option } from 'commander';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createLogger } from './logger.js';
import { logLevelOption, port } from './options.js';
import { serveFederation, DATABASE_NAME } from './serve.js';
import { federationCertificatesExist, readFederationCertificate } from '../party/cert-files.js';

interface GatewayFlags {
  host: string;
  port: number;
  dataDir: string;
  federationCerts: string;
  auth: 'scram-sha-256' | 'trust';
  requireTls: boolean;
  allowPlainLoopback: boolean;
  tlsKey?: string;
  tlsCert?: string;
  catalog?: string;
  logLevel: string;
}

export function gatewayCommand(): Command {
  return new Command('gateway')
    .description(`run the gateway: PostgreSQL clients connect to database "${DATABASE_NAME}"`)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (never 5432 by default: a PostgreSQL is usually there)', port, 55432)
    .option('--data-dir <path>', 'gateway state: users, TLS certificate', '.c2d/gateway')
    .option('--federation-certs <dir>', 'folder with ca.crt, gateway.crt and gateway.key from `c2d certs`, to reach the parties over mutual TLS', '.c2d/certs')
    .addOption(new Option('--auth <method>', 'client authentication').choices(['scram-sha-256', 'trust']).default('scram-sha-256'))
    .option('--no-require-tls', 'accept plain (unencrypted) connections from anywhere')
    .option('--allow-plain-loopback', 'accept plain connections from loopback even when TLS is required', false)
    .option('--tls-key <file>', "PEM private key (default: a self-signed one created in --data-dir)")
    .option('--tls-cert <file>', 'PEM certificate matching --tls-key')
    .option('--catalog <location>', 'federation catalog: a SQLite file or a postgres:// URL (default: catalog.sqlite in --data-dir)')
    .addOption(logLevelOption().default('info'))
    .addHelpText(
      'after',
      '\nUsers: c2d user set-password <name> --data-dir <same folder>.\n' +
        'Parties: register each with CREATE SERVER <name> FOREIGN DATA WRAPPER c2d OPTIONS (host \'…\', port \'…\'),\n' +
        'then IMPORT FOREIGN SCHEMA public FROM SERVER <name> INTO <schema>, or CREATE TABLE … PARTITION BY LIST (party)\n' +
        'with CREATE FOREIGN TABLE … PARTITION OF … SERVER <name> OPTIONS (table \'…\').',
    )
    .action(async (opts: GatewayFlags) => {
      if (opts.auth === 'trust' && opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
        console.error('error: --auth trust is for local development only and needs --host on loopback');
        process.exitCode = 2;
        return;
      }
      const logger = createLogger(opts.logLevel);
      await mkdir(opts.dataDir, { recursive: true });
      let federationTls = null;
      if (await federationCertificatesExist(opts.federationCerts)) {
        federationTls = await readFederationCertificate(opts.federationCerts, 'gateway');
      } else {
        logger.warn({ dir: opts.federationCerts }, 'no federation certificates: parties cannot be reached until the gateway restarts with --federation-certs');
      }
      const running = await serveFederation({
        gateway: {
          dataDir: opts.dataDir,
          host: opts.host,
          port: opts.port,
          requireTls: opts.requireTls,
          allowPlainOnLoopback: opts.allowPlainLoopback,
          auth: opts.auth,
          tlsKeyFile: opts.tlsKey,
          tlsCertFile: opts.tlsCert,
          logger,
        },
        catalog: opts.catalog ?? join(opts.dataDir, 'catalog.sqlite'),
        federationTls,
      });
      console.log(`C2D gateway listening on ${running.address.address}:${running.address.port}, database "${DATABASE_NAME}"`);
    });
}
