import { createInterface } from 'node:readline';
import { hashPassword } from '../../data/passwords';
import { createRepositories } from '../../data/repositories';
import { toSupportedLocale } from '../../retention/locale';
import { STAFF_ROLES, type StaffRole } from '../../retention/types';
import { fail, withDatabase } from './shared';
import { systemClock } from '../../retention/clock';

const USAGE =
  'usage: npm run staff:add -- --username NAME --name "DISPLAY NAME" --role agent|supervisor|manager|admin [--locale zh-CN|en-US] [--team TEAM]\n' +
  '       the password is read from standard input (typed, or piped: echo "$PASSWORD" | npm run staff:add -- …); at least 12 characters';

/** Reads `--key value` pairs. */
function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)$/.exec(argv[i]);
    if (!m || argv[i + 1] === undefined) fail(USAGE, 2);
    out[m[1]] = argv[++i];
  }
  return out;
}

/** The password: the first line of standard input, not echoed when typed at a terminal. */
async function readPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stdout : undefined, terminal: process.stdin.isTTY });
  if (process.stdin.isTTY) {
    process.stdout.write('Password: ');
    // Typed characters are not shown.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  }
  const line = await new Promise<string>((resolve) => rl.once('line', resolve).once('close', () => resolve('')));
  rl.close();
  if (process.stdin.isTTY) process.stdout.write('\n');
  return line;
}

/** `npm run staff:add`: creates a staff account with a scrypt-hashed password; the creation is audited. */
async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const username = (a.username ?? '').trim();
  const displayName = (a.name ?? '').trim();
  const role = a.role as StaffRole;
  const locale = toSupportedLocale(a.locale ?? 'zh-CN');
  if (!/^[a-z0-9._-]{3,64}$/i.test(username) || !displayName || displayName.length > 100 || !STAFF_ROLES.includes(role) || !locale) fail(USAGE, 2);
  const password = await readPassword();
  if (password.length < 12) fail('the password must have at least 12 characters', 2);
  const passwordHash = await hashPassword(password);
  await withDatabase(async ({ config, knex }) => {
    const repos = createRepositories(knex, { now: systemClock, otpSecret: config.otpSecret });
    if (await repos.staff.findByUsername(username)) fail(`a staff member "${username}" already exists`, 1);
    const member = await repos.staff.create({ username, displayName, role, passwordHash, locale, team: a.team ?? null });
    await repos.audit.record({
      actorType: 'system',
      actorId: 'staff:add',
      action: 'staff.created',
      targetType: 'staff',
      targetId: member.id,
      detail: { role },
    });
    process.stdout.write(`created ${member.role} ${member.username} (id ${member.id})\n`);
  });
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err), 1));
