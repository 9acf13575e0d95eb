import fs from 'node:fs';
import path from 'node:path';
import { evaluate, formatReport, parseLabelledJsonl } from '../../dialogs/recognizers/evaluation';
import { CluRecognizer } from '../../dialogs/recognizers/cluRecognizer';
import { FallbackRecognizer } from '../../dialogs/recognizers/fallbackRecognizer';
import { loadConfig } from '../config';
import { localRecognizer } from '../index';

/**
 * `npm run nlu:eval -- FILE.jsonl`: accuracy of the recognizer the service would use (the local one, or CLU with the
 * local fallback when CLU_* is set) on labelled examples, per locale, with the most common confusions.
 */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npm run nlu:eval -- FILE.jsonl   (lines: {"text","locale","intent"})\n');
    process.exit(2);
  }
  const samples = parseLabelledJsonl(fs.readFileSync(path.resolve(process.env.INIT_CWD ?? process.cwd(), file), 'utf8'));
  const config = loadConfig();
  const trainingStarted = process.hrtime.bigint();
  const local = await localRecognizer(config.nlu.threshold);
  const trainingMs = Number(process.hrtime.bigint() - trainingStarted) / 1e6;
  const recognizer = config.nlu.clu ? new FallbackRecognizer(new CluRecognizer(config.nlu.clu), local, config.nlu.clu.timeoutMs) : local;
  const started = process.hrtime.bigint();
  const report = await evaluate(recognizer, samples);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    `${formatReport(report)}\n\n${samples.length} utterances in ${ms.toFixed(0)} ms (${((ms * 1000) / samples.length).toFixed(0)} µs each), recognizer: ${config.nlu.clu ? 'CLU with local fallback' : 'local'}, local model trained in ${trainingMs.toFixed(0)} ms\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
