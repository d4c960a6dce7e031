/**
 * The JSON routes under /api/: thin adapters from HTTP to the service layer, each with its TypeBox schema
 * on every input and output (they also make the OpenAPI document served at /docs).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ProcessChanges } from '../../domain/processes/registry';
import * as svc from '../services';
import { actorOf, sessionCookie } from './auth';
import * as T from './schemas';

/** Who reads which case (client/services/visibility.ts), for the OpenAPI document. */
const VISIBILITY =
  'Quản trị viên và Ủy ban Kiểm tra xem mọi hồ sơ; người khác xem hồ sơ của các đơn vị thuộc tổ chức đảng nơi mình ' +
  'giữ chức vụ (kể cả các đơn vị cấp dưới) và hồ sơ đang chờ mình xử lý (kể cả theo ủy quyền).';

export function registerRoutes(root: FastifyInstance, deps: svc.ServiceDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const throttle = new svc.LoginThrottle(deps.models.LoginFailure);
  const secure = deps.config.env === 'production';

  // --- Sign-in, sessions, tokens, users -------------------------------------------------------------
  app.post(
    '/api/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Đăng nhập; đặt cookie phiên và trả về mã chống giả mạo (CSRF)',
        body: T.LoginBody,
        response: { 200: T.LoginReply, ...T.errors },
      },
    },
    async (req, reply) => {
      try {
        const user = await svc.authenticate(deps, throttle, { ...req.body, ip: req.ip });
        const grant = await svc.createSession(deps, user);
        req.log.info({ username: user.username }, 'signed in');
        void reply.header('set-cookie', sessionCookie(grant.sessionId, { secure, expiresAt: grant.expiresAt }));
        return { user: grant.user, csrfToken: grant.csrfToken };
      } catch (e) {
        if (e instanceof svc.ServiceError)
          req.log.warn({ username: req.body.username, ip: req.ip, code: e.code }, 'sign-in refused');
        throw e;
      }
    }
  );

  app.post(
    '/api/auth/logout',
    { schema: { tags: ['auth'], summary: 'Đăng xuất', response: { 200: T.Ok, ...T.errors } } },
    async (req, reply) => {
      if (req.sessionId) await svc.endSession(deps, req.sessionId);
      void reply.header('set-cookie', sessionCookie('', { secure }));
      return { ok: true };
    }
  );

  app.get(
    '/api/me',
    { schema: { tags: ['auth'], summary: 'Người đang đăng nhập', response: { 200: T.MeReply, ...T.errors } } },
    async (req) => ({ user: await svc.me(deps, actorOf(req)) })
  );

  app.post(
    '/api/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Tạo mã truy cập (API token) cho tích hợp; mã chỉ hiện một lần',
        body: T.TokenBody,
        response: { 201: T.NewTokenReply, ...T.errors },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.createApiToken(deps, actorOf(req), req.body.name))
  );
  app.get(
    '/api/tokens',
    { schema: { tags: ['auth'], summary: 'Các mã truy cập của tôi', response: { 200: T.TokensReply, ...T.errors } } },
    async (req) => ({ items: await svc.listApiTokens(deps, actorOf(req)) })
  );
  app.delete(
    '/api/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Thu hồi mã truy cập',
        params: T.IdParams,
        response: { 200: T.Ok, ...T.errors },
      },
    },
    async (req) => {
      await svc.revokeApiToken(deps, actorOf(req), req.params.id);
      return { ok: true };
    }
  );

  app.get(
    '/api/users',
    { schema: { tags: ['admin'], summary: 'Tài khoản (quản trị)', response: { 200: T.UsersReply, ...T.errors } } },
    async (req) => ({ items: await svc.listUsers(deps, actorOf(req)) })
  );
  app.post(
    '/api/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Tạo tài khoản gắn với một cán bộ (quản trị)',
        body: T.NewUserBody,
        response: { 201: T.User, ...T.errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      svc.requireWriter(actor);
      return reply.status(201).send(await svc.createUser(deps, actor, req.body));
    }
  );
  app.patch(
    '/api/users/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Khóa/mở, đổi quyền hoặc mật khẩu của tài khoản (quản trị)',
        params: T.IdParams,
        body: T.UserPatch,
        response: { 200: T.User, ...T.errors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      svc.requireWriter(actor);
      return svc.updateUser(deps, actor, req.params.id, req.body);
    }
  );

  // --- Organisation -------------------------------------------------------------------------------
  app.get(
    '/api/org/tree',
    {
      schema: {
        tags: ['org'],
        summary: 'Cây tổ chức vào một ngày (mặc định hôm nay)',
        querystring: T.DateQuery,
        response: { 200: T.OrgTreeReply, ...T.errors },
      },
    },
    async (req) => {
      const onDate = req.query.onDate ?? svc.vnToday(deps.now());
      return { onDate, roots: await svc.orgTree(deps, onDate) };
    }
  );
  app.get(
    '/api/org/people',
    { schema: { tags: ['org'], summary: 'Danh sách cán bộ', response: { 200: T.PeopleReply, ...T.errors } } },
    async () => ({ items: await svc.listPeople(deps) })
  );
  app.put(
    '/api/org/people/:id',
    {
      schema: {
        tags: ['org'],
        summary: 'Thêm hoặc sửa một cán bộ (quản trị)',
        params: T.IdParams,
        body: T.PersonBody,
        response: { 200: T.Person, ...T.errors },
      },
    },
    async (req) => svc.upsertPerson(deps, actorOf(req), { id: req.params.id, ...req.body })
  );
  app.get(
    '/api/org/roles',
    {
      schema: {
        tags: ['org'],
        summary: 'Chức vụ (lọc theo cán bộ, tổ chức, ngày)',
        querystring: T.RolesQuery,
        response: { 200: T.RolesReply, ...T.errors },
      },
    },
    async (req) => ({ items: await svc.listRoles(deps, req.query) })
  );
  app.post(
    '/api/org/roles',
    {
      schema: {
        tags: ['org'],
        summary: 'Giao chức vụ (quản trị)',
        body: T.Role,
        response: { 201: T.RoleView, ...T.errors },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.addRole(deps, actorOf(req), req.body))
  );
  app.patch(
    '/api/org/roles/:id',
    {
      schema: {
        tags: ['org'],
        summary: 'Kết thúc chức vụ vào một ngày (quản trị)',
        params: T.IdParams,
        body: T.EndRoleBody,
        response: { 200: T.RoleView, ...T.errors },
      },
    },
    async (req) => svc.endRole(deps, actorOf(req), req.params.id, req.body.to)
  );
  app.get(
    '/api/org/delegations',
    {
      schema: {
        tags: ['org'],
        summary: 'Giấy ủy quyền',
        querystring: T.PersonQuery,
        response: { 200: T.DelegationsReply, ...T.errors },
      },
    },
    async (req) => ({ items: await svc.listDelegations(deps, req.query) })
  );
  app.post(
    '/api/org/delegations',
    {
      schema: {
        tags: ['org'],
        summary: 'Ủy quyền (của chính mình; quản trị viên ghi cho người khác)',
        body: T.Delegation,
        response: { 201: T.Delegation, ...T.errors },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.addDelegation(deps, actorOf(req), req.body))
  );
  app.delete(
    '/api/org/delegations/:id',
    {
      schema: { tags: ['org'], summary: 'Hủy giấy ủy quyền', params: T.IdParams, response: { 200: T.Ok, ...T.errors } },
    },
    async (req) => {
      await svc.deleteDelegation(deps, actorOf(req), req.params.id);
      return { ok: true };
    }
  );

  // --- Processes and calendar ---------------------------------------------------------------------
  app.get(
    '/api/processes',
    {
      schema: {
        tags: ['processes'],
        summary: 'Các quy trình và phiên bản',
        response: { 200: T.ProcessesReply, ...T.errors },
      },
    },
    async () => ({ items: await svc.listProcesses(deps) })
  );
  app.get(
    '/api/processes/:key',
    {
      schema: {
        tags: ['processes'],
        summary: 'Mọi phiên bản của một quy trình (cũ trước)',
        params: T.ProcessKeyParams,
        response: { 200: T.ProcessReply, ...T.errors },
      },
    },
    async (req) => ({
      key: req.params.key,
      versions: (await svc.getProcess(deps, req.params.key)) as unknown as Record<string, unknown>[],
    })
  );
  app.post(
    '/api/processes/:key/versions',
    {
      schema: {
        tags: ['processes'],
        summary: 'Tạo phiên bản mới từ phiên bản mới nhất với các thay đổi (quản trị)',
        params: T.ProcessKeyParams,
        body: T.NewVersionBody,
        response: { 201: T.ProcessReply.properties.versions.items, ...T.errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(
        (await svc.createProcessVersion(deps, actorOf(req), req.params.key, {
          effectiveFrom: req.body.effectiveFrom,
          changes: req.body.changes as ProcessChanges,
        })) as unknown as Record<string, unknown>
      )
  );
  app.get(
    '/api/calendar/years',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Lịch nghỉ chính thức theo năm',
        response: { 200: T.CalendarYearsReply, ...T.errors },
      },
    },
    async () => ({ items: await svc.listCalendarYears(deps) })
  );
  app.get(
    '/api/calendar/years/:year',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Lịch nghỉ của một năm',
        params: T.YearParams,
        response: { 200: T.CalendarYear, ...T.errors },
      },
    },
    async (req) => svc.getCalendarYear(deps, req.params.year)
  );
  app.put(
    '/api/calendar/years/:year',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Lưu lịch nghỉ của một năm (quản trị)',
        params: T.YearParams,
        body: T.YearScheduleBody,
        response: { 200: T.CalendarYear, ...T.errors },
      },
    },
    async (req) => svc.putCalendarYear(deps, actorOf(req), req.params.year, req.body)
  );
  app.delete(
    '/api/calendar/years/:year',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Xóa lịch nghỉ đã lưu của một năm (quản trị)',
        params: T.YearParams,
        response: { 200: T.Ok, ...T.errors },
      },
    },
    async (req) => {
      await svc.deleteCalendarYear(deps, actorOf(req), req.params.year);
      return { ok: true };
    }
  );

  // --- Cases ---------------------------------------------------------------------------------------
  app.post(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Mở hồ sơ (tờ trình); gửi lại cùng requestId không mở hồ sơ thứ hai',
        body: T.StartCaseBody,
        response: { 200: T.StartCaseReply, 201: T.StartCaseReply, ...T.errors },
      },
    },
    async (req, reply) => {
      const r = await svc.startCaseService(deps, actorOf(req), req.body);
      return reply.status(r.created ? 201 : 200).send(r);
    }
  );
  app.post(
    '/api/campaigns',
    {
      schema: {
        tags: ['cases'],
        summary: 'Mở một đợt: một hồ sơ cho mỗi đơn vị, cùng một hạn chung',
        body: T.StartCampaignBody,
        response: { 200: T.StartCampaignReply, 201: T.StartCampaignReply, ...T.errors },
      },
    },
    async (req, reply) => {
      const r = await svc.startCampaignService(deps, actorOf(req), req.body);
      return reply.status(r.created ? 201 : 200).send(r);
    }
  );
  app.get(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Danh sách hồ sơ (lọc theo trạng thái, cấp ủy, quy trình, quá hạn)',
        description: VISIBILITY,
        querystring: T.CasesQuery,
        response: { 200: T.CasePage, ...T.errors },
      },
    },
    async (req) => svc.listCases(deps, actorOf(req), req.query)
  );
  app.get(
    '/api/cases/:caseId',
    {
      schema: {
        tags: ['cases'],
        summary: 'Chi tiết hồ sơ: các bước, nhật ký, kết quả kiểm tra nhật ký, hạn hiện tại',
        description: `${VISIBILITY} Ngoài ra, một hồ sơ mà nhật ký ghi tên người dùng. Hồ sơ không được xem trả về 404 như hồ sơ không tồn tại.`,
        params: T.CaseIdParams,
        response: { 200: T.CaseDetail, ...T.errors },
      },
    },
    async (req) => svc.caseDetail(deps, actorOf(req), req.params.caseId)
  );
  app.post(
    '/api/cases/:caseId/acts',
    {
      schema: {
        tags: ['cases'],
        summary: 'Thao tác trên bước hiện tại, với tư cách người đang đăng nhập',
        params: T.CaseIdParams,
        body: T.ActBody,
        response: { 200: T.CaseSummary, ...T.errors },
      },
    },
    async (req) =>
      svc.actOnCaseService(deps, actorOf(req), req.params.caseId, {
        requestId: req.body.requestId,
        command: req.body.command,
      })
  );
  app.get(
    '/api/inbox',
    {
      schema: {
        tags: ['cases'],
        summary: 'Việc tôi phải làm (kể cả theo ủy quyền), hạn gần nhất trước',
        querystring: T.PageQuery,
        response: { 200: T.CasePage, ...T.errors },
      },
    },
    async (req) => svc.inbox(deps, actorOf(req), req.query)
  );

  // --- Audit --------------------------------------------------------------------------------------
  // A report, not an error: 200 with ok=false when entries were changed; 403 to those who do not audit.
  app.get(
    '/api/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary:
          'Kiểm tra tính toàn vẹn của nhật ký (một hồ sơ, hoặc mọi hồ sơ khi không có caseId); quản trị viên và Ủy ban Kiểm tra',
        querystring: T.AuditVerifyQuery,
        response: { 200: T.AuditVerification, ...T.errors },
      },
    },
    async (req) => svc.verifyAudit(deps, actorOf(req), req.query.caseId)
  );
  app.get(
    '/api/cases/:caseId/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Kiểm tra tính toàn vẹn của nhật ký một hồ sơ; quản trị viên và Ủy ban Kiểm tra',
        params: T.CaseIdParams,
        response: { 200: T.AuditVerification, ...T.errors },
      },
    },
    async (req) => svc.verifyAudit(deps, actorOf(req), req.params.caseId)
  );
  app.get(
    '/api/dashboard',
    {
      schema: {
        tags: ['cases'],
        summary: 'Theo từng cấp ủy: hồ sơ đang mở, quá hạn, đã báo cáo Thường trực',
        description: `Chỉ tính các hồ sơ người dùng được xem. ${VISIBILITY}`,
        response: { 200: T.DashboardReply, ...T.errors },
      },
    },
    async (req) => ({ items: await svc.dashboard(deps, actorOf(req)) })
  );
}
