import { DEMO_STAFF_PASSWORD } from '../../data/seeds/demo';

/** A staff member's browser, in code: signs in, keeps the session cookie, reads the CSRF token from the pages. */
export class StaffClient {
  cookie = '';
  csrf = '';

  constructor(private readonly baseUrl: string) {}

  /** Signs in; returns the final status and where the sign-in sent the browser. */
  async login(username: string, password = DEMO_STAFF_PASSWORD): Promise<{ status: number; location: string | null; body: string }> {
    const res = await fetch(`${this.baseUrl}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const body = await res.text();
    if (res.status === 303) await this.refreshCsrf(res.headers.get('location') ?? '/console');
    return { status: res.status, location: res.headers.get('location'), body };
  }

  /** Loads a page (following nothing), keeping the CSRF token it carries. */
  async get(path: string, accept = 'text/html'): Promise<{ status: number; body: string; location: string | null }> {
    const res = await fetch(`${this.baseUrl}${path}`, { redirect: 'manual', headers: { cookie: this.cookie, accept } });
    const body = await res.text();
    const csrf = /data-csrf="([^"]+)"/.exec(body)?.[1];
    if (csrf) this.csrf = csrf;
    return { status: res.status, body, location: res.headers.get('location') };
  }

  async refreshCsrf(path = '/console'): Promise<void> {
    await this.get(path);
  }

  /** Posts a form as the page script does (the CSRF token in a header, JSON back); `csrf: false` leaves it out. */
  async post(
    path: string,
    fields: Record<string, string> = {},
    options: { csrf?: string | false } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { cookie: this.cookie, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    if (token) headers['x-csrf-token'] = token;
    const res = await fetch(`${this.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers, body: new URLSearchParams(fields).toString() });
    const text = await res.text();
    let body: Record<string, unknown>;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { text };
    }
    return { status: res.status, body };
  }
}
