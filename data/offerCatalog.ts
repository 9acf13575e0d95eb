import type { Knex } from 'knex';
import { SUPPORTED_LOCALES, type Locale } from '../retention/locale';
import { validateOfferCatalogEntry } from '../retention/offers';
import { type CatalogInput, createOfferRepository } from './repositories/offerRepository';

/** Why an entry of a catalog was not loaded. */
export interface RefusedEntry {
  /** Position in the file, from 1. */
  index: number;
  code: string | null;
  problems: string[];
}

/** What loading a catalog did. */
export interface CatalogLoadReport {
  loaded: string[];
  refused: RefusedEntry[];
}

/**
 * Reads one catalog entry as written in a file (dates as `YYYY-MM-DD` in China time or epoch milliseconds, texts for
 * every locale) into what the database stores, with every problem found: the rule's and the types' (from the
 * retention rules), loyalty parity (an existing customer never pays more than the public new-customer price), and
 * missing texts.
 */
export function parseCatalogEntry(raw: unknown): { entry?: CatalogInput; problems: string[] } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { problems: ['an entry must be a JSON object'] };
  const r = raw as Record<string, unknown>;
  const problems: string[] = [];
  const time = (field: string): number | undefined => {
    const v = r[field];
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
      const ms = Date.parse(`${v}T00:00:00+08:00`);
      if (!Number.isNaN(ms)) return ms;
    }
    problems.push(`${field}: must be a date (YYYY-MM-DD) or epoch milliseconds`);
    return undefined;
  };
  const texts = (field: string): Record<Locale, string> | undefined => {
    const v = r[field] as Record<string, unknown> | undefined;
    const missing = SUPPORTED_LOCALES.filter((l) => typeof v?.[l] !== 'string' || !(v[l] as string).trim());
    if (missing.length > 0) {
      problems.push(`${field}: needs a text for ${missing.join(' and ')}`);
      return undefined;
    }
    return Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, (v![l] as string).trim()])) as Record<Locale, string>;
  };
  const candidate = {
    code: r.code,
    industry: r.industry,
    productCode: r.productCode ?? null,
    kind: r.kind,
    priceMinor: r.priceMinor ?? null,
    newCustomerPriceMinor: r.newCustomerPriceMinor ?? null,
    validFrom: time('validFrom'),
    validTo: time('validTo'),
    stock: r.stock ?? null,
    eligibility: r.eligibility ?? {},
    active: r.active ?? true,
  };
  const title = texts('title');
  const description = texts('description');
  if (candidate.validFrom !== undefined && candidate.validTo !== undefined) {
    problems.push(...validateOfferCatalogEntry(candidate).map((p) => `${p.field || 'entry'}: ${p.message}`));
  }
  if (problems.length > 0 || !title || !description) return { problems };
  return { entry: { ...(candidate as unknown as Omit<CatalogInput, 'title' | 'description'>), title, description }, problems };
}

/**
 * Loads catalog entries: each valid entry is inserted or replaced by code; an entry with any problem — a broken rule,
 * a parity breach, a product the catalog does not know — is refused and reported, and never reaches customers.
 */
export async function loadOfferCatalog(knex: Knex | Knex.Transaction, entries: unknown[], at: number): Promise<CatalogLoadReport> {
  const repo = createOfferRepository(knex as Knex);
  const products = new Set((await knex('products').select('code')).map((p) => p.code as string));
  const report: CatalogLoadReport = { loaded: [], refused: [] };
  const seen = new Set<string>();
  for (const [i, raw] of entries.entries()) {
    const { entry, problems } = parseCatalogEntry(raw);
    const code = typeof (raw as { code?: unknown })?.code === 'string' ? (raw as { code: string }).code : null;
    if (entry?.productCode && !products.has(entry.productCode)) problems.push(`productCode: no product "${entry.productCode}" in the catalog`);
    if (code && seen.has(code)) problems.push(`code: "${code}" appears twice in the file`);
    if (code) seen.add(code);
    if (!entry || problems.length > 0) {
      report.refused.push({ index: i + 1, code, problems });
      continue;
    }
    await repo.upsert(entry, at);
    report.loaded.push(entry.code);
  }
  return report;
}
