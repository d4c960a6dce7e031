/**
 * The dispatcher's journal writer (activities/mail/dispatcher.ts, `batcher`): an entry goes to the database as soon
 * as no write is under way and the last began longer ago than the gap — the window in which a killed worker leaves
 * an accepted e-mail unrecorded is one insert, not a lingering batch — and entries that come sooner go together.
 */
import { batcher } from '../../../activities/mail/dispatcher';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

test('the first entry is written at once; those that come during the write go together in the next', async () => {
  const writes: string[][] = [];
  const pending: Array<ReturnType<typeof deferred>> = [];
  const b = batcher(100, 0, (ids) => {
    writes.push(ids);
    const d = deferred();
    pending.push(d);
    return d.promise;
  });
  b.add('a', new Date(1));
  expect(writes).toEqual([['a']]);
  b.add('b', new Date(2));
  b.add('c', new Date(3));
  expect(writes).toEqual([['a']]);
  pending[0]!.resolve();
  await new Promise((r) => setImmediate(r));
  expect(writes).toEqual([['a'], ['b', 'c']]);
  const closed = b.close();
  pending[1]!.resolve();
  await closed;
  expect(writes).toEqual([['a'], ['b', 'c']]);
});

test('no write holds more than the batch size, each dated by its last entry, and close waits for them all', async () => {
  const writes: Array<[string[], number]> = [];
  let release: () => void = () => undefined;
  const b = batcher(2, 0, async (ids, at) => {
    writes.push([ids, at.getTime()]);
    await new Promise<void>((r) => (release = r));
  });
  for (const [i, id] of ['a', 'b', 'c', 'd', 'e', 'f'].entries()) b.add(id, new Date(i));
  const closed = b.close();
  for (let i = 0; i < 4; i += 1) {
    release();
    await new Promise((r) => setImmediate(r));
  }
  await closed;
  expect(writes).toEqual([
    [['a'], 0],
    [['b', 'c'], 2],
    [['d', 'e'], 4],
    [['f'], 5],
  ]);
});

test('a failed write does not stop the next; close reports the failure', async () => {
  const writes: string[][] = [];
  const b = batcher(10, 0, async (ids) => {
    writes.push(ids);
    if (ids.includes('a')) throw new Error('database away');
  });
  b.add('a', new Date(0));
  b.add('b', new Date(1));
  await expect(b.close()).rejects.toThrow('database away');
  expect(writes).toEqual([['a'], ['b']]);
});

test('at most one write per gap: an entry soon after a write waits for the gap, one after it goes at once', async () => {
  const writes: string[][] = [];
  const b = batcher(100, 200, async (ids) => void writes.push(ids));
  b.add('a', new Date(0));
  expect(writes).toEqual([['a']]);
  await new Promise((r) => setImmediate(r));
  b.add('b', new Date(1));
  b.add('c', new Date(2));
  expect(writes).toEqual([['a']]);
  await new Promise((r) => setTimeout(r, 250));
  expect(writes).toEqual([['a'], ['b', 'c']]);
  await new Promise((r) => setTimeout(r, 250));
  b.add('d', new Date(3));
  expect(writes).toEqual([['a'], ['b', 'c'], ['d']]);
  b.add('e', new Date(4));
  await b.close();
  expect(writes).toEqual([['a'], ['b', 'c'], ['d'], ['e']]);
});
