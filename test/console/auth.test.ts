import { type Action, ACTIONS, can, PERMISSIONS } from '../../console/permissions';
import { STAFF_ROLES, type StaffRole } from '../../retention/types';
import { startTestApp, type TestApp } from '../helpers/app';
import { StaffClient } from '../helpers/staff';

let t: TestApp;
let clock = Date.UTC(2026, 10, 23, 2, 0);
beforeAll(async () => {
  t = await startTestApp({ DEADLINE_CHECK_INTERVAL_S: '0' }, { now: () => clock });
});
afterAll(() => t.close());

describe('signing in to the staff console', () => {
  it('sends an agent to the queue with an HttpOnly, SameSite=Strict session cookie scoped to the console', async () => {
    const res = await fetch(`${t.url}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=agent.zhang&password=demo-pass-2026',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^rs_staff=[\w-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/console');
    // Plain HTTP without a trusted proxy: not marked Secure (the browser would drop it).
    expect(cookie).not.toContain('Secure');
  });

  it('marks the cookie Secure behind an HTTPS proxy when told to trust it', async () => {
    const secured = await startTestApp({ TRUST_PROXY: 'true', DEADLINE_CHECK_INTERVAL_S: '0' });
    try {
      const res = await fetch(`${secured.url}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
        body: 'username=agent.zhang&password=demo-pass-2026',
      });
      expect(res.headers.get('set-cookie')).toContain('Secure');
    } finally {
      await secured.close();
    }
  });

  it('sends a manager to the review and refuses the queue to them', async () => {
    const manager = new StaffClient(t.url);
    expect((await manager.login('manager.zhao')).location).toBe('/console/review');
    expect((await manager.get('/console/fragments/queue')).status).toBe(403);
  });

  it('answers a wrong password and an unknown name alike, and locks a name for 15 minutes after 5 failures', async () => {
    const c = new StaffClient(t.url);
    const wrong = await c.login('agent.li', 'nope');
    const unknown = await c.login('nobody', 'nope');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toContain(t.app.texts.t('zh-CN', 'console:login.failed'));
    expect(unknown.body).toContain(t.app.texts.t('zh-CN', 'console:login.failed'));
    for (let i = 0; i < 4; i++) await c.login('agent.li', 'nope');
    const locked = await c.login('agent.li');
    expect(locked.status).toBe(401);
    expect(locked.body).toContain('登录失败次数过多');
    clock += 15 * 60_000;
    expect((await c.login('agent.li')).status).toBe(303);
    const audit = await t.app.repositories.audit.list({ targetType: 'staff' });
    expect(audit.filter((a) => a.action === 'staff.login_failed').length).toBeGreaterThanOrEqual(5);
  });

  it('refuses a sign-in form posted by another site’s page, and takes one from its own', async () => {
    const post = (origin: string) =>
      fetch(`${t.url}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: 'username=agent.zhang&password=demo-pass-2026',
      });
    const foreign = await post('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    expect(await foreign.text()).toContain(t.app.texts.t('zh-CN', 'console:login.foreign'));
    expect((await post('null')).status).toBe(403);
    expect((await post(t.url)).status).toBe(303);
  });

  it('holds a burst of guesses sent at once to 5 checked passwords, then locks the name', async () => {
    clock += 60_000; // a full bucket for this address: the tests before signed in from it too
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => new StaffClient(t.url).login('rm.chen', `guess-${i}`)));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    // Five passwords were checked, no more: the other seven were refused before their password was looked at.
    const checked = (await t.app.repositories.audit.list({ targetType: 'staff' })).filter((a) => a.action === 'staff.login_failed' && a.targetId === 'rm.chen');
    expect(checked).toHaveLength(5);
    const locked = await new StaffClient(t.url).login('rm.chen');
    expect(locked.status).toBe(401);
    expect(locked.body).toContain('登录失败次数过多');
    clock += 15 * 60_000;
    expect((await new StaffClient(t.url).login('rm.chen')).status).toBe(303);
  });

  it('slows down failed sign-ins from one address across many names, and says so in the page; successful ones do not count', async () => {
    clock += 60_000;
    // A whole office signing in from one address.
    for (let i = 0; i < 31; i++) expect((await new StaffClient(t.url).login(i % 2 ? 'agent.zhang' : 'supervisor.liu')).status).toBe(303);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await new StaffClient(t.url).login(`nobody.${i}`, 'nope')).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    const refused = await fetch(`${t.url}/console/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=agent.zhang&password=demo-pass-2026',
    });
    expect(statuses[30]).toBe(429);
    expect(refused.status).toBe(429);
    const seconds = Number(refused.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(await refused.text()).toContain(t.app.texts.t('zh-CN', 'console:login.tooMany', { seconds }));
    // One attempt comes back every two seconds.
    clock += 2_000;
    expect((await new StaffClient(t.url).login('agent.zhang')).status).toBe(303);
    clock += 60_000;
  });

  it('ends the session after 30 idle minutes, and on sign-out', async () => {
    const c = new StaffClient(t.url);
    await c.login('agent.zhang');
    expect((await c.get('/console')).status).toBe(200);
    clock += 31 * 60_000;
    expect((await c.get('/console')).location).toBe('/console/login');
    await c.login('agent.zhang');
    expect((await c.post('/console/logout')).status).toBe(303);
    expect((await c.get('/console')).location).toBe('/console/login');
  });

  it('refuses a state change with a missing or forged CSRF token, and changes nothing', async () => {
    const c = new StaffClient(t.url);
    await c.login('agent.zhang');
    expect((await c.post('/console/presence', { status: 'online' }, { csrf: false })).status).toBe(403);
    expect((await c.post('/console/presence', { status: 'online' }, { csrf: 'forged-token-forged-token-forged' })).status).toBe(403);
    const me = await t.app.repositories.staff.findByUsername('agent.zhang');
    expect((await t.app.repositories.presence.get(me!.id))?.status ?? 'offline').toBe('offline');
    expect((await c.post('/console/presence', { status: 'online' })).status).toBe(200);
    expect((await t.app.repositories.presence.get(me!.id))!.status).toBe('online');
  });

  it('answers API calls without a session with 401, and pages with the way to sign in', async () => {
    const res = await fetch(`${t.url}/console/api/handoffs/1/messages`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    const page = await fetch(`${t.url}/console`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console/login');
  });
});

describe('the role matrix', () => {
  const expected: Record<StaffRole, Action[]> = {
    agent: ['queue.view', 'handoff.accept', 'chat.work'],
    supervisor: ['queue.view', 'handoff.accept', 'chat.work', 'supervise.view', 'supervise.assign', 'recovery.close', 'complaint.update'],
    manager: ['review.view', 'review.export', 'review.reveal', 'review.qa', 'recovery.close', 'complaint.update'],
    admin: [...ACTIONS],
  };
  const table = STAFF_ROLES.flatMap((role) => ACTIONS.map((action) => [role, action, expected[role].includes(action)] as const));

  it.each(table)('%s may %s: %s', (role, action, allowed) => {
    expect(can(role, action)).toBe(allowed);
  });

  it('has a row for every role', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...STAFF_ROLES].sort());
  });

  it.each([
    ['agent.zhang', '/console', 200],
    ['agent.zhang', '/console/fragments/queue', 200],
    ['supervisor.liu', '/console', 200],
    ['manager.zhao', '/console/fragments/queue', 403],
    ['admin', '/console/fragments/queue', 200],
  ] as const)('%s opening %s gets %d', async (username, path, status) => {
    const c = new StaffClient(t.url);
    await c.login(username);
    expect((await c.get(path)).status).toBe(status);
  });

  it.each([
    ['agent.zhang', 'supervise.assign', 403],
    ['manager.zhao', 'handoff.accept', 403],
  ] as const)('%s trying %s on the server is refused with %d', async (username, action, status) => {
    const c = new StaffClient(t.url);
    await c.login(username);
    const path = action === 'supervise.assign' ? '/console/handoffs/1/assign' : '/console/handoffs/1/accept';
    expect((await c.post(path, { agentId: '1' })).status).toBe(status);
  });
});
