import { Command } from 'commander';
import { createLogger } from './logger.js';
import { logLevelOption } from './options.js';
import { ConfigError, loadPartyConfig, loadTlsFiles, openConnector } from '../party/party-config.js';
import { createPartyNode } from '../party/party-node.js';

export function partyCommand(): Command {
  return new Command('party')
    .description("run a party node next to a data owner's engine: it exports tables to the gateway under the owner's column policies")
    .requiredOption('--config <file>', 'party configuration (JSON): name, listen, tls, engine, tables with column policies')
    .addOption(logLevelOption().default('info'))
    .addHelpText(
      'after',
      '\nExample config:\n' +
        '  { "name": "bmc", "listen": { "host": "127.0.0.1", "port": 7001 }, "fragments": { "port": 7201 }, "mpc": { "port": 7101 },\n' +
        '    "tls": { "key": "bmc.key", "cert": "bmc.crt", "ca": "ca.crt" },\n' +
        '    "engine": { "type": "duckdb", "path": "bmc.duckdb" },\n' +
        '    "tables": [ { "name": "patients", "remote": { "name": "patients" },\n' +
        '                  "policies": { "patient_id": "public", "national_id": "protected" } } ] }\n' +
        'Engines:\n' +
        '  { "type": "duckdb", "path": "bmc.duckdb" }   a DuckDB file, opened read-only\n' +
        '  { "type": "postgres", "host": "db", "port": 5432, "database": "d", "user": "u", "passwordEnv": "PGPASS" }\n' +
        '  { "type": "spark", "url": "sc://spark-host:15002" }   a Spark Connect server (tables as schema.name, schema "default" when omitted)\n' +
        'Columns without a policy are protected. Make certificates with `c2d certs`.\n' +
        '"fragments" is where the node listens for the gateway\'s fragments and sends their rows, and "mpc" where it\n' +
        'listens for the other compute parties\' MPC links (both mutual TLS, the same certificates); by default a free\n' +
        'port on the listen host, which the node tells the gateway.',
    )
    .action(async (opts: { config: string; logLevel: string }) => {
      const logger = createLogger(opts.logLevel);
      let config;
      try {
        config = await loadPartyConfig(opts.config);
      } catch (error) {
        if (error instanceof ConfigError) {
          console.error(`error: ${error.message}`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
      const connector = await openConnector(config.engine);
      const node = createPartyNode({
        name: config.name,
        connector,
        tables: config.tables,
        tls: await loadTlsFiles(config.tls),
        allowedPeers: config.allowedPeers,
        ...(config.mpc ? { mpc: config.mpc } : {}),
        ...(config.fragments ? { fragments: config.fragments } : {}),
        logger,
      });
      const port = await node.listen(config.listen.port, config.listen.host);
      const ports = node.ports()!;
      console.log(
        `party "${config.name}" listening on ${config.listen.host}:${port} (mutual TLS; fragments on port ${ports.fragments}, MPC links on port ${ports.mpc}), ` +
          `exporting ${config.tables.map((t) => t.name).join(', ')}`,
      );
      const stop = (): void => {
        void node.close().then(async () => {
          await connector.close();
          process.exit(0);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
