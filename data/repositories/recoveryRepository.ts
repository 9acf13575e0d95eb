import type { Knex } from 'knex';
import { insertOnce } from './idempotent';
import { toNumOrNull } from '../rows';

/** A service-recovery case (服务补救) opened by a low score. */
export interface RecoveryCaseRecord {
  id: number;
  customerId: number | null;
  surveyId: number;
  ownerKind: 'relationship_manager' | 'supervisor';
  /** The relationship manager; null for the supervisors' queue. */
  ownerId: number | null;
  status: 'open' | 'closed';
  dueAt: number;
  comment: string | null;
  outcome: string | null;
  closedBy: number | null;
  createdAt: number;
  closedAt: number | null;
}

/** Recovery cases. */
export interface RecoveryRepository {
  /** Opens the case for a survey's low score; one case per survey, however often it is asked to. */
  create(c: Pick<RecoveryCaseRecord, 'customerId' | 'surveyId' | 'ownerKind' | 'ownerId' | 'dueAt' | 'comment'>, at: number): Promise<RecoveryCaseRecord>;
  findById(id: number): Promise<RecoveryCaseRecord | undefined>;
  findBySurvey(surveyId: number): Promise<RecoveryCaseRecord | undefined>;
  /** Open cases, soonest due first: one owner's, or (owner null) the supervisors' queue, or all. */
  listOpen(owner?: number | null, limit?: number): Promise<RecoveryCaseRecord[]>;
  /** Closes an open case with its outcome; false when it was already closed. */
  close(id: number, outcome: string, by: number, at: number): Promise<boolean>;
  /** Records the survey's comment on its case, when the comment comes after the score. */
  setComment(surveyId: number, comment: string): Promise<void>;
}

/** Creates the recovery-case repository. */
export function createRecoveryRepository(knex: Knex): RecoveryRepository {
  const one = async (where: Record<string, unknown>) => {
    const row = await knex('recovery_cases').where(where).first();
    return row ? toCase(row) : undefined;
  };
  return {
    async create(c, at) {
      const row = {
        customer_id: c.customerId,
        survey_id: c.surveyId,
        owner_kind: c.ownerKind,
        owner_id: c.ownerId,
        status: 'open',
        due_at: c.dueAt,
        comment: c.comment,
        created_at: at,
      };
      const { id } = await insertOnce(knex, 'recovery_cases', row, `survey:${c.surveyId}`);
      return (await one({ id }))!;
    },
    findById: (id) => one({ id }),
    findBySurvey: (surveyId) => one({ survey_id: surveyId }),
    async listOpen(owner, limit = 200) {
      const q = knex('recovery_cases').where({ status: 'open' }).orderBy('due_at').limit(Math.min(limit, 1000));
      if (owner === null) q.whereNull('owner_id');
      else if (owner !== undefined) q.andWhere({ owner_id: owner });
      return (await q).map(toCase);
    },
    async close(id, outcome, by, at) {
      return (await knex('recovery_cases').where({ id, status: 'open' }).update({ status: 'closed', outcome, closed_by: by, closed_at: at })) === 1;
    },
    async setComment(surveyId, comment) {
      await knex('recovery_cases').where({ survey_id: surveyId }).update({ comment });
    },
  };
}

/** A row as the database returns it (`toCase` maps it to the domain object). */
interface RecoveryCaseRow {
  id: number | string;
  customer_id: number | string | null;
  survey_id: number | string;
  owner_kind: RecoveryCaseRecord['ownerKind'];
  owner_id: number | string | null;
  status: RecoveryCaseRecord['status'];
  due_at: number | string;
  comment: RecoveryCaseRecord['comment'] | null | undefined;
  outcome: RecoveryCaseRecord['outcome'] | null | undefined;
  closed_by: number | string | null;
  created_at: number | string;
  closed_at: number | string | null;
}

function toCase(r: RecoveryCaseRow): RecoveryCaseRecord {
  return {
    id: Number(r.id),
    customerId: toNumOrNull(r.customer_id),
    surveyId: Number(r.survey_id),
    ownerKind: r.owner_kind,
    ownerId: toNumOrNull(r.owner_id),
    status: r.status,
    dueAt: Number(r.due_at),
    comment: r.comment ?? null,
    outcome: r.outcome ?? null,
    closedBy: toNumOrNull(r.closed_by),
    createdAt: Number(r.created_at),
    closedAt: toNumOrNull(r.closed_at),
  };
}
