/**
 * Message type bytes of protocol 3.0, and how long a frontend message of each type may
 * be. Like PostgreSQL, a frame header is judged before its body is read: an unknown
 * type or an over-long length ends the connection without buffering the body.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

/** Frontend (client → server) message types after start-up. */
export const FrontendType = {
  bind: 'B',
  close: 'C',
  copyData: 'd',
  copyDone: 'c',
  copyFail: 'f',
  describe: 'D',
  execute: 'E',
  flush: 'H',
  functionCall: 'F',
  parse: 'P',
  /** SASLInitialResponse, SASLResponse (and PasswordMessage) during authentication. */
  authResponse: 'p',
  query: 'Q',
  sync: 'S',
  terminate: 'X',
} as const;
export type FrontendType = (typeof FrontendType)[keyof typeof FrontendType];

/** Backend (server → client) message types. */
export const BackendType = {
  authentication: 'R',
  backendKeyData: 'K',
  bindComplete: '2',
  closeComplete: '3',
  commandComplete: 'C',
  copyData: 'd',
  copyDone: 'c',
  copyOutResponse: 'H',
  dataRow: 'D',
  emptyQueryResponse: 'I',
  errorResponse: 'E',
  negotiateProtocolVersion: 'v',
  noData: 'n',
  noticeResponse: 'N',
  parameterDescription: 't',
  parameterStatus: 'S',
  parseComplete: '1',
  portalSuspended: 's',
  readyForQuery: 'Z',
  rowDescription: 'T',
} as const;
export type BackendType = (typeof BackendType)[keyof typeof BackendType];

/** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT: messages that never carry user data. */
export const SMALL_MESSAGE_LIMIT = 10_000;
/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET_LENGTH = 10_000;
/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH, for SASL messages. */
export const MAX_AUTH_MESSAGE_LENGTH = 65_535;

const small = new Set<string>([
  FrontendType.close,
  FrontendType.copyDone,
  FrontendType.copyFail,
  FrontendType.describe,
  FrontendType.execute,
  FrontendType.flush,
  FrontendType.sync,
  FrontendType.terminate,
]);
const known = new Set<string>(Object.values(FrontendType));

/**
 * The largest length (including the length word itself) a message of `type` may claim,
 * or -1 when `type` is no frontend message at all.
 */
export function frontendLengthLimit(type: string, maxMessageLength: number): number {
  if (!known.has(type)) return -1;
  if (small.has(type)) return Math.min(SMALL_MESSAGE_LIMIT, maxMessageLength);
  if (type === FrontendType.authResponse) return Math.min(MAX_AUTH_MESSAGE_LENGTH, maxMessageLength);
  return maxMessageLength;
}
