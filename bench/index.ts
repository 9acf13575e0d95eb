import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * `npm run bench`: many concurrent conversations over HTTP (deliveryMode expectReplies) through the whole pipeline on
 * SQLite, against a bare botbuilder echo bot with MemoryStorage measured in the same run. The two are measured in
 * alternating rounds (baseline, ours, baseline, ours, …) so that a noisy neighbour on a shared machine hurts both;
 * the figures are the medians of the rounds, and the verdict is a ratio, not an absolute number.
 *
 * Both servers run with the Node flags `npm start` uses (read from package.json), so neither is tuned alone.
 *
 * Settings (environment): BENCH_CONCURRENCY (32), BENCH_SECONDS per round (8), BENCH_WARMUP_SECONDS (2), BENCH_ROUNDS (3).
 */

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** What the simulated customers say, in turn: small talk, help, language switches, and messages not understood. */
const SCRIPT = ['你好', '你能做什么', '今天天气怎么样', 'English please', 'what can you do', 'hello there', 'tell me a joke', '说中文', '谢谢', '再见'];

interface RoundResult {
  turns: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  peakRssMb: number;
}

/** The `--flags` of `npm start`'s node command line. */
function startFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  return String(pkg.scripts.start)
    .split(/\s+/)
    .filter((a) => a.startsWith('--'));
}

function startServer(which: 'ours' | 'baseline'): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...startFlags(), path.join(__dirname, 'server.js'), which], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${which} server exited with ${code}`)));
  });
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

function post(agent: http.Agent, port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: '/api/messages',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function drive(port: number, seconds: number, record: boolean, round: number): Promise<Omit<RoundResult, 'peakRssMb'>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let turns = 0;
  let errors = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, c) => {
      const conversation = `bench-${round}-${record ? 'm' : 'w'}-${c}`;
      for (let i = 0; Date.now() < deadline; i++) {
        const body = JSON.stringify({
          type: 'message',
          text: SCRIPT[i % SCRIPT.length],
          channelId: 'bench',
          serviceUrl: 'http://127.0.0.1:1',
          deliveryMode: 'expectReplies',
          conversation: { id: conversation },
          from: { id: `user-${c}`, role: 'user' },
          recipient: { id: 'bot', role: 'bot' },
          id: `${conversation}-${i}`,
        });
        const t0 = process.hrtime.bigint();
        const status = await post(agent, port, body).catch(() => 0);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (status === 200) {
          turns++;
          if (record) latencies.push(ms);
        } else errors++;
      }
    }),
  );
  agent.destroy();
  return { turns, errors, seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesMs: latencies };
}

async function measure(which: 'ours' | 'baseline', round: number): Promise<RoundResult> {
  const { child, port } = await startServer(which);
  try {
    await drive(port, WARMUP, false, round);
    const result = await drive(port, SECONDS, true, round);
    return { ...result, peakRssMb: peakRssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Summary {
  turnsPerS: number;
  p50: number;
  p95: number;
  p99: number;
  peakRssMb: number;
  errors: number;
}

function summarise(rounds: RoundResult[]): Summary {
  const per = rounds.map((r) => {
    const sorted = [...r.latenciesMs].sort((a, b) => a - b);
    return { tps: r.turns / r.seconds, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
  });
  return {
    turnsPerS: median(per.map((p) => p.tps)),
    p50: median(per.map((p) => p.p50)),
    p95: median(per.map((p) => p.p95)),
    p99: median(per.map((p) => p.p99)),
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
  };
}

async function main(): Promise<void> {
  process.stdout.write(
    `Benchmark: ${CONCURRENCY} concurrent conversations, ${ROUNDS} rounds of ${SECONDS}s (after ${WARMUP}s warm-up) each, alternating; node ${process.version} ${startFlags().join(' ')}\n`,
  );
  const results: Record<'ours' | 'baseline', RoundResult[]> = { ours: [], baseline: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of ['baseline', 'ours'] as const) {
      const r = await measure(which, round);
      results[which].push(r);
      process.stdout.write(`  round ${round + 1} ${which.padEnd(8)} ${(r.turns / r.seconds).toFixed(0).padStart(6)} turns/s  errors ${r.errors}\n`);
    }
  }
  const ours = summarise(results.ours);
  const base = summarise(results.baseline);
  const row = (name: string, s: Summary) =>
    `${name.padEnd(34)} ${s.turnsPerS.toFixed(0).padStart(8)} ${s.p50.toFixed(2).padStart(8)} ${s.p95.toFixed(2).padStart(8)} ${s.p99.toFixed(2).padStart(8)} ${s.peakRssMb.toFixed(0).padStart(8)} ${String(s.errors).padStart(6)}`;
  process.stdout.write(
    `\n${'server'.padEnd(34)} ${'turns/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'RSS MB'.padStart(8)} ${'errors'.padStart(6)}\n`,
  );
  process.stdout.write(`${row('baseline: echo bot, MemoryStorage', base)}\n${row('ours: full pipeline, SQLite', ours)}\n`);
  const ratio = ours.turnsPerS / base.turnsPerS;
  process.stdout.write(
    `\nthroughput ours/baseline: ${ratio.toFixed(2)}× (target ≥ 0.50×)  ${ratio >= 0.5 ? 'met' : 'NOT met'}\n` +
      `p99 latency ours: ${ours.p99.toFixed(1)} ms, ${(ours.p99 / base.p99).toFixed(2)}× baseline (target < 50 ms)  ${ours.p99 < 50 ? 'met' : 'NOT met'}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
