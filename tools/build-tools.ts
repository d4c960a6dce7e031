/** `npm run tools`: builds the Go-built servers into tools/.bin when missing or of another version. */
import { ensureFerretDb, ensureTemporalCli, ToolError } from './stack/binaries';

async function main(): Promise<void> {
  const started = Date.now();
  const [temporal, ferret] = await Promise.all([ensureTemporalCli(), ensureFerretDb()]);
  console.log(`Temporal CLI: ${temporal}\nFerretDB:     ${ferret}\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((e: unknown) => {
  console.error(e instanceof ToolError ? `cadreflow: ${e.message}` : e);
  process.exit(1);
});
