/**
 * The yearly official working-day schedules (the Prime Minister's swap days, Tết) that administrators
 * keep in `calendar_years`. A stored year replaces the shipped one of the same year for cases started
 * afterwards; a running case keeps the schedules it started with.
 */
import type { CalendarYearDoc } from '../../activities/store/users';
import { OFFICIAL_SCHEDULES, validateYearSchedule, type YearSchedule } from '../../domain/calendar/schedules';
import { notFound, requireAdmin, requireWriter, type Actor, type ServiceDeps } from './context';

export interface CalendarYearView {
  year: number;
  source: 'shipped' | 'stored';
  schedule: YearSchedule;
}

/** The schedules a case started now gets: the shipped ones, each replaced by a stored year when there is one. */
export async function schedulesForCases(deps: ServiceDeps): Promise<YearSchedule[]> {
  const stored = await deps.models.CalendarYear.find().lean<CalendarYearDoc[]>();
  const byYear = new Map<number, YearSchedule>(OFFICIAL_SCHEDULES.map((s) => [s.year, s]));
  for (const s of stored) byYear.set(s.year, s.schedule as unknown as YearSchedule);
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}

export async function listCalendarYears(deps: ServiceDeps): Promise<CalendarYearView[]> {
  const stored = await deps.models.CalendarYear.find().lean<CalendarYearDoc[]>();
  const storedYears = new Set(stored.map((s) => s.year));
  const all: CalendarYearView[] = [
    ...OFFICIAL_SCHEDULES.filter((s) => !storedYears.has(s.year)).map((s) => ({
      year: s.year,
      source: 'shipped' as const,
      schedule: s,
    })),
    ...stored.map((s) => ({
      year: s.year,
      source: 'stored' as const,
      schedule: s.schedule as unknown as YearSchedule,
    })),
  ];
  return all.sort((a, b) => a.year - b.year);
}

export async function getCalendarYear(deps: ServiceDeps, year: number): Promise<CalendarYearView> {
  const found = (await listCalendarYears(deps)).find((y) => y.year === year);
  if (!found) throw notFound(`lịch làm việc năm ${year}`);
  return found;
}

/** Creates or replaces a year's schedule, validated by the calendar's rules (CalendarError on a bad one). */
export async function putCalendarYear(
  deps: ServiceDeps,
  actor: Actor,
  year: number,
  input: unknown
): Promise<CalendarYearView> {
  requireWriter(actor);
  requireAdmin(actor);
  const schedule = validateYearSchedule({ ...(input as object), year });
  const plain = JSON.parse(JSON.stringify(schedule)) as Record<string, unknown>;
  await deps.models.CalendarYear.replaceOne(
    { _id: String(year) },
    { _id: String(year), year, schedule: plain, updatedBy: actor.username, updatedAt: deps.now() },
    { upsert: true }
  );
  return { year, source: 'stored', schedule };
}

export async function deleteCalendarYear(deps: ServiceDeps, actor: Actor, year: number): Promise<void> {
  requireWriter(actor);
  requireAdmin(actor);
  const r = await deps.models.CalendarYear.deleteOne({ _id: String(year) });
  if (r.deletedCount === 0) throw notFound(`lịch làm việc năm ${year} do quản trị viên lưu`);
}
