/**
 * The mail dispatcher opens its SMTP connections WARM_LEAD_MS before an instant (activities/mail/dispatcher.ts,
 * MailTransport.warm), once per instant; not for an instant nearer than that (the round opens them as it sends),
 * and not after it has stopped. Only the schedule is exercised: the round itself, at the instant, is the
 * integration tests' (it reads the outbox).
 */
import { MailDispatcher, WARM_LEAD_MS } from '../../../activities/mail/dispatcher';
import type { MailTransport } from '../../../activities/mail/outbox';
import type { Models } from '../../../activities/store/models';

const T0 = Date.UTC(2026, 11, 1, 1, 0, 0);

beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

function dispatcherWith(warm: jest.Mock) {
  const transport: MailTransport = { send: jest.fn(), warm };
  // No database is reached before the instant.
  return new MailDispatcher({} as Models, transport, { prepareLeadMs: 0 });
}

test('warms the transport WARM_LEAD_MS before the instant, once for the instant however often it is armed', async () => {
  const warm = jest.fn(() => Promise.resolve());
  const d = dispatcherWith(warm);
  const sendAt = T0 + 30_000;
  d.schedule(sendAt);
  d.schedule(sendAt);
  jest.advanceTimersByTime(30_000 - WARM_LEAD_MS - 1);
  expect(warm).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(warm).toHaveBeenCalledTimes(1);
  await d.stop();
});

test('an instant nearer than WARM_LEAD_MS is not warmed, and stop() cancels a warming to come', async () => {
  const warm = jest.fn(() => Promise.resolve());
  const d = dispatcherWith(warm);
  d.schedule(T0 + WARM_LEAD_MS);
  d.schedule(T0 + 60_000);
  await d.stop();
  jest.advanceTimersByTime(120_000);
  expect(warm).not.toHaveBeenCalled();
});

test('a warming that fails is taken, not left an unhandled rejection', async () => {
  const warm = jest.fn(() => Promise.reject(new Error('ECONNREFUSED')));
  const d = dispatcherWith(warm);
  d.schedule(T0 + 10_000);
  jest.advanceTimersByTime(10_000 - WARM_LEAD_MS);
  expect(warm).toHaveBeenCalledTimes(1);
  await Promise.resolve(); // the rejection is taken, not left unhandled
  await d.stop();
});
