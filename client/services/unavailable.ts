/**
 * Whether an error means that a dependency (MongoDB, Temporal) cannot be reached right now, rather than a
 * bug: the API answers those with 503 and Retry-After, the web pages with a "try again" page of the same
 * status. What the MongoDB driver 7 and mongoose 9 throw while the server is gone, as observed against
 * FerretDB being killed under load: MongoNetworkError ("connection 3 to … closed", "read ECONNRESET"),
 * MongoServerSelectionError ("connect ECONNREFUSED"), and a bare Node socket error ("This socket has been
 * ended by the other party", code EPIPE) on the first write after the server died; while the pool is being
 * cleared MongoPoolClearedError; with bufferCommands off and no connection yet a MongooseError "before
 * initial connection is complete"; with buffering on "buffering timed out". A replica set failing over
 * answers MongoServerError with one of the "not primary / shutting down" codes.
 */

/** Seconds a client is told to wait before trying again. */
export const RETRY_AFTER_SECONDS = 5;

const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'MongoTimeoutError',
]);

/** Socket error codes of Node: the peer is gone or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Server error codes that mean "not now" (the driver's own retryable set): host unreachable or not found,
 * network timeout, shutdown in progress, primary stepped down, not writable primary, interrupted at
 * shutdown or by a replica-set change, not primary, socket exception.
 */
const TRANSIENT_SERVER_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

const UNAVAILABLE_MESSAGE =
  /ECONNREFUSED|ECONNRESET|EPIPE|Connection refused|UNAVAILABLE|transport is closing|buffering timed out|This socket has been ended by the other party|before initial connection is complete|Client must be connected before running operations|Connection was force closed/i;

function isUnavailableOne(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, message, code } = e as { name?: unknown; message?: unknown; code?: unknown };
  if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (name === 'MongoServerError' && typeof code === 'number' && TRANSIENT_SERVER_CODES.has(code)) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message);
}

/** True for errors that mean a dependency (MongoDB, Temporal) is unreachable rather than a bug; follows `cause`. */
export function isUnavailable(e: unknown): boolean {
  let current: unknown = e;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (isUnavailableOne(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
