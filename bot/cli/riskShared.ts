import fs from 'node:fs';
import path from 'node:path';
import type { Repositories } from '../../data/repositories';
import { formatSnapshotProblems, parseSnapshotCsv, type SnapshotFile } from '../../data/snapshotImport';
import { type ChurnModel } from '../../retention/churnModel';
import { featureRange } from '../../retention/scorecard';
import { INDUSTRIES, type Industry } from '../../retention/types';
import { type ChurnModelSettings, ChurnModelService } from '../../services/churnModels';
import type { Config } from '../config';

/** Where a CLI writes: stdout for its output, stderr for problems and notes. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** The process's streams. */
export const processIo: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** A refusal with the exit code to leave with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Parsed `--name value` options and `--flag`s; anything else is refused with the usage line. */
export function parseOptions(
  argv: readonly string[],
  spec: { values: readonly string[]; flags: readonly string[]; positional?: number },
  usage: string,
): { values: Map<string, string>; flags: Set<string>; positional: string[] } {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const name = a.slice(2);
      if (spec.flags.includes(name)) flags.add(name);
      else if (spec.values.includes(name)) {
        const v = argv[++i];
        if (v === undefined || v.startsWith('--')) throw new CliError(`--${name} needs a value\nusage: ${usage}`, 2);
        values.set(name, v);
      } else throw new CliError(`unknown option ${a}\nusage: ${usage}`, 2);
    } else positional.push(a);
  }
  if (positional.length > (spec.positional ?? 0)) throw new CliError(`unexpected argument ${positional[spec.positional ?? 0]}\nusage: ${usage}`, 2);
  return { values, flags, positional };
}

/** The industry option, checked. */
export function industryOption(value: string | undefined, usage: string): Industry {
  if (!value) throw new CliError(`--industry is required (${INDUSTRIES.join(' | ')})\nusage: ${usage}`, 2);
  if (!(INDUSTRIES as readonly string[]).includes(value))
    throw new CliError(`--industry must be one of ${INDUSTRIES.join(', ')} (got ${value})\nusage: ${usage}`, 2);
  return value as Industry;
}

/** A path named on the command line, relative to where `npm run` was called from. */
export function resolvePath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

/** Reads and checks a snapshot file; a bad file is refused with every problem (line, column, why). */
export function readSnapshotFile(file: string): SnapshotFile {
  const full = resolvePath(file);
  if (!fs.existsSync(full)) throw new CliError(`no such file: ${full}`, 2);
  const parsed = parseSnapshotCsv(fs.readFileSync(full));
  if (!parsed.ok)
    throw new CliError(
      [`${full}: nothing imported, the file has problems:`, ...formatSnapshotProblems(parsed.problems, parsed.more).map((l) => `  ${l}`)].join('\n'),
      1,
    );
  return parsed.file;
}

/** The churn model settings of the configuration (the excluded columns replaced when a run names its own). */
export function churnSettings(config: Config, excluded?: readonly string[]): ChurnModelSettings {
  return { ...config.riskModel, excludedColumns: excluded ?? config.riskModel.excludedColumns, timeZone: config.service.timeZone };
}

/** The churn model service over the repositories, with the configured settings. */
export function churnModelService(repos: Repositories, config: Config, now: () => number, excluded?: readonly string[]): ChurnModelService {
  return new ChurnModelService({
    snapshots: repos.snapshots,
    churnModels: repos.churnModels,
    serviceEvents: repos.serviceEvents,
    now,
    settings: churnSettings(config, excluded),
  });
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The figures of a trained model, as lines for a terminal. */
export function describeModel(model: ChurnModel): string[] {
  const t = model.training;
  const v = model.validation;
  const held = v.method === 'time' ? `the snapshots from ${v.from} on (held out by time)` : 'a stratified random 20% (one snapshot date)';
  const strongest = model.scorecard.features
    .map((f) => ({ name: f.name, range: featureRange(model.scorecard, f) }))
    .sort((a, b) => b.range - a.range)
    .slice(0, 6)
    .map((f) => `${f.name} ${Math.round(f.range)}`);
  return [
    `${model.industry} churn model: ${t.rows} labelled snapshots (${t.churners} churned within ${t.horizonDays} days; ${t.churnedCustomers} customers who left), ${t.firstSnapshot} to ${t.lastSnapshot}`,
    `  trained on ${t.trainingRows} (${t.trainingChurners} churners), validated on ${v.rows} (${v.churners} churners): ${held}`,
    `  AUC ${v.auc === null ? '—' : v.auc.toFixed(3)}`,
    `  high band   score ≥ ${model.bands.high}: catches ${pct(v.high.recall)} of churners (target ${pct(model.bands.targetRecall)}), precision ${pct(v.high.precision)}, flags ${pct(v.high.flagged)} of customers`,
    `  medium band score ≥ ${model.bands.medium}: with high, catches ${pct(v.medium.recall)}, flags ${pct(v.medium.flagged)}`,
    `  strongest features (points from safest to riskiest bin): ${strongest.join(', ')}`,
    ...(t.pairs.length ? [`  learned together: ${t.pairs.join(', ')}`] : []),
    ...(t.excluded.length ? [`  not used: ${t.excluded.map((e) => `${e.name} (${e.reason})`).join(', ')}`] : []),
    ...(t.skipped.leftBefore + t.skipped.tooRecent + t.skipped.unknown > 0
      ? [
          `  left out: ${t.skipped.tooRecent} too recent to know the outcome, ${t.skipped.leftBefore} after the customer had left, ${t.skipped.unknown} without an outcome`,
        ]
      : []),
  ];
}

/** Runs a CLI's main function with the process's streams and exit codes. */
export function runCli(main: (argv: string[], io: CliIo) => Promise<number>): void {
  main(process.argv.slice(2), processIo)
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err) => {
      if (err instanceof CliError) {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = err.exitCode;
        return;
      }
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
