/**
 * What counts as "the database or Temporal cannot be reached" (503 with Retry-After) rather than a bug
 * (500): the errors the MongoDB driver 7 and mongoose 9 throw while the server is gone, as seen against
 * FerretDB killed under load, and those of a replica set failing over.
 */
import {
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { Error as MongooseError } from 'mongoose';
import { isUnavailable } from '../../client/services/unavailable';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('isUnavailable', () => {
  test.each<[string, unknown]>([
    ['a closed connection', new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
    [
      'a reset connection',
      new MongoNetworkError('read ECONNRESET', { cause: withCode('read ECONNRESET', 'ECONNRESET') }),
    ],
    ['no server to select', new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017', {} as never)],
    ['a network timeout', new MongoNetworkTimeoutError('connection 1 to 127.0.0.1:27017 timed out')],
    ['a client not connected', new MongoNotConnectedError('Client must be connected before running operations')],
    ['a closed topology', new MongoTopologyClosedError()],
    [
      'a pool being cleared',
      Object.assign(new Error('Connection pool for 127.0.0.1:27017 was cleared'), { name: 'MongoPoolClearedError' }),
    ],
    [
      'the first write after the server died (a bare socket error)',
      withCode('This socket has been ended by the other party', 'EPIPE'),
    ],
    [
      'no connection yet, without buffering',
      new MongooseError(
        'Cannot call `users.findOne()` before initial connection is complete if `bufferCommands = false`.'
      ),
    ],
    ['buffering timed out', new MongooseError('Operation `users.findOne()` buffering timed out after 10000ms')],
    ['a primary stepping down', new MongoServerError({ message: 'not primary', code: 10107 })],
    ['a server shutting down', new MongoServerError({ message: 'interrupted at shutdown', code: 11600 })],
    ['Temporal unreachable', new Error('14 UNAVAILABLE: No connection established')],
    ['wrapped in a cause', new Error('act failed', { cause: new MongoNetworkError('connection 9 closed') })],
  ])('503: %s', (_name, e) => {
    expect(isUnavailable(e)).toBe(true);
  });

  test.each<[string, unknown]>([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a duplicate key', new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 })],
    ['a validation error of the server', new MongoServerError({ message: 'invalid', code: 121 })],
    ['a business code that is not a socket code', Object.assign(new Error('no'), { code: 'NOT_FOUND' })],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('not 503: %s', (_name, e) => {
    expect(isUnavailable(e)).toBe(false);
  });
});
