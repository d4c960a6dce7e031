/**
 * Verification of the hash-chained audit trail, for the people whose work is to audit: administrators,
 * the Inspection Committee's accounts, and whoever holds a role today in an Inspection Committee (Ủy ban
 * Kiểm tra) of the organisation tree. It recomputes the chain from what is stored (verifyAuditChain) and
 * answers a report: a problem found is a finding, not an error.
 */
import type { AuditEntryDoc, CaseDoc } from '../../activities/store/models';
import { auditId, verifyAuditChain, type AuditProblem, type AuditVerification } from '../../activities/store/audit';
import { auditTailQuery, caseWorkflowId } from '../../workflows/messages';
import { ServiceError, type Actor, type ServiceDeps } from './context';
import { sitsOnInspectionCommittee } from './visibility';

/** Administrators and the Inspection Committee; anyone else is refused with 403. */
export async function requireAuditor(deps: ServiceDeps, actor: Actor): Promise<void> {
  if (actor.isAdmin || actor.isInspector) return;
  if (await sitsOnInspectionCommittee(deps, actor.personId)) return;
  throw new ServiceError(
    403,
    'FORBIDDEN',
    'Chỉ quản trị viên hoặc Ủy ban Kiểm tra mới được kiểm tra tính toàn vẹn của nhật ký.'
  );
}

/**
 * Recomputes the audit chain of one case (404 when there is neither the case nor any entry of it), or of
 * every case when `caseId` is absent, and reports each entry found changed, missing, out of order or forged.
 */
export async function verifyAudit(deps: ServiceDeps, actor: Actor, caseId?: string): Promise<AuditVerification> {
  await requireAuditor(deps, actor);
  if (caseId !== undefined) {
    // A case record deleted behind the application's back leaves its entries: they are still verified.
    const [hasCase, hasEntries] = await Promise.all([
      deps.models.Case.exists({ _id: caseId }),
      deps.models.AuditEntry.exists({ caseId }),
    ]);
    if (!hasCase && !hasEntries) throw new ServiceError(404, 'CASE_NOT_FOUND', `Không tìm thấy hồ sơ «${caseId}».`);
  }
  const report = await verifyAuditChain(deps.models, caseId);
  if (caseId === undefined) return report;
  const anchor = await anchorProblem(deps, caseId);
  return anchor ? { ...report, ok: false, problems: [...report.problems, anchor] } : report;
}

/**
 * The stored chain against the anchor the case's workflow keeps in Temporal (auditTailQuery): the hash of
 * the last entry it wrote must be the stored entry's. A chain changed and hashed again by whoever changed
 * it is whole in MongoDB, but its hashes no longer reach that anchor. Skipped (no finding) when the
 * workflow cannot answer within a few seconds, or has not written in its current run yet.
 */
async function anchorProblem(deps: ServiceDeps, caseId: string): Promise<AuditProblem | undefined> {
  const doc = await deps.models.Case.findById(caseId, { process: 1 }).lean<Pick<CaseDoc, 'process'>>();
  if (!doc) return undefined;
  let workflowId: string;
  try {
    workflowId = caseWorkflowId(doc.process, caseId);
  } catch {
    return undefined; // a record whose process names no workflow (changed behind our back): the chain report stands
  }
  let timer: NodeJS.Timeout | undefined;
  const tail = await Promise.race([
    deps.temporal.workflow
      .getHandle(workflowId)
      .query(auditTailQuery)
      .catch(() => null),
    new Promise<null>((res) => (timer = setTimeout(() => res(null), 5000))),
  ]).finally(() => clearTimeout(timer));
  if (!tail) return undefined;
  const stored = await deps.models.AuditEntry.findById(auditId(caseId, tail.seq))
    .select({ hash: 1 })
    .lean<Pick<AuditEntryDoc, 'hash'>>();
  if (stored?.hash === tail.hash) return undefined;
  return {
    caseId,
    seq: tail.seq,
    code: 'anchor',
    problem: stored
      ? `Mục ${tail.seq} có mã băm khác với mã mà quy trình đã ghi trong lịch sử Temporal: nhật ký đã bị sửa và tính lại mã băm.`
      : `Mục ${tail.seq}, mục cuối mà quy trình đã ghi trong lịch sử Temporal, không còn trong nhật ký.`,
  };
}
