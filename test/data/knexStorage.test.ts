import { MemoryStorage, type Storage } from 'botbuilder';
import { ETagConflictError, KnexStorage } from '../../data/knexStorage';
import { createTestDatabase } from '../helpers/database';
import { describeStorageContract } from './storageContract';

describeStorageContract('MemoryStorage (the SDK reference)', async () => ({ storage: new MemoryStorage(), teardown: async () => undefined }));

describeStorageContract(`KnexStorage on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, async () => {
  const db = await createTestDatabase();
  return { storage: new KnexStorage(db.knex) as Storage, teardown: () => db.destroy() };
});

describe('KnexStorage', () => {
  it('writes all items of a write or none of them', async () => {
    const db = await createTestDatabase();
    try {
      const storage = new KnexStorage(db.knex);
      await storage.write({ a: { v: 1 } });
      const stale = (await storage.read(['a'])).a;
      await storage.write({ a: { v: 2 } });
      await expect(storage.write({ b: { v: 1 }, a: stale })).rejects.toBeInstanceOf(ETagConflictError);
      expect(await storage.read(['b'])).toEqual({});
    } finally {
      await db.destroy();
    }
  });
});
