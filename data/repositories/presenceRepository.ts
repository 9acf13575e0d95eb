import type { Knex } from 'knex';

/** Whether an agent takes conversations now. */
export type PresenceStatus = 'online' | 'away' | 'offline';

/** An agent's presence and load. */
export interface AgentPresence {
  staffId: number;
  status: PresenceStatus;
  capacity: number;
  /** Conversations the agent holds now. */
  active: number;
  updatedAt: number;
}

/** Agents' presence, set from the console. */
export interface PresenceRepository {
  set(staffId: number, status: PresenceStatus, capacity: number, at: number): Promise<void>;
  get(staffId: number): Promise<AgentPresence | undefined>;
  /** Agents online, with how many conversations each holds. */
  listOnline(): Promise<AgentPresence[]>;
}

/** Creates the presence repository. */
export function createPresenceRepository(knex: Knex): PresenceRepository {
  const withLoad = (q: Knex.QueryBuilder) =>
    q
      .select('p.staff_id', 'p.status', 'p.capacity', 'p.updated_at')
      .select(knex.raw('(select count(*) from handoffs h where h.agent_id = p.staff_id and h.status = ?) as active', ['active']));
  const toPresence = (r: Record<string, unknown>): AgentPresence => ({
    staffId: Number(r.staff_id),
    status: r.status as PresenceStatus,
    capacity: Number(r.capacity),
    active: Number(r.active),
    updatedAt: Number(r.updated_at),
  });
  return {
    async set(staffId, status, capacity, at) {
      await knex('agent_presence')
        .insert({ staff_id: staffId, status, capacity, updated_at: at })
        .onConflict('staff_id')
        .merge({ status, capacity, updated_at: at });
    },
    async get(staffId) {
      const row = await withLoad(knex('agent_presence as p').where('p.staff_id', staffId)).first();
      return row ? toPresence(row) : undefined;
    },
    async listOnline() {
      return (await withLoad(knex('agent_presence as p').where('p.status', 'online')).orderBy('p.staff_id')).map(toPresence);
    },
  };
}
