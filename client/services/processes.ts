/**
 * Process definitions: the shipped versions plus those administrators create by editing the latest
 * version (the registry's withNewVersion), stored in `process_versions`. Starting a case resolves the
 * version in force from both.
 */
import type { ProcessVersionDoc } from '../../activities/store/users';
import { SHIPPED_DEFINITIONS } from '../../domain/processes';
import type { ProcessDefinition, ProcessKey } from '../../domain/processes/model';
import { createProcessRegistry, type ProcessChanges, type ProcessRegistry } from '../../domain/processes/registry';
import { isDuplicateKey, requireAdmin, requireWriter, ServiceError, type Actor, type ServiceDeps } from './context';
import { checkEditAllowed } from '../../domain/processes/edit-policy';

export interface ProcessSummary {
  key: string;
  titleVi: string;
  versions: { version: number; effectiveFrom: string; stored: boolean }[];
}

function baseKeys(deps: ServiceDeps): string[] {
  return [...new Set(SHIPPED_DEFINITIONS.map((d) => d.key as string))].filter(
    (k) => deps.registry.versions(k as ProcessKey).length > 0
  );
}

/** The registry in force now: the deps' versions plus the stored ones. */
export async function effectiveRegistry(deps: ServiceDeps): Promise<{ registry: ProcessRegistry; keys: string[] }> {
  const stored = await deps.models.ProcessVersion.find().sort({ key: 1, version: 1 }).lean<ProcessVersionDoc[]>();
  if (stored.length === 0) return { registry: deps.registry, keys: baseKeys(deps) };
  const keys = [...new Set([...baseKeys(deps), ...stored.map((s) => s.key)])];
  const defs = keys.flatMap((k) => deps.registry.versions(k as ProcessKey));
  const known = new Set(defs.map((d) => `${d.key}|${d.version}`));
  for (const s of stored) if (!known.has(s._id)) defs.push(s.definition as unknown as ProcessDefinition);
  return { registry: createProcessRegistry(defs), keys };
}

export async function listProcesses(deps: ServiceDeps): Promise<ProcessSummary[]> {
  const { registry, keys } = await effectiveRegistry(deps);
  const stored = new Set((await deps.models.ProcessVersion.find({}, { _id: 1 }).lean()).map((d) => d._id));
  return keys.map((key) => {
    const versions = registry.versions(key as ProcessKey);
    return {
      key,
      titleVi: versions[versions.length - 1]?.titleVi ?? key,
      versions: versions.map((v) => ({
        version: v.version,
        effectiveFrom: v.effectiveFrom,
        stored: stored.has(`${v.key}|${v.version}`),
      })),
    };
  });
}

/** Every version of a process, oldest first. */
export async function getProcess(deps: ServiceDeps, key: string): Promise<ProcessDefinition[]> {
  const { registry } = await effectiveRegistry(deps);
  const versions = registry.versions(key as ProcessKey);
  if (versions.length === 0) throw new ServiceError(404, 'NOT_FOUND', `Không có quy trình «${key}».`);
  return versions;
}

/**
 * An administrator's edit: a new version built from the latest with `changes`, applying from
 * `effectiveFrom`; validated by the domain (DEFINITION_INVALID, CONFLICT come back as its errors).
 */
export async function createProcessVersion(
  deps: ServiceDeps,
  actor: Actor,
  key: string,
  input: { changes: ProcessChanges; effectiveFrom: string }
): Promise<ProcessDefinition> {
  requireWriter(actor);
  requireAdmin(actor);
  const { registry } = await effectiveRegistry(deps);
  if (registry.versions(key as ProcessKey).length === 0)
    throw new ServiceError(404, 'NOT_FOUND', `Không có quy trình «${key}».`);
  const versions = registry.versions(key as ProcessKey);
  // A confirmed rule changes only with a new legal basis; the unconfirmed ones are the province's to set.
  checkEditAllowed(versions[versions.length - 1] as ProcessDefinition, input.changes);
  const { definition } = registry.withNewVersion(key as ProcessKey, input.changes, input.effectiveFrom);
  try {
    await deps.models.ProcessVersion.create({
      _id: `${definition.key}|${definition.version}`,
      key: definition.key,
      version: definition.version,
      effectiveFrom: definition.effectiveFrom,
      definition: JSON.parse(JSON.stringify(definition)) as Record<string, unknown>,
      createdBy: actor.username,
      createdAt: deps.now(),
    });
  } catch (e) {
    if (isDuplicateKey(e))
      throw new ServiceError(409, 'CONFLICT', 'Phiên bản này vừa được người khác tạo; vui lòng tải lại và sửa lại.');
    throw e;
  }
  return definition;
}
