/**
 * A server whose start fails because its port was taken in the meantime is started again on another port
 * (startOnFreePort), and a server that dies while starting is reported with the first lines of its output, where
 * a Go server says why, as well as the last.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOnFreePort, startTemporalDevServer } from '../../../tools/stack/servers';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cadreflow-free-port-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for the Temporal CLI that notes each start's port, says why it fails, then a long stack trace. */
function failingServer(why: string): string {
  const bin = join(dir, 'server.sh');
  writeFileSync(
    bin,
    `#!/bin/sh\n` +
      `echo "$6" >> "${join(dir, 'ports')}"\n` +
      `echo "${why}" >&2\n` +
      `i=0; while [ $i -lt 400 ]; do echo "goroutine $i [running]: go.temporal.io/server/temporal.NewServerFx" >&2; i=$((i+1)); done\n` +
      `exit 2\n`
  );
  chmodSync(bin, 0o755);
  return bin;
}
const ports = (): string[] => readFileSync(join(dir, 'ports'), 'utf8').trim().split('\n');

test('a port taken before the server listened: started again on new ports, three times in all, saying why', async () => {
  const cli = failingServer('panic: listen tcp 127.0.0.1:7233: bind: address already in use');
  const start = startOnFreePort((port) => startTemporalDevServer({ cli, port, dbFile: join(dir, 'temporal.sqlite') }));
  const error = await start.then(
    () => undefined,
    (e: Error) => e
  );
  expect(error?.message).toContain('the Temporal dev server exited (code 2) before it was ready');
  // The first line is shown although 400 lines of stack trace came after it, more than the 20,000 characters kept
  // of an output's end; so is the end.
  expect(error?.message).toContain('panic: listen tcp 127.0.0.1:7233: bind: address already in use');
  expect(error?.message).toContain('goroutine 399 [running]');
  expect(ports()).toHaveLength(3);
  expect(new Set(ports()).size).toBe(3);
});

test('any other failure is not tried again', async () => {
  const cli = failingServer('panic: unable to open database file');
  await expect(
    startOnFreePort((port) => startTemporalDevServer({ cli, port, dbFile: join(dir, 'temporal.sqlite') }))
  ).rejects.toThrow('panic: unable to open database file');
  expect(ports()).toHaveLength(1);
});

test('a start that succeeds on the second port answers that port', async () => {
  const seen: number[] = [];
  const { port, server } = await startOnFreePort(async (p) => {
    seen.push(p);
    if (seen.length === 1) throw new Error('listen tcp: bind: address already in use');
    return `server on ${p}`;
  });
  expect(seen).toHaveLength(2);
  expect(port).toBe(seen[1]);
  expect(server).toBe(`server on ${seen[1]}`);
});
