/**
 * `npm run fuzz`: the whole fuzz on a stack of its own — 10,000 requests over every route the server
 * registers, then the role × act matrix at every step of the admission chain, then well-formed requests by
 * someone allowed on every mutating route (10 each) — with a summary table and the report in
 * test-artifacts/fuzz/latest.json. Exits 1 on a 5xx, a forbidden request accepted, a state change from a
 * request that had to change nothing, an allowed request refused after writing, or a matrix failure.
 *
 *   npm run fuzz -- --runs 2000 --seed 7 --allowed 5
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/stack/binaries';
import { createDefaultRegistry } from '../../domain/processes';
import { startApi } from '../support/api';
import { startTestStack, type TestStack } from '../support/stack';
import { setUpFixtures } from './fixtures';
import { runAllowedWrites, runFuzz } from './fuzz';
import { runActMatrix } from './matrix';
import { clean, summaryTable } from './report';
import { enumerateRoutes } from './routes';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, def: number): number => {
    const i = args.indexOf(name);
    const v = i >= 0 ? Number(args[i + 1]) : def;
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name} takes a whole number`);
    return v;
  };
  const runs = arg('--runs', 10_000);
  const seed = arg('--seed', 20_260_101);
  const perRoute = arg('--allowed', 10);

  let stack: TestStack | undefined;
  let close: (() => Promise<void>) | undefined;
  try {
    stack = await startTestStack(log);
    // The configuration of the harness is read from the environment when it starts.
    Object.assign(process.env, stack.env);
    const h = await startApi('fuzz', createDefaultRegistry(), { ownDatabase: true });
    close = () => h.close();

    log('fixtures: admission cases at C1, C5, C8, C10, C11 and one returned at C8; sessions and tokens per role');
    const fixtures = await setUpFixtures(h, { steps: ['C1', 'C5', 'C8', 'C10', 'C11'], returned: true });
    const { routes, problems } = enumerateRoutes(h.app);
    if (problems.length) throw new Error(`the router and the OpenAPI document disagree:\n${problems.join('\n')}`);
    log(`routes: ${routes.length} (${routes.filter((r) => r.documented).length} in the OpenAPI document)`);

    const fuzz = await runFuzz(h, fixtures, routes, { runs, seed, log });
    log('role × act matrix: every step of the admission chain');
    const matrix = await runActMatrix(h, { log });
    log(`allowed writes: ${perRoute} per mutating route, each between two digests`);
    const writes = await runAllowedWrites(h, fixtures, routes, { perRoute, seed, log });

    const dir = join(REPO_ROOT, 'test-artifacts', 'fuzz');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'latest.json'),
      `${JSON.stringify({ at: new Date().toISOString(), handler: stack.env.CADREFLOW_TEST_MONGO_HANDLER, fuzz, matrix, writes }, null, 2)}\n`
    );
    const ok = clean(fuzz, matrix, writes);
    console.log(`\n${summaryTable(fuzz, matrix, writes)}\n`);
    for (const f of [...fuzz.serverErrors, ...fuzz.acceptedButForbidden, ...writes.serverErrors])
      console.log(`FINDING ${JSON.stringify(f, null, 2)}`);
    for (const c of [...fuzz.stateChanges, ...writes.refusedWithChange])
      console.log(`STATE CHANGE ${JSON.stringify(c, null, 2)}`);
    for (const c of [...matrix.unauthorisedAccepted, ...matrix.changedOnRefusal])
      console.log(`MATRIX ${JSON.stringify(c)}`);
    for (const a of matrix.accepted.filter((x) => !x.ok)) console.log(`MATRIX actor refused ${JSON.stringify(a)}`);
    console.log(`report: test-artifacts/fuzz/latest.json\nfuzz: ${ok ? 'every check passed' : 'FAILED'}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await close?.().catch((e: unknown) => log(`closing the API: ${String(e)}`));
    await stack?.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
