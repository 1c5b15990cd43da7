import { Command } from 'commander';
import { join } from 'node:path';
import { federationCertificatesExist, writeFederationCertificates } from '../party/cert-files.js';

export function certsCommand(): Command {
  return new Command('certs')
    .description('make a federation CA and a certificate for the gateway and each party (mutual TLS between them)')
    .requiredOption('--parties <names>', 'comma-separated party names, e.g. bmc,mgh,bwh')
    .option('--dir <path>', 'where to write ca.crt, ca.key, gateway.{crt,key} and <party>.{crt,key}', '.c2d/certs')
    .option('--hosts <names>', 'comma-separated host names or addresses the certificates also name', '127.0.0.1,localhost')
    .action(async (opts: { parties: string; dir: string; hosts: string }) => {
      const parties = opts.parties.split(',').map((p) => p.trim()).filter(Boolean);
      if (parties.length === 0 || parties.some((p) => !/^[a-z][a-z0-9_]*$/.test(p))) {
        console.error('error: --parties must list lower-case identifiers');
        process.exitCode = 2;
        return;
      }
      if (await federationCertificatesExist(opts.dir)) {
        console.error(`error: ${join(opts.dir, 'ca.key')} exists; remove it to make a new federation CA`);
        process.exitCode = 2;
        return;
      }
      const hosts = opts.hosts.split(',').map((h) => h.trim()).filter(Boolean);
      await writeFederationCertificates(opts.dir, ['gateway', ...parties], hosts);
      console.log(`wrote a federation CA and certificates for gateway, ${parties.join(', ')} to ${opts.dir}`);
    });
}
