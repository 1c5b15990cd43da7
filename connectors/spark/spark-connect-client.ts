/**
 * A Spark Connect client: the gRPC service of Spark Connect's own .proto files (pinned in
 * ./proto, version in ./proto/VERSION), one session id per client.
 *
 * The .proto files are loaded at run time with @grpc/proto-loader rather than compiled to
 * generated code: the pinned files stay the single source of truth, upgrading Spark is
 * replacing them, and no code generator joins the build. The few messages C2D sends are
 * built as plain objects.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Source tree (connectors/spark/proto) or the compiled one (dist/connectors/spark → ../../../connectors/spark/proto). */
function protoRoot(): string {
  for (const candidate of ['./proto', '../../../connectors/spark/proto']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${path}/spark/connect/base.proto`)) return path;
  }
  throw new Error('Spark Connect .proto files not found (connectors/spark/proto)');
}

let serviceClient: grpc.ServiceClientConstructor | undefined;

function sparkConnectService(): grpc.ServiceClientConstructor {
  if (!serviceClient) {
    const definition = protoLoader.loadSync('spark/connect/base.proto', {
      includeDirs: [protoRoot()],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: false,
      oneofs: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      spark: { connect: { SparkConnectService: grpc.ServiceClientConstructor } };
    };
    serviceClient = loaded.spark.connect.SparkConnectService;
  }
  return serviceClient;
}

/** A DataType message of types.proto, as proto-loader decodes it (oneof in `kind`). */
export interface ProtoDataType {
  kind: string;
  [kind: string]: unknown;
}

export interface ProtoStructField {
  name: string;
  data_type: ProtoDataType;
  nullable?: boolean;
}

export interface ExecutePlanResponse {
  response_type?: string;
  arrow_batch?: { row_count: string; data: Buffer };
  schema?: ProtoDataType;
}

/** Parses sc://host:port[/;param=value] (Spark's connection string), without TLS or tokens. */
export function parseSparkConnectUrl(url: string): { host: string; port: number } {
  const match = /^sc:\/\/([^:/;]+|\[[^\]]+\])(?::(\d+))?(?:\/.*)?$/.exec(url);
  if (!match) throw new Error(`invalid Spark Connect URL "${url}" (expected sc://host:port)`);
  return { host: match[1]!, port: match[2] ? Number(match[2]) : 15002 };
}

export class SparkConnectClient {
  private session = randomUUID();
  /**
   * The server's id for the session, from the first Config answer; sent back with every
   * plan, so a server that lost the session (restarted, or expired it) refuses the plan
   * instead of running it in a new session without the settings Config made.
   */
  private serverSession: string | undefined;
  readonly target: string;
  private readonly client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  private readonly userContext = { user_id: 'c2d', user_name: 'c2d' };

  constructor(url: string) {
    const { host, port } = parseSparkConnectUrl(url);
    this.target = `${host}:${port}`;
    const Service = sparkConnectService();
    this.client = new Service(this.target, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 128 * 1024 * 1024,
    }) as unknown as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  }

  get sessionId(): string {
    return this.session;
  }

  /** Forgets the session (the server closed it): the next call starts a new one. */
  renewSession(): void {
    this.session = randomUUID();
    this.serverSession = undefined;
  }

  /** Starts one plan; the stream's responses carry Arrow batches. */
  executeSql(sql: string, operationId: string): grpc.ClientReadableStream<ExecutePlanResponse> {
    return this.executeRelation({ sql: { query: sql } }, operationId);
  }

  /** Starts one plan over a Relation message of relations.proto (a SQL query, a catalog call). */
  executeRelation(relation: object, operationId: string): grpc.ClientReadableStream<ExecutePlanResponse> {
    const plan = { root: relation };
    return this.client['ExecutePlan']!({
      session_id: this.sessionId,
      user_context: this.userContext,
      operation_id: operationId,
      client_type: 'c2d',
      plan,
      ...this.observed(),
    }) as grpc.ClientReadableStream<ExecutePlanResponse>;
  }

  /** The result schema of a query, from AnalyzePlan without running it. */
  async schemaOf(plan: object, deadlineMs?: number): Promise<ProtoDataType> {
    const response = await this.analyze({ schema: { plan } }, deadlineMs);
    return (response as { schema: { schema: ProtoDataType } }).schema.schema;
  }

  async sparkVersion(deadlineMs?: number): Promise<string> {
    const response = await this.analyze({ spark_version: {} }, deadlineMs);
    return (response as { spark_version: { version: string } }).spark_version.version;
  }

  /** Sets session configuration (Config RPC). */
  async setConfig(pairs: Record<string, string>): Promise<void> {
    const response = (await this.unary('Config', {
      session_id: this.sessionId,
      user_context: this.userContext,
      client_type: 'c2d',
      operation: { set: { pairs: Object.entries(pairs).map(([key, value]) => ({ key, value })) } },
      ...this.observed(),
    })) as { server_side_session_id?: string };
    if (response.server_side_session_id) this.serverSession = response.server_side_session_id;
  }

  async interrupt(operationId: string): Promise<void> {
    await this.unary('Interrupt', {
      session_id: this.sessionId,
      user_context: this.userContext,
      client_type: 'c2d',
      interrupt_type: 'INTERRUPT_TYPE_OPERATION_ID',
      operation_id: operationId,
    });
  }

  /** Ends the session on the server (its temporary views and running operations). */
  async releaseSession(deadlineMs = 5000): Promise<void> {
    await this.unary('ReleaseSession', { session_id: this.sessionId, user_context: this.userContext, client_type: 'c2d' }, deadlineMs);
  }

  close(): void {
    this.client.close();
  }

  private analyze(request: object, deadlineMs?: number): Promise<unknown> {
    return this.unary('AnalyzePlan', { session_id: this.sessionId, user_context: this.userContext, client_type: 'c2d', ...request, ...this.observed() }, deadlineMs);
  }

  private observed(): { client_observed_server_side_session_id?: string } {
    return this.serverSession === undefined ? {} : { client_observed_server_side_session_id: this.serverSession };
  }

  private unary(method: string, request: object, deadlineMs?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const options: grpc.CallOptions = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
      this.client[method]!(request, options, (error: grpc.ServiceError | null, response: unknown) =>
        error ? reject(error) : resolve(response),
      );
    });
  }
}
