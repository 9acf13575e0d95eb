import { loadOfferCatalog } from '../../data/offerCatalog';
import { fail, readArgumentFile, withDatabase } from './shared';
import { systemClock } from '../../retention/clock';

/**
 * `npm run offers:load -- FILE.json`: loads an offer catalog (a JSON array of entries). Entries that break a rule —
 * loyalty parity, a malformed eligibility rule, bad dates, missing texts, an unknown product — are refused with the
 * reason and never reach customers; the others are inserted or replaced by code. Exits 1 when any was refused.
 */
async function main(): Promise<void> {
  const { file, text } = readArgumentFile('npm run offers:load -- FILE.json   (a JSON array of catalog entries)');
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (err) {
    fail(`${file}: not JSON (${(err as Error).message})`, 1);
  }
  if (!Array.isArray(entries)) fail(`${file}: expected a JSON array of catalog entries`, 1);
  const report = await withDatabase(({ knex }) => loadOfferCatalog(knex, entries as unknown[], systemClock()));
  process.stdout.write(
    `${file}: ${report.loaded.length} offer(s) loaded${report.loaded.length ? ` (${report.loaded.join(', ')})` : ''}, ${report.refused.length} refused\n`,
  );
  for (const r of report.refused) process.stdout.write(`  entry ${r.index}${r.code ? ` (${r.code})` : ''}: ${r.problems.join('; ')}\n`);
  if (report.refused.length > 0) process.exitCode = 1;
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err), 1));
