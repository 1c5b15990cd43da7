/**
 * Starts the real Spark Connect server for the Spark connector tests: the jars of
 * test/spark/server/pom.xml (org.apache.spark spark-connect from Maven Central, resolved
 * by Maven and cached in ~/.m2), Java 17 with the --add-opens flags Spark's launcher
 * passes (JavaModuleOptions), local[2], an in-memory catalog and a temporary warehouse.
 * One server serves all Spark test files (vitest globalSetup); it answers on a free port
 * that setup() hands to the tests as SPARK_CONNECT_URL.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const POM_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../spark/server');

/** From Spark's launcher/src/main/java/org/apache/spark/launcher/JavaModuleOptions.java. */
const ADD_OPENS = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  '--add-modules=jdk.incubator.vector',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.invoke=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.cs=ALL-UNNAMED',
  '--add-opens=java.base/sun.security.action=ALL-UNNAMED',
  '--add-opens=java.base/sun.util.calendar=ALL-UNNAMED',
  '-Djdk.reflect.useDirectMethodHandle=false',
  '-Dio.netty.tryReflectionSetAccessible=true',
];

export interface SparkConnectServer {
  url: string;
  warehouse: string;
  startupMs: number;
  stop(): Promise<void>;
}

/** The server's class path, resolved by Maven once and cached next to ~/.m2 until the pom changes. */
function classPath(): string {
  const cacheDir = join(homedir(), '.m2', 'c2d-spark-connect');
  const cache = join(cacheDir, 'classpath.txt');
  const pom = join(POM_DIR, 'pom.xml');
  if (existsSync(cache) && statSync(cache).mtimeMs > statSync(pom).mtimeMs) {
    const cp = readFileSync(cache, 'utf8').trim();
    if (cp.split(':').every((jar) => existsSync(jar))) return cp;
  }
  requireTool('mvn', ['-v']);
  execFileSync('mvn', ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${cache}`], { cwd: POM_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  return readFileSync(cache, 'utf8').trim();
}

function requireTool(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    throw new Error(`the Spark connector tests need \`${command}\` on PATH (Java 17 and Maven start the real Spark Connect server)`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolvePort(port));
    });
  });
}

/** `defaults`: server-wide settings on top of (or instead of) the ones below, as a site's spark-defaults.conf would give. */
export async function startSparkConnectServer(defaults: Readonly<Record<string, string>> = {}): Promise<SparkConnectServer> {
  const started = performance.now();
  requireTool('java', ['-version']);
  const cp = classPath();
  const port = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), 'c2d-spark-'));
  const warehouse = join(scratch, 'warehouse');
  const conf: Record<string, string> = {
    'spark.master': 'local[2]',
    'spark.app.name': 'c2d-spark-connector-tests',
    'spark.connect.grpc.binding.address': '127.0.0.1',
    'spark.connect.grpc.binding.port': String(port),
    'spark.sql.catalogImplementation': 'in-memory',
    'spark.sql.warehouse.dir': warehouse,
    'spark.local.dir': join(scratch, 'local'),
    'spark.ui.enabled': 'false',
    'spark.sql.shuffle.partitions': '2',
    'spark.sql.session.timeZone': 'UTC',
    'spark.driver.host': '127.0.0.1',
    'spark.driver.bindAddress': '127.0.0.1',
    ...defaults,
  };
  const args = [
    '-Xmx768m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    ...ADD_OPENS,
    `-Djava.io.tmpdir=${scratch}`,
    ...Object.entries(conf).map(([k, v]) => `-D${k}=${v}`),
    '-cp',
    cp,
    'org.apache.spark.sql.connect.service.SparkConnectServer',
  ];
  const child = spawn('java', args, { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  try {
    await waitUntilListening(child, port, () => log, 180_000);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `sc://127.0.0.1:${port}`,
    warehouse,
    startupMs: Math.round(performance.now() - started),
    stop: () => stop(child, scratch),
  };
}

/** The server logs "Spark Connect server started" once its gRPC port is bound. */
async function waitUntilListening(child: ChildProcess, port: number, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Spark Connect server exited with ${child.exitCode}:\n${log()}`);
    if (/Spark Connect server started/i.test(log()) && (await canConnect(port))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Spark Connect server did not start within ${timeoutMs} ms:\n${log()}`);
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolveConnect) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}

async function stop(child: ChildProcess, scratch: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(scratch, { recursive: true, force: true });
}
