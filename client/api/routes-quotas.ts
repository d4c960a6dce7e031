/**
 * The quota routes: the yearly plan of party-development quotas, the start of the year's quota workflow,
 * the import of cell meetings from the handbook's export, and the reports (JSON, and CSV/XLSX downloads
 * named in Vietnamese with an ASCII fallback). Plans are written by administrators, meetings imported by
 * Organization Board members or administrators; every signed-in user reads the reports.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { GROUPS, SECTORS } from '../../domain/quotas/model';
import * as svc from '../services';
import { actorOf } from './auth';
import * as T from './schemas';

const strict = <P extends Parameters<typeof Type.Object>[0]>(props: P, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });
const Count = Type.Integer({ minimum: 0, maximum: 10_000_000 });
const Year = Type.Integer({ minimum: 1900, maximum: 2100 });
/** An object with one optional property per key. */
const keyed = (keys: readonly string[], value: TSchema) =>
  strict(Object.fromEntries(keys.map((k) => [k, Type.Optional(value)])));

export const UnitAllocation = strict({
  unitId: T.Id,
  parentUnitId: Type.Optional(T.Id),
  name: Type.String({ minLength: 1, maxLength: 300 }),
  target: Count,
  sectors: keyed(SECTORS, Count),
  groups: Type.Optional(keyed(GROUPS, Count)),
});
export const QuotaPlanBody = strict(
  { year: Year, rootUnitId: T.Id, units: Type.Array(UnitAllocation, { minItems: 1, maxItems: 5000 }) },
  'Kế hoạch chỉ tiêu phát triển đảng viên của một năm: chỉ tiêu của Tỉnh ủy chia cho các đơn vị, theo khối và đối tượng'
);
const SectorFigure = strict({ target: Count, attained: Count });
const GroupFigure = strict({ target: Type.Optional(Count), attained: Count });
export const AttainmentReply = strict({
  year: Year,
  asOf: T.IsoDate,
  rows: Type.Array(
    strict({
      unitId: Type.String(),
      name: Type.String(),
      parentUnitId: Type.Optional(Type.String()),
      depth: Type.Integer(),
      target: Count,
      attained: Count,
      pct: Type.Number(),
      sectors: strict(Object.fromEntries(SECTORS.map((s) => [s, SectorFigure]))),
      unspecified: Count,
      groups: strict(Object.fromEntries(GROUPS.map((g) => [g, GroupFigure]))),
      recognitions: Count,
      removals: Count,
    })
  ),
});
export const BriefingReply = strict({
  year: Year,
  quarter: Type.Integer({ minimum: 1, maximum: 4 }),
  asOf: T.IsoDate,
  rows: Type.Array(
    strict({
      committeeId: Type.String(),
      name: Type.String(),
      openCases: Count,
      onTime: Count,
      overdue: Count,
      escalated: Count,
      target: Count,
      attained: Count,
      pct: Type.Number(),
      proRataPct: Type.Number(),
    })
  ),
});
export const AttendanceReply = strict({
  months: Type.Array(Type.String()),
  items: Type.Array(
    strict({
      committeeId: Type.String(),
      cells: Count,
      expectedMeetings: Count,
      meetings: Count,
      missed: Count,
      present: Count,
      total: Count,
      attendancePct: Type.Number(),
    })
  ),
});
export const StartQuotaBody = strict({
  frequency: Type.Optional(Type.Union([Type.Literal('monthly'), Type.Literal('quarterly')])),
  thresholdPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  checkMeetings: Type.Optional(Type.Boolean()),
});
export const StartQuotaReply = strict({ workflowId: Type.String(), created: Type.Boolean() });
export const ImportBody = strict({
  format: Type.Union([Type.Literal('csv'), Type.Literal('json')]),
  text: Type.String({ minLength: 1, maxLength: 250_000 }),
});
export const ImportReply = strict({ imported: Count, months: Type.Array(Type.String()) });
const YearQuery = strict({ year: Year, asOf: Type.Optional(T.IsoDate) });
const BriefingQuery = strict({ year: Year, quarter: Type.Integer({ minimum: 1, maximum: 4 }) });
const Month = '\\d{4}-(0[1-9]|1[0-2])';
const AttendanceQuery = strict({
  months: Type.String({ pattern: `^${Month}(,${Month}){0,35}$`, description: 'YYYY-MM,YYYY-MM,...' }),
});

const file = (contentType: string, description: string) => ({
  description,
  content: {
    [contentType]: {
      schema: contentType.startsWith('text/') ? Type.String() : Type.String({ format: 'binary' }),
    },
  },
});
const CSV = file('text/csv', 'Tệp CSV (UTF-8 có BOM)');
const XLSX = file(svc.XLSX_TYPE, 'Tệp Excel (.xlsx)');

function sendFile(reply: FastifyReply, d: svc.Download): FastifyReply {
  return reply
    .header('content-type', d.contentType)
    .header('content-disposition', svc.contentDisposition(d.filename))
    .header('cache-control', 'no-store')
    .send(d.body);
}

export function registerQuotaRoutes(root: FastifyInstance, deps: svc.ServiceDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const params = strict({ year: Year });

  app.put(
    '/api/quotas/:year',
    {
      schema: {
        tags: ['quotas'],
        summary: 'Lưu kế hoạch chỉ tiêu của một năm (quản trị); kế hoạch không khớp bị từ chối và nêu chỗ sai',
        params,
        body: QuotaPlanBody,
        response: { 200: QuotaPlanBody, ...T.errors },
      },
    },
    async (req) => svc.putQuotaPlan(deps, actorOf(req), req.params.year, req.body)
  );
  app.get(
    '/api/quotas/:year',
    {
      schema: {
        tags: ['quotas'],
        summary: 'Kế hoạch chỉ tiêu phát triển đảng viên của một năm',
        params,
        response: { 200: QuotaPlanBody, ...T.errors },
      },
    },
    async (req) => svc.getQuotaPlan(deps, actorOf(req), req.params.year)
  );
  app.get(
    '/api/quotas/:year/attainment',
    {
      schema: {
        tags: ['quotas'],
        summary: 'Kết quả thực hiện chỉ tiêu theo đơn vị, khối và đối tượng (tính từ các quyết định kết nạp)',
        params,
        querystring: strict({ asOf: Type.Optional(T.IsoDate) }),
        response: { 200: AttainmentReply, ...T.errors },
      },
    },
    async (req) => svc.quotaAttainment(deps, actorOf(req), req.params.year, req.query.asOf)
  );
  app.post(
    '/api/quotas/:year/start',
    {
      schema: {
        tags: ['quotas'],
        summary: 'Bắt đầu theo dõi chỉ tiêu của năm (quản trị); đã bắt đầu thì không bắt đầu lại',
        params,
        body: StartQuotaBody,
        response: { 200: StartQuotaReply, 201: StartQuotaReply, ...T.errors },
      },
    },
    async (req, reply) => {
      const r = await svc.startQuotaWorkflow(deps, actorOf(req), req.params.year, req.body ?? {});
      return reply.status(r.created ? 201 : 200).send(r);
    }
  );
  app.post(
    '/api/meetings/import',
    {
      schema: {
        tags: ['quotas'],
        summary:
          'Nhập dữ liệu sinh hoạt chi bộ từ Sổ tay đảng viên điện tử (CSV hoặc JSON); tệp có lỗi bị từ chối cả tệp',
        body: ImportBody,
        response: { 200: ImportReply, ...T.errors },
      },
    },
    async (req) => svc.importMeetingsService(deps, actorOf(req), req.body)
  );

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(
      `/api/reports/attainment.${format}`,
      {
        schema: {
          tags: ['reports'],
          summary: `Tải kết quả phát triển đảng viên theo đơn vị × khối (${format.toUpperCase()})`,
          querystring: YearQuery,
          response: { 200: format === 'csv' ? CSV : XLSX, ...T.errors },
        },
      },
      async (req, reply) =>
        sendFile(reply, await svc.attainmentDownload(deps, actorOf(req), req.query.year, format, req.query.asOf))
    );
    app.get(
      `/api/reports/briefing.${format}`,
      {
        schema: {
          tags: ['reports'],
          summary: `Tải báo cáo giao ban quý (${format.toUpperCase()})`,
          querystring: BriefingQuery,
          response: { 200: format === 'csv' ? CSV : XLSX, ...T.errors },
        },
      },
      async (req, reply) =>
        sendFile(reply, await svc.briefingDownload(deps, actorOf(req), req.query.year, req.query.quarter, format))
    );
  }
  app.get(
    '/api/reports/briefing',
    {
      schema: {
        tags: ['reports'],
        summary: 'Giao ban quý: theo từng cấp ủy, hồ sơ trong hạn / quá hạn / đã báo cáo và kết quả chỉ tiêu',
        querystring: BriefingQuery,
        response: { 200: BriefingReply, ...T.errors },
      },
    },
    async (req) => svc.briefing(deps, actorOf(req), req.query.year, req.query.quarter)
  );
  app.get(
    '/api/reports/attendance',
    {
      schema: {
        tags: ['reports'],
        summary: 'Sinh hoạt chi bộ theo cấp ủy trong các tháng đã chọn: số buổi, số chi bộ không họp, tỷ lệ dự họp',
        querystring: AttendanceQuery,
        response: { 200: AttendanceReply, ...T.errors },
      },
    },
    async (req) => {
      const months = [...new Set(req.query.months.split(','))].sort();
      return { months, items: await svc.attendance(deps, actorOf(req), months) };
    }
  );
}
