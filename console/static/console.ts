// The staff console's live parts: a WebSocket to /console/live that says what changed, and fetches of what is new.
// A plain script (no modules): compiled for the browser by tsconfig.client.json. Customer text is only ever inserted
// as text (textContent), never as HTML.

interface LiveEvent {
  type: string;
  handoffId?: number;
  status?: string;
}

interface ChatMessage {
  id: number;
  sender: string;
  who: string;
  text: string;
  delivery: string | null;
}

(() => {
  const csrf = document.body.dataset.csrf ?? '';
  const page = document.querySelector<HTMLElement>('[data-live]');
  if (!page) return;
  const kind = page.dataset.live;

  let lastMessageId = Number(page.dataset.lastMessage ?? '0');
  const handoffId = Number(page.dataset.handoff ?? '0');
  let refreshing = false;

  /** The queue and chat lists, as the server renders them now. */
  async function refreshQueue(): Promise<void> {
    const target = document.getElementById('queue-live');
    if (!target || refreshing) return;
    refreshing = true;
    try {
      const res = await fetch('/console/fragments/queue', { headers: { accept: 'text/html' }, credentials: 'same-origin' });
      if (res.status === 401) return location.assign('/console/login?expired=1');
      // Rendered and escaped by the server: safe to place as HTML.
      if (res.ok) target.innerHTML = await res.text();
    } finally {
      refreshing = false;
    }
  }

  /** New messages of the open chat, after the last one shown: nothing lost, nothing shown twice. */
  async function catchUp(): Promise<void> {
    if (!handoffId) return;
    const res = await fetch(`/console/api/handoffs/${handoffId}/messages?after=${lastMessageId}`, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
    if (res.status === 401) return location.assign('/console/login?expired=1');
    if (!res.ok) return;
    const body = (await res.json()) as { status: string; messages: ChatMessage[] };
    const list = document.getElementById('messages');
    for (const m of body.messages) {
      if (m.id <= lastMessageId) continue;
      const existing = list?.querySelector(`[data-id="${m.id}"]`);
      if (existing) existing.remove();
      const li = document.createElement('li');
      li.className = `line from-${m.sender}`;
      li.dataset.id = String(m.id);
      const who = document.createElement('span');
      who.className = 'who';
      who.textContent = m.who;
      const text = document.createElement('span');
      text.className = 'text';
      text.textContent = m.text;
      li.append(who, ' ', text);
      list?.append(li);
      lastMessageId = Math.max(lastMessageId, m.id);
    }
    if (body.messages.length) list?.lastElementChild?.scrollIntoView({ block: 'end' });
    if (body.status !== 'active') endChat();
  }

  function endChat(): void {
    document.getElementById('status-banner')?.removeAttribute('hidden');
    document.querySelectorAll<HTMLFormElement>('#compose, form.resolve, form.transfer, form.callback').forEach((f) => {
      f.querySelectorAll('button, textarea, input, select').forEach((el) => el.setAttribute('disabled', ''));
    });
  }

  function connect(attempt = 0): void {
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/console/live`);
    socket.addEventListener('open', () => {
      attempt = 0;
      // After a reconnect, whatever happened meanwhile.
      void (kind === 'chat' ? catchUp() : refreshQueue());
    });
    socket.addEventListener('message', (e) => {
      const event = JSON.parse(String(e.data)) as LiveEvent;
      if (event.type === 'queue.changed' && kind === 'queue') void refreshQueue();
      if (event.type === 'handoff.message' && event.handoffId === handoffId) void catchUp();
      if (event.type === 'handoff.updated' && event.handoffId === handoffId) void catchUp();
    });
    socket.addEventListener('close', (e) => {
      if (e.code === 4001) return location.assign('/console/login?expired=1');
      // Back off up to 5 s; the catch-up on reopening fills any gap.
      setTimeout(() => connect(attempt + 1), Math.min(5000, 250 * 2 ** attempt));
    });
  }

  /** A form posted by fetch (the CSRF token in a header), its answer shown in place. */
  async function post(form: HTMLFormElement): Promise<{ ok: boolean; body: Record<string, unknown> }> {
    const data = new URLSearchParams();
    new FormData(form).forEach((v, k) => data.append(k, String(v)));
    const res = await fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': csrf, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: data.toString(),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { ok: res.ok, body };
  }

  function showError(form: HTMLFormElement, message: string): void {
    let p = form.querySelector<HTMLElement>('.form-error');
    if (!p) {
      p = document.createElement('p');
      p.className = 'form-error';
      p.setAttribute('role', 'alert');
      form.append(p);
    }
    p.textContent = message;
  }

  const compose = document.getElementById('compose') as HTMLFormElement | null;
  const textarea = compose?.querySelector('textarea');
  compose?.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!textarea?.value.trim()) return;
    const { ok, body } = await post(compose);
    if (!ok) return showError(compose, String(body.error ?? ''));
    textarea.value = '';
    await catchUp();
  });
  // Enter sends; Shift+Enter is a new line.
  textarea?.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      compose?.requestSubmit();
    }
  });
  document.querySelectorAll<HTMLButtonElement>('.canned-reply').forEach((b) =>
    b.addEventListener('click', () => {
      if (!textarea) return;
      textarea.value = b.dataset.text ?? '';
      textarea.focus();
    }),
  );
  // Queue actions answer in place; a refused accept (someone else was faster) says so without leaving the page.
  document.addEventListener('submit', async (e) => {
    const form = e.target as HTMLFormElement;
    if (!form.matches('form.accept, form.assign')) return;
    e.preventDefault();
    const { ok, body } = await post(form);
    if (!ok) return showError(form, String(body.error ?? ''));
    if (typeof body.handoffId === 'number') location.assign(`/console/chats/${body.handoffId}`);
    else await refreshQueue();
  });
  // Waiting times tick on the page between updates.
  const started = Date.now();
  setInterval(() => {
    document.querySelectorAll<HTMLElement>('.waiting[data-since-ms]').forEach((td) => {
      const ms = Number(td.dataset.sinceMs) + (Date.now() - started);
      td.textContent = `${Math.floor(ms / 60_000)} min`;
    });
  }, 15_000);

  if (kind === 'chat' && page.dataset.open !== '1') endChat();
  connect();
})();
