import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pino from 'pino';
import { createApp } from '../bot';
import { loadConfig } from '../bot/config';
import { type DatabaseOptions, dialect, migrateLatest, openDatabase } from '../data/db';
import { createReviewRepository, type ReviewFilters } from '../data/repositories/reviewRepository';
import { DEMO_STAFF_PASSWORD, seedDemo } from '../data/seeds/demo';
import { seedHistory } from '../data/seeds/history';

/**
 * `npm run bench:review`: the manager's dashboard on a year of data at the volume (100,000 conversations,
 * about 1,000,000 transcript lines, with their customers, complaints, handoffs, surveys and offers), on a fresh SQLite
 * file and, when DATABASE_URL is set, on a fresh PostgreSQL schema too. It times each aggregate query of the dashboard,
 * the whole dashboard through the repository, and the page as a manager's browser gets it (sign-in, then GET
 * /console/review), for the last 30 days and the last 12 months, over several runs (median and max), beside a baseline
 * measured in the same run: `select count(*)` over the transcript table, and one indexed lookup.
 *
 * Settings (environment): BENCH_SCALE (10: the volume), BENCH_RUNS (7), BENCH_EXPLAIN=1 prints the query plans.
 */

const SCALE = Number(process.env.BENCH_SCALE ?? 10);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 7));
const EXPLAIN = process.env.BENCH_EXPLAIN === '1';
const DAY = 86_400_000;

interface Timing {
  median: number;
  max: number;
}

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Runs `work` once to warm up, then RUNS times, and gives the median and max in ms. */
async function time(work: () => Promise<unknown>): Promise<Timing> {
  await work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], max: samples[samples.length - 1] };
}

const fmt = (t: Timing) => `${t.median.toFixed(1).padStart(8)} ${t.max.toFixed(1).padStart(8)}`;

/** Seeds, measures and reports one engine. */
async function benchEngine(label: string, options: DatabaseOptions, cleanup: () => Promise<void>): Promise<void> {
  const knex = openDatabase(options);
  try {
    await migrateLatest(knex);
    const now = Date.now();
    const started = Date.now();
    await seedDemo(knex, now);
    const report = await seedHistory(knex, {
      scale: SCALE,
      seed: 2026,
      now,
      progress: (done, total) => process.stderr.write(`\r${label}: seeding ${done} / ${total} conversations`),
    });
    process.stderr.write('\n');
    const seedS = (Date.now() - started) / 1000;
    // PostgreSQL's autovacuum analyzes a table after a bulk load like this one; doing it now measures what a running
    // server sees. SQLite gathers no statistics by itself, so it is measured without them, as a service would run.
    if (dialect(knex) === 'pg') await knex.raw('analyze');
    out(`\n## ${label}`);
    out(
      `seeded in ${seedS.toFixed(0)} s: ${report.customers} customers, ${report.conversations} conversations, ${report.transcriptLines} transcript lines, ` +
        `${report.complaints} complaints, ${report.handoffs} handoffs, ${report.surveys} surveys, ${report.offerPresentations} offers shown, ${report.usageMonths} usage months`,
    );

    const review = createReviewRepository(knex);
    const month: ReviewFilters = { from: now - 30 * DAY, to: now };
    const year: ReviewFilters = { from: now - 365 * DAY, to: now };
    const oneConversation = Number((await knex('conversations').orderBy('id', 'desc').first('id')).id);

    const baseline = await time(() => knex('transcript_activities').count({ n: '*' }));
    const lookup = await time(() => knex('transcript_activities').where('conversation_id', oneConversation).orderBy('id').limit(200));
    out(`baseline: select count(*) from transcript_activities   median ${baseline.median.toFixed(1)} ms, max ${baseline.max.toFixed(1)} ms`);
    out(`baseline: one conversation's transcript (indexed)      median ${lookup.median.toFixed(2)} ms, max ${lookup.max.toFixed(2)} ms`);
    out('');
    out(`${'query (ms, ' + RUNS + ' runs)'.padEnd(34)}${'30 days: median      max'.padStart(26)}${'12 months: median      max'.padStart(28)}`);

    const queries: Array<[string, (f: ReviewFilters) => Promise<unknown>]> = [
      ['surveys (CSAT, NPS, response)', (f) => review.surveyFigures(f)],
      ['complaints and breaches', (f) => review.complaintFigures(f, now)],
      ['handoffs, waits, agents', (f) => review.handoffFigures(f)],
      ['offers and take-up', (f) => review.offerFigures(f)],
      ['churn-risk bands, top at risk', (f) => review.riskFigures(f)],
      ['retention of the baseline group', (f) => review.retentionFigures(f)],
      ['QA reviews', (f) => review.qaFigures(f)],
      ['trend (day / week buckets)', (f) => review.trend(f)],
      [
        'list: low CSAT, page 1 + count',
        (f) =>
          Promise.all([
            review.list('surveys', { ...f, kind: 'csat', score: { min: 1, max: 2 } }, { offset: 0, limit: 100 }, now),
            review.count('surveys', { ...f, kind: 'csat', score: { min: 1, max: 2 } }, now),
          ]),
      ],
      [
        'list: breached complaints + count',
        (f) =>
          Promise.all([
            review.list('complaints', { ...f, breached: true }, { offset: 0, limit: 100 }, now),
            review.count('complaints', { ...f, breached: true }, now),
          ]),
      ],
    ];
    for (const [name, q] of queries) out(`${name.padEnd(34)}${fmt(await time(() => q(month))).padStart(26)}${fmt(await time(() => q(year))).padStart(28)}`);
    const dashMonth = await time(() => review.dashboard(month, now));
    const dashYear = await time(() => review.dashboard(year, now));
    out(`${'dashboard, all figures'.padEnd(34)}${fmt(dashMonth).padStart(26)}${fmt(dashYear).padStart(28)}`);
    const [longMonth, longYear] = [
      await longestStatement(knex, () => review.dashboard(month, now)),
      await longestStatement(knex, () => review.dashboard(year, now)),
    ];
    out(`${'longest single statement'.padEnd(34)}${longMonth.toFixed(1).padStart(17)}${longYear.toFixed(1).padStart(28)}`);
    if (EXPLAIN) await explain(knex, review, year, now);

    // The page as the browser gets it: the whole service on the same database, a manager signed in.
    const app = await createApp(
      loadConfig({ NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'silent', DEADLINE_CHECK_INTERVAL_S: '0' }),
      {
        knex,
        logger: pino({ level: 'silent' }),
      },
    );
    try {
      const address = await app.listen();
      const base = `http://127.0.0.1:${address.port}`;
      const login = await fetch(`${base}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'manager.zhao', password: DEMO_STAFF_PASSWORD }).toString(),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
      const get = async (query: string) => {
        const res = await fetch(`${base}/console/review?${query}`, { headers: { cookie } });
        const body = await res.text();
        if (res.status !== 200 || !body.includes('chart-csat')) throw new Error(`dashboard page answered ${res.status}`);
      };
      const pageMonth = await time(() => get('period=30d'));
      const pageYear = await time(() => get('period=365d'));
      out(`${'page GET /console/review'.padEnd(34)}${fmt(pageMonth).padStart(26)}${fmt(pageYear).padStart(28)}`);
      out('');
      out(
        `dashboard ÷ baseline count(*): ${(dashMonth.median / baseline.median).toFixed(2)}× (30 days), ${(dashYear.median / baseline.median).toFixed(2)}× (12 months)`,
      );
      out(
        `target: the dashboard within 1,000 ms. Page, 12 months: median ${pageYear.median.toFixed(0)} ms, max ${pageYear.max.toFixed(0)} ms: ${pageYear.max < 1000 ? 'met' : 'NOT met'}`,
      );
    } finally {
      await app.close();
    }
  } finally {
    await knex.destroy().catch(() => undefined);
    await cleanup();
  }
}

/**
 * The longest single statement of a piece of work, in ms, over RUNS runs: on SQLite, how long the event loop is held
 * at once (chat turns wait that long at most between two of the dashboard's statements).
 */
async function longestStatement(knex: Knex, work: () => Promise<unknown>): Promise<number> {
  const started = new Map<string, bigint>();
  let longest = 0;
  const onQuery = (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, process.hrtime.bigint());
  const onResponse = (_r: unknown, q: { __knexQueryUid: string }) => {
    const t = started.get(q.__knexQueryUid);
    if (t !== undefined) longest = Math.max(longest, Number(process.hrtime.bigint() - t) / 1e6);
  };
  knex.on('query', onQuery).on('query-response', onResponse);
  try {
    for (let i = 0; i < RUNS; i++) await work();
  } finally {
    knex.off('query', onQuery).off('query-response', onResponse);
  }
  return longest;
}

/** Prints the plan of every statement the dashboard runs (the statements are caught as Knex sends them). */
async function explain(knex: Knex, review: ReturnType<typeof createReviewRepository>, f: ReviewFilters, now: number): Promise<void> {
  const statements: Array<{ sql: string; bindings: readonly unknown[] }> = [];
  const listener = (q: { sql: string; bindings?: readonly unknown[] }) => statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
  knex.on('query', listener);
  await review.dashboard(f, now);
  knex.off('query', listener);
  out('\n### query plans (12 months)');
  for (const s of statements) {
    const prefix = dialect(knex) === 'sqlite' ? 'explain query plan ' : 'explain ';
    const result = await knex.raw(prefix + s.sql, s.bindings as never);
    const rows: Array<Record<string, unknown>> = dialect(knex) === 'sqlite' ? result : result.rows;
    out(`\n${s.sql.slice(0, 160)}…`);
    for (const r of rows) out(`  ${String(r.detail ?? r['QUERY PLAN'])}`);
  }
}

async function main(): Promise<void> {
  out(
    `# Manager review bench: scale ${SCALE} (${(SCALE * 10_000).toLocaleString('en')} conversations), ${RUNS} runs per figure, ${os.cpus().length} CPU(s), Node ${process.version}`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-review-'));
  await benchEngine('SQLite', { client: 'sqlite', filename: path.join(dir, 'review.sqlite3') }, async () => fs.rmSync(dir, { recursive: true, force: true }));

  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `bench_review_${process.pid}`;
    const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    await admin.raw('create schema ??', [schema]);
    await benchEngine('PostgreSQL', { client: 'pg', url, schema, poolMax: 5 }, async () => {
      await admin.raw('drop schema if exists ?? cascade', [schema]);
      await admin.destroy();
    });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
