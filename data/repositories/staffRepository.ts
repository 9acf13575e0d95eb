import type { Knex } from 'knex';
import type { Locale } from '../../retention/locale';
import type { StaffRole } from '../../retention/types';
import { toBool } from '../rows';
import { systemClock } from '../../retention/clock';

/** A member of staff (never carries the password hash outside this module's `findCredentials`). */
export interface StaffMember {
  id: number;
  username: string;
  displayName: string;
  role: StaffRole;
  locale: Locale;
  team: string | null;
  active: boolean;
}

/** New staff, with the password already hashed. */
export interface NewStaff {
  username: string;
  displayName: string;
  role: StaffRole;
  passwordHash: string;
  locale?: Locale;
  team?: string | null;
}

/** Reads and creates staff accounts. */
export interface StaffRepository {
  findById(id: number): Promise<StaffMember | undefined>;
  findByUsername(username: string): Promise<StaffMember | undefined>;
  /** The member and their password hash, for login only. */
  findCredentials(username: string): Promise<{ member: StaffMember; passwordHash: string } | undefined>;
  create(staff: NewStaff): Promise<StaffMember>;
  list(): Promise<StaffMember[]>;
  /** The language the staff member works in. */
  setLocale(id: number, locale: Locale): Promise<void>;
  /** Replaces the password hash (the caller ends the member's sessions). */
  setPasswordHash(id: number, passwordHash: string): Promise<void>;
}

/** Creates the staff repository. */
export function createStaffRepository(knex: Knex, now: () => number = systemClock): StaffRepository {
  const repo: StaffRepository = {
    async findById(id) {
      const row = await knex('staff').where({ id }).first();
      return row ? toStaff(row) : undefined;
    },
    async findByUsername(username) {
      const row = await knex('staff').where({ username }).first();
      return row ? toStaff(row) : undefined;
    },
    async findCredentials(username) {
      const row = await knex('staff').where({ username }).first();
      return row ? { member: toStaff(row), passwordHash: row.password_hash } : undefined;
    },
    async create(staff) {
      const t = now();
      await knex('staff').insert({
        username: staff.username,
        display_name: staff.displayName,
        role: staff.role,
        password_hash: staff.passwordHash,
        locale: staff.locale ?? 'zh-CN',
        team: staff.team ?? null,
        active: true,
        created_at: t,
        updated_at: t,
      });
      return (await repo.findByUsername(staff.username)) as StaffMember;
    },
    async list() {
      const rows = await knex('staff').orderBy('id');
      return rows.map(toStaff);
    },
    async setLocale(id, locale) {
      await knex('staff').where({ id }).update({ locale, updated_at: now() });
    },
    async setPasswordHash(id, passwordHash) {
      await knex('staff').where({ id }).update({ password_hash: passwordHash, updated_at: now() });
    },
  };
  return repo;
}

/** A row as the database returns it (`toStaff` maps it to the domain object). */
interface StaffMemberRow {
  id: number | string;
  username: StaffMember['username'];
  display_name: StaffMember['displayName'];
  role: StaffMember['role'];
  locale: StaffMember['locale'];
  team: StaffMember['team'] | null | undefined;
  active: boolean | number;
}

function toStaff(row: StaffMemberRow): StaffMember {
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    locale: row.locale,
    team: row.team ?? null,
    active: toBool(row.active),
  };
}
