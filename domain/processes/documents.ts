/**
 * The dossier check of a step: which required documents are missing and which are too old on the day the
 * step acts (e.g. introductions older than 12 months when the chi bộ votes), and the return reasons that follow.
 */
import { domainError } from '../errors';
import type { IsoDate } from '../types';
import { addCalendarMonths, formatDateVi, isIsoDate } from './dates';
import type { DocumentRequirement, StepDefinition } from './model';

export interface ProvidedDocument {
  code: string;
  issuedOn: IsoDate;
}

export interface StaleDocument {
  document: DocumentRequirement;
  issuedOn: IsoDate;
  /** The last day on which the document was still valid. */
  validUntil: IsoDate;
}

export interface DocumentCheck {
  ok: boolean;
  missing: DocumentRequirement[];
  stale: StaleDocument[];
  /** The distinct return reasons (codes of the step's onReturn) the stale documents call for, in step order. */
  returnReasons: string[];
  messagesVi: string[];
}

/**
 * A document issued on D with a limit of N months is valid up to and including D + N months (Civil Code 2015,
 * Art. 147–148: the start day is not counted and the period ends at the end of the corresponding day), so an
 * introduction of 2025-03-10 is still valid for a vote on 2026-03-10 and too old on 2026-03-11. When several
 * documents share a code, the newest counts.
 */
export function checkStepDocuments(step: StepDefinition, provided: ProvidedDocument[], onDate: IsoDate): DocumentCheck {
  const bad = provided.find((doc) => !isIsoDate(doc.issuedOn));
  if (!isIsoDate(onDate) || bad) {
    throw domainError(
      'INVALID_INPUT',
      `invalid date: onDate=${onDate}, issuedOn=${bad?.issuedOn}`,
      'Ngày xét hoặc ngày ban hành giấy tờ không phải ngày hợp lệ (YYYY-MM-DD).'
    );
  }
  const newest = new Map<string, IsoDate>();
  for (const doc of provided) {
    const known = newest.get(doc.code);
    if (known === undefined || doc.issuedOn > known) newest.set(doc.code, doc.issuedOn);
  }

  const missing: DocumentRequirement[] = [];
  const stale: StaleDocument[] = [];
  const returnReasons: string[] = [];
  const messagesVi: string[] = [];
  for (const document of step.documents ?? []) {
    const issuedOn = newest.get(document.code);
    if (issuedOn === undefined) {
      if (document.conditionVi === undefined) {
        missing.push(document);
        messagesVi.push(`Thiếu ${document.labelVi}.`);
      }
      continue;
    }
    if (document.maxAgeMonths === undefined) continue;
    const validUntil = addCalendarMonths(issuedOn, document.maxAgeMonths);
    if (onDate <= validUntil) continue;
    stale.push({ document, issuedOn, validUntil });
    messagesVi.push(
      `${document.labelVi} ban hành ngày ${formatDateVi(issuedOn)} đã quá ${document.maxAgeMonths} tháng (hết giá trị sau ngày ${formatDateVi(validUntil)}), phải làm lại.`
    );
    if (document.onStale !== undefined && !returnReasons.includes(document.onStale)) {
      returnReasons.push(document.onStale);
    }
  }
  return { ok: missing.length === 0 && stale.length === 0, missing, stale, returnReasons, messagesVi };
}
