/**
 * The worker's log line for an instant the mail dispatcher sent (activities/mail/dispatcher.ts, `dispatchLogLine`):
 * a round that sent its e-mails is one line; one that handed e-mails back or failed is a warning with its error;
 * an instant with nothing due says nothing.
 */
import { dispatchLogLine } from '../../../activities/mail/dispatcher';

const sendAt = Date.UTC(2026, 10, 30, 1, 0, 0);
const done = sendAt + 4_250;

test('a round that sent everything: one line with the count and when it was done', () => {
  expect(dispatchLogLine({ sendAt, sent: 10_000, released: 0 }, done)).toEqual({
    level: 'log',
    line:
      'e-mails due at 2026-11-30T01:00:00.000Z: 10000 sent, 0 handed back to their cases; ' +
      'round and marks done at 2026-11-30T01:00:04.250Z',
  });
});

test('a round that handed e-mails back, or failed, is a warning that carries the error', () => {
  const partly = dispatchLogLine({ sendAt, sent: 40, released: 60, firstError: 'connect ECONNREFUSED' }, done);
  expect(partly?.level).toBe('warn');
  expect(partly?.line).toContain('40 sent, 60 handed back to their cases');
  expect(partly?.line).toMatch(/\(connect ECONNREFUSED\)$/);
  const failed = dispatchLogLine({ sendAt, sent: 0, released: 0, firstError: 'MongoNetworkError' }, done);
  expect(failed).toEqual({
    level: 'warn',
    line: expect.stringMatching(/0 sent, 0 handed back.*\(MongoNetworkError\)$/),
  });
});

test('an instant with nothing due says nothing', () => {
  expect(dispatchLogLine({ sendAt, sent: 0, released: 0 }, done)).toBeUndefined();
});
