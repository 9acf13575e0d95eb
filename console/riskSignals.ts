import type { Texts } from '../prompts/texts';
import { parseModelSignalCode } from '../retention/churnModel';
import { CHURN_SIGNAL_CODES } from '../retention/churnRisk';
import type { Locale } from '../retention/locale';
import { MISSING_KEY, OTHER_KEY, PAIR_JOIN, PAIR_MARK } from '../retention/scorecard';

/**
 * A churn signal as staff read it. A rule's signal has its words in the locales; a model's signal is the operator's
 * column and value as they wrote them ("Contract Month-to-month"), or, for what the service itself counts, our words
 * ("Complaints in 90 days ≥2"). Pairs read "A x & B y". Codes of a newer or older version are shown as they are.
 */
export function signalLabel(texts: Texts, locale: Locale, code: string): string {
  if ((CHURN_SIGNAL_CODES as readonly string[]).includes(code)) return texts.t(locale, `review:labels.signals.${code}`);
  const parsed = parseModelSignalCode(code);
  if (!parsed) return code;
  const names = parsed.feature.split(PAIR_MARK);
  const values = names.length > 1 ? parsed.value.split(PAIR_JOIN) : [parsed.value];
  if (values.length !== names.length) return code;
  return names.map((name, i) => `${featureLabel(texts, locale, name)} ${valueLabel(texts, locale, values[i])}`).join(' & ');
}

/** The label with the points the signal adds: "Contract Month-to-month +18". */
export function signalText(texts: Texts, locale: Locale, signal: { code?: unknown; weight?: unknown }): string {
  const code = typeof signal?.code === 'string' ? signal.code : '';
  const label = signalLabel(texts, locale, code);
  return typeof signal.weight === 'number' ? texts.t(locale, 'review:labels.signalPoints', { label, points: signal.weight }) : label;
}

/** A feature's name as staff read it: the operator's column as written, ours in words, a pair as "A × B". */
export function featureNameLabel(texts: Texts, locale: Locale, name: string): string {
  return name
    .split(PAIR_MARK)
    .map((n) => featureLabel(texts, locale, n))
    .join(` ${PAIR_MARK} `);
}

function featureLabel(texts: Texts, locale: Locale, name: string): string {
  if (!name.startsWith('svc.')) return name;
  try {
    return texts.t(locale, `review:labels.modelFeatures.${name.slice(4)}`);
  } catch {
    return name;
  }
}

function valueLabel(texts: Texts, locale: Locale, value: string): string {
  if (value === MISSING_KEY) return texts.t(locale, 'review:labels.modelValues.missing');
  if (value === OTHER_KEY) return texts.t(locale, 'review:labels.modelValues.other');
  return value;
}
