/**
 * perCaseQueue (activities/case-activities.ts): the writes of one case run one at a time, in the order asked
 * for — FerretDB's conditional updates are not atomic, so two at once could leave an older revision standing —
 * while other cases' writes go on beside them; a failed write does not hold the next, and one that hangs holds
 * the next only for the queue's wait.
 */
import { perCaseQueue } from '../../../activities/case-activities';

const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test("one case's writes one at a time and in order; another case's beside them", async () => {
  const serial = perCaseQueue();
  const events: string[] = [];
  const write = (caseId: string, name: string, ms: number) => () =>
    (async () => {
      events.push(`${name} starts`);
      await later(ms);
      events.push(`${name} ends`);
      return name;
    })();
  const results = await Promise.all([
    serial('A', write('A', 'a1', 30)),
    serial('A', write('A', 'a2', 1)),
    serial('B', write('B', 'b1', 10)),
    serial('A', write('A', 'a3', 1)),
  ]);
  expect(results).toEqual(['a1', 'a2', 'b1', 'a3']);
  const a = events.filter((e) => e.startsWith('a'));
  expect(a).toEqual(['a1 starts', 'a1 ends', 'a2 starts', 'a2 ends', 'a3 starts', 'a3 ends']);
  // B did not wait for A's first write.
  expect(events.indexOf('b1 ends')).toBeLessThan(events.indexOf('a1 ends'));
});

test('a failed write fails its caller only; the next one runs', async () => {
  const serial = perCaseQueue();
  const failing = serial('A', () => Promise.reject(new Error('database away')));
  const next = serial('A', () => Promise.resolve('written'));
  await expect(failing).rejects.toThrow('database away');
  await expect(next).resolves.toBe('written');
});

test('a write that never ends holds the next one only for the wait', async () => {
  const serial = perCaseQueue(50);
  void serial('A', () => new Promise<never>(() => undefined));
  const t0 = Date.now();
  await expect(serial('A', () => Promise.resolve('written'))).resolves.toBe('written');
  expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
  expect(Date.now() - t0).toBeLessThan(2_000);
});
