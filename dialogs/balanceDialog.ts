import type { TurnContext } from 'botbuilder';
import {
  type Choice,
  ChoicePrompt,
  ComponentDialog,
  type DialogTurnResult,
  type FoundChoice,
  ListStyle,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { AuditRepository } from '../data/repositories/auditRepository';
import type { CustomerRepository } from '../data/repositories/customerRepository';
import type { IdentityRepository } from '../data/repositories/identityRepository';
import { isVerifiedHere } from '../retention/verification';
import { formatBalance } from '../prompts/format';
import type { Texts } from '../prompts/texts';
import { maskAccountNumber } from '../retention/pii';
import { ACCOUNT_KINDS, type Account, type AccountKind } from '../retention/types';
import { normaliseForMatch } from './keywords';
import type { FeatureDialogOptions } from './mainDialog';
import { PhraseMatcher } from './phrases';
import { Say } from './say';
import type { Clock } from './services';
import { extractEntities } from './recognizers/entities';
import { type VerificationDialog, type VerificationResult } from './verificationDialog';
import { turnConversationId, turnLocale } from './turn';
import { SUPPORTED_LOCALES } from '../retention/locale';

/** The balance dialog's id (stored in conversation state: never rename). */
export const BALANCE_DIALOG = 'balance';
const MAIN = 'balance.main';
const ACCOUNT_PROMPT = 'balance.accountPrompt';

/** Which accounts the customer's words point at. */
export interface AccountSelector {
  kinds: AccountKind[];
  last4?: string;
  all: boolean;
}

/** What the balance dialog needs. */
export interface BalanceDialogDeps {
  customers: CustomerRepository;
  identities: IdentityRepository;
  now: Clock;
  audit: AuditRepository;
  texts: Texts;
  verification: VerificationDialog;
}

/**
 * Balance enquiry (余额查询): verifies the customer first, then works out which account they mean from their words
 * (kind of account, last digits, "all"), asks when that is not clear, and shows the balances with masked numbers,
 * money in the locale's format and the time of each figure. Nothing about an account is said before verification.
 */
export class BalanceDialog extends ComponentDialog {
  private readonly kindWords: Array<{ kind: AccountKind; word: string }>;
  private readonly allWords: PhraseMatcher;
  private readonly say: Say;

  constructor(private readonly deps: BalanceDialogDeps) {
    super(BALANCE_DIALOG);
    this.say = new Say(deps.texts);
    this.kindWords = SUPPORTED_LOCALES.flatMap((l) =>
      Object.values(ACCOUNT_KINDS)
        .flat()
        .flatMap((kind) => deps.texts.list(l, `balance:kindWords.${kind}`).map((w) => ({ kind: kind as AccountKind, word: normaliseForMatch(w) }))),
    );
    this.allWords = new PhraseMatcher(deps.texts, 'balance:allWords', 200);
    this.addDialog(deps.verification);
    this.addDialog(new ChoicePrompt(ACCOUNT_PROMPT).configure({ style: ListStyle.none }));
    this.addDialog(new WaterfallDialog(MAIN, [this.verifyStep.bind(this), this.selectStep.bind(this), this.showStep.bind(this)]));
    this.initialDialogId = MAIN;
  }

  /** Reads which accounts a message points at. */
  selectorFor(text: string): AccountSelector {
    const n = normaliseForMatch(text);
    const found = this.kindWords.filter((k) => k.word && n.includes(k.word));
    // The longest reading wins: "定期存款" is a time deposit, not also savings for the "存款" inside it.
    const kinds = [...new Set(found.filter((k) => !found.some((o) => o.word.length > k.word.length && o.word.includes(k.word))).map((k) => k.kind))];
    // "尾号6688" anywhere, or a short answer that is four digits ("6688 的").
    const last4 = extractEntities(text).accountLast4 ?? (text.length <= 12 ? /^\D*(\d{4})\D*$/.exec(text)?.[1] : undefined);
    return { kinds, last4, all: this.allWords.matches(text) };
  }

  private async verifyStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = (step.options ?? {}) as Partial<FeatureDialogOptions>;
    values(step).text = options.text ?? '';
    return step.beginDialog(this.deps.verification.id, { purpose: 'balance' });
  }

  /** Picks the accounts meant, or asks which. */
  private async selectStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const verification = step.result as VerificationResult | undefined;
    if (!verification?.verified || verification.customerId === undefined) return step.endDialog();
    values(step).customerId = verification.customerId;
    const context = step.context;
    const accounts = await this.deps.customers.listAccounts(verification.customerId);
    if (accounts.length === 0) {
      await this.say.text(context, this.t(context, 'balance:noAccounts'), [this.t(context, 'balance:suggestions.human')]);
      return step.endDialog();
    }
    const selector = this.selectorFor(String(values(step).text ?? ''));
    if (selector.all) return step.next({ accounts });
    let matches = accounts;
    if (selector.last4) matches = matches.filter((a) => a.number.endsWith(selector.last4!));
    if (selector.kinds.length > 0) matches = matches.filter((a) => selector.kinds.includes(a.kind));
    if (matches.length === 1 || (matches.length > 1 && sameAccountNumber(matches))) return step.next({ accounts: matches });
    if (matches.length === 0) {
      if (selector.last4) await context.sendActivity(this.t(context, 'balance:notFound', { last4: selector.last4 }));
      else if (selector.kinds.length > 0)
        await context.sendActivity(this.t(context, 'balance:noneOfKind', { kind: this.t(context, `balance:kinds.${selector.kinds[0]}`) }));
      matches = accounts;
    }
    if (matches.length === 1) return step.next({ accounts: matches });
    values(step).choices = matches.map((a) => a.id);
    return this.askWhich(step, matches);
  }

  /** Shows the chosen accounts and offers the next steps. */
  private async showStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    // The choice may come long after the verification (a question left open on a shared computer): still fresh?
    const identity = await this.deps.identities.find(context.activity.channelId, context.activity.from.id);
    if (identity?.customerId !== values(step).customerId || !isVerifiedHere(identity, context.activity.conversation?.id, this.deps.now())) {
      return step.replaceDialog(this.id, { text: '' });
    }
    let accounts: Account[];
    if (isFound(step.result)) {
      const all = await this.deps.customers.listAccounts(values(step).customerId as number);
      const ids = values(step).choices as number[];
      accounts = step.result.index < ids.length ? all.filter((a) => a.id === ids[step.result.index]) : all.filter((a) => ids.includes(a.id));
    } else {
      accounts = (step.result as { accounts: Account[] }).accounts;
    }
    const locale = turnLocale(context);
    const lines = accounts.map((a) => ({
      label: this.t(context, `balance:kinds.${a.kind}`),
      masked: maskAccountNumber(a.number),
      value: formatBalance(a.balance, a.unit, locale, this.t(context, 'balance:pointsUnit')),
      asOf: a.asOf,
    }));
    await this.say.text(context, this.deps.texts.render(locale, 'balance.result', { lines }), [
      this.t(context, 'balance:suggestions.another'),
      this.t(context, 'balance:suggestions.human'),
    ]);
    await this.deps.audit.record({
      actorType: 'customer',
      actorId: values(step).customerId as number,
      action: 'balance.viewed',
      targetType: 'conversation',
      targetId: turnConversationId(context) ?? null,
      detail: { accounts: accounts.map((a) => a.id) },
    });
    return step.endDialog();
  }

  /** Buttons where the channel has them, numbered text elsewhere (WeChat), in the conversation's language. */
  private async askWhich(step: WaterfallStepContext, accounts: Account[]): Promise<DialogTurnResult> {
    const context = step.context;
    const choices: Choice[] = [
      ...accounts.map((a) => ({
        value: `${this.t(context, `balance:kinds.${a.kind}`)} ${maskAccountNumber(a.number)}`,
        synonyms: [a.number.slice(-4), ...SUPPORTED_LOCALES.map((l) => `${this.deps.texts.t(l, `balance:kinds.${a.kind}`)}`)],
      })),
      { value: this.t(context, 'balance:all'), synonyms: SUPPORTED_LOCALES.flatMap((l) => this.deps.texts.list(l, 'balance:allWords')) },
    ];
    const render = (key: string) => this.say.choices(context, choices, this.t(context, key));
    return step.prompt(ACCOUNT_PROMPT, { prompt: render('balance:askWhich'), retryPrompt: render('balance:askWhichRetry'), choices });
  }

  private t(context: TurnContext, key: string, args?: Record<string, unknown>): string {
    return this.say.t(context, key, args);
  }
}

/** Telecom balances of one line share its number (credit, data, points): "尾号0011" means all of them. */
function sameAccountNumber(accounts: Account[]): boolean {
  return accounts.every((a) => a.number === accounts[0].number);
}

/** What the waterfall keeps between its steps. */
interface BalanceValues {
  text?: string;
  customerId?: number;
  /** The account ids offered, in the order shown. */
  choices?: number[];
}

function values(step: WaterfallStepContext): BalanceValues {
  return step.values as BalanceValues;
}

function isFound(value: unknown): value is FoundChoice {
  return !!value && typeof value === 'object' && typeof (value as FoundChoice).index === 'number' && 'value' in (value as object);
}
