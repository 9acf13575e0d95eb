import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServiceProcess } from '../helpers/process';

// The service as its own process, as `npm start | grep …` runs it. SQLite only: the process makes its own database.
jest.setTimeout(120_000);
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-process-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the service process', () => {
  it('still stops on SIGTERM after the reader of its output has gone away (EPIPE)', async () => {
    const service = await startServiceProcess({ SQLITE_FILE: path.join(dir, 'epipe.sqlite3'), LOG_LEVEL: 'info' });
    try {
      // The reader goes: every later log line meets a closed pipe.
      service.child.stdout!.destroy();
      service.child.stderr!.destroy();
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${service.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'message',
            text: '你好',
            channelId: 'test',
            deliveryMode: 'expectReplies',
            conversation: { id: `epipe-${i}` },
            from: { id: 'u' },
          }),
        });
        expect(res.status).toBe(200);
      }
      service.child.kill('SIGTERM');
      const code = await Promise.race([service.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
      expect(code).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
    }
  });
});
