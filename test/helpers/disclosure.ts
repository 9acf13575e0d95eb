import { DEMO_CUSTOMERS } from '../../data/seeds/demo';
import { formatBalance } from '../../prompts/format';
import { SUPPORTED_LOCALES } from '../../retention/locale';

/**
 * What must never reach a customer who has not verified: the demo accounts' full numbers and their balances in every
 * way the bot formats them. The chat client checks every reply against it until the conversation is verified.
 */
const SECRETS: ReadonlyArray<{ what: string; value: string }> = DEMO_CUSTOMERS.flatMap((c) =>
  c.accounts.flatMap((a) => [
    { what: `${c.customerNo} account number`, value: a.number },
    ...SUPPORTED_LOCALES.flatMap((l) =>
      ['积分', 'points'].map((word) => ({ what: `${c.customerNo} ${a.kind} balance`, value: formatBalance(a.balance, a.unit, l, word) })),
    ),
  ]),
);

/** The account data a text gives away, if any (empty when it gives none). */
export function disclosedAccountData(text: string): string[] {
  return [...new Set(SECRETS.filter((s) => text.includes(s.value)).map((s) => `${s.what} (${s.value})`))];
}
