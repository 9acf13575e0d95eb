import { SUPPORTED_LOCALES, type Locale } from '../../retention/locale';
import type { Intent, IntentRecognizer } from './types';

/** One labelled example: `{"text","locale","intent"}`. */
export interface LabelledUtterance {
  text: string;
  locale: Locale;
  intent: Intent;
}

/** How well a recognizer did on a set of examples, per locale. */
export interface EvaluationReport {
  locales: Array<{
    locale: Locale;
    total: number;
    correct: number;
    accuracy: number;
    /** Per intent: how many examples, how many recognised. */
    perIntent: Array<{ intent: Intent; total: number; correct: number }>;
    /** Out-of-scope examples (labelled `none`): how many, and how many were taken for some intent. */
    outOfScope: { total: number; accepted: number; rate: number };
    /** The most frequent mistakes, most frequent first. */
    confusions: Array<{ expected: Intent; got: Intent; count: number; examples: string[] }>;
  }>;
}

/** Parses a JSONL file's text; reports the line of the first bad one. */
export function parseLabelledJsonl(text: string): LabelledUtterance[] {
  const out: LabelledUtterance[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: Partial<LabelledUtterance>;
    try {
      row = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: not JSON`);
    }
    if (typeof row.text !== 'string' || typeof row.intent !== 'string' || !SUPPORTED_LOCALES.includes(row.locale as Locale)) {
      throw new Error(`line ${i + 1}: needs "text", "intent" and a "locale" of ${SUPPORTED_LOCALES.join(' or ')}`);
    }
    out.push(row as LabelledUtterance);
  });
  return out;
}

/** Runs every example through the recognizer and tallies the results. */
export async function evaluate(recognizer: IntentRecognizer, samples: LabelledUtterance[], topConfusions = 10): Promise<EvaluationReport> {
  const report: EvaluationReport = { locales: [] };
  for (const locale of SUPPORTED_LOCALES) {
    const mine = samples.filter((s) => s.locale === locale);
    if (mine.length === 0) continue;
    const perIntent = new Map<Intent, { total: number; correct: number }>();
    const confusions = new Map<string, { expected: Intent; got: Intent; count: number; examples: string[] }>();
    let correct = 0;
    for (const s of mine) {
      const got = (await recognizer.recognize(s.text, locale)).intent;
      const tally = perIntent.get(s.intent) ?? { total: 0, correct: 0 };
      tally.total++;
      if (got === s.intent) {
        tally.correct++;
        correct++;
      } else {
        const key = `${s.intent}>${got}`;
        const c = confusions.get(key) ?? { expected: s.intent, got, count: 0, examples: [] };
        c.count++;
        if (c.examples.length < 3) c.examples.push(s.text);
        confusions.set(key, c);
      }
      perIntent.set(s.intent, tally);
    }
    const none = perIntent.get('none');
    const outOfScope = {
      total: none?.total ?? 0,
      accepted: none ? none.total - none.correct : 0,
      rate: none && none.total > 0 ? (none.total - none.correct) / none.total : 0,
    };
    report.locales.push({
      locale,
      total: mine.length,
      correct,
      accuracy: correct / mine.length,
      outOfScope,
      perIntent: [...perIntent.entries()].map(([intent, t]) => ({ intent, ...t })).sort((a, b) => a.intent.localeCompare(b.intent)),
      confusions: [...confusions.values()].sort((a, b) => b.count - a.count).slice(0, topConfusions),
    });
  }
  return report;
}

/** The report as text for a terminal. */
export function formatReport(report: EvaluationReport): string {
  const lines: string[] = [];
  for (const l of report.locales) {
    lines.push(`${l.locale}: ${(l.accuracy * 100).toFixed(1)}% (${l.correct}/${l.total})`);
    if (l.outOfScope.total > 0) {
      lines.push(
        `  false accepts on none: ${(l.outOfScope.rate * 100).toFixed(1)}% (${l.outOfScope.accepted}/${l.outOfScope.total} out-of-scope messages taken for an intent)`,
      );
    }
    for (const i of l.perIntent)
      lines.push(`  ${i.intent.padEnd(18)} ${String(i.correct).padStart(4)}/${String(i.total).padEnd(4)} ${((i.correct / i.total) * 100).toFixed(0)}%`);
    if (l.confusions.length > 0) {
      lines.push('  most common confusions (expected → got):');
      for (const c of l.confusions) lines.push(`    ${c.expected} → ${c.got} ×${c.count}  e.g. ${c.examples.map((e) => JSON.stringify(e)).join(', ')}`);
    }
  }
  return lines.join('\n');
}
