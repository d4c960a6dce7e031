/** The fuzz's summary table, as `npm run fuzz` prints it. */
import type { AllowedWritesReport, FuzzReport } from './fuzz';
import type { MatrixReport } from './matrix';

export function summaryTable(f: FuzzReport, m: MatrixReport | undefined, w?: AllowedWritesReport): string {
  const rows: [string, string][] = [
    ['requests', String(f.requests)],
    ...Object.entries(f.byStatus)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, n]): [string, string] => [`  answered ${status}`, String(n)]),
    ['5xx (or no answer in time)', String(f.serverErrors.length)],
    ['had to be refused, accepted', String(f.acceptedButForbidden.length)],
    ['state changes across refused or read-only requests', String(f.stateChanges.length)],
    [
      "administrators' hostile web forms (sent / accepted / refused after writing)",
      `${f.isolated.sent} / ${f.isolated.accepted} / ${f.isolated.refusedWithChange}`,
    ],
    ['routes registered / documented / fuzzed', `${f.routes.registered} / ${f.routes.documented} / ${f.routes.fuzzed}`],
    ['state digests', String(f.digests)],
    ['seed', String(f.seed)],
    ['time', `${(f.ms / 1000).toFixed(1)} s`],
  ];
  if (m)
    rows.push(
      ['matrix steps', m.steps.join(' ')],
      ['matrix: unauthorised acts sent / refused', `${m.tried} / ${m.refused}`],
      ['matrix: unauthorised acts accepted', String(m.unauthorisedAccepted.length)],
      ['matrix: refused acts that changed the case', String(m.changedOnRefusal.length)],
      ['matrix: authorised acts accepted', `${m.accepted.filter((a) => a.ok).length} / ${m.accepted.length}`],
      ['matrix time', `${(m.ms / 1000).toFixed(1)} s`]
    );
  if (w)
    rows.push(
      ['allowed writes sent / accepted', `${w.sent} / ${w.accepted}`],
      ...Object.entries(w.byStatus)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, n]): [string, string] => [`  answered ${status}`, String(n)]),
      ['allowed writes: 5xx (or no answer in time)', String(w.serverErrors.length)],
      ['allowed writes: refused after writing', String(w.refusedWithChange.length)],
      ['allowed writes: routes with none drawn', w.notDrawn.length ? w.notDrawn.join(', ') : '0'],
      ['allowed writes time', `${(w.ms / 1000).toFixed(1)} s`]
    );
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

/**
 * True when nothing is wrong: no 5xx, nothing accepted that had to be refused, no state change, matrix clean,
 * and no allowed write answered 5xx or refused after writing.
 */
export function clean(f: FuzzReport, m: MatrixReport | undefined, w?: AllowedWritesReport): boolean {
  return (
    (!w || (w.serverErrors.length === 0 && w.refusedWithChange.length === 0)) &&
    f.serverErrors.length === 0 &&
    f.acceptedButForbidden.length === 0 &&
    f.stateChanges.length === 0 &&
    f.isolated.refusedWithChange === 0 &&
    (!m || (m.unauthorisedAccepted.length === 0 && m.changedOnRefusal.length === 0 && m.accepted.every((a) => a.ok)))
  );
}
