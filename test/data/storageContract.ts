import type { Storage } from 'botbuilder';

/**
 * The behaviour every bot-state Storage must have, as one suite: run against the SDK's MemoryStorage (the reference)
 * and against KnexStorage on each database.
 */
export function describeStorageContract(name: string, setup: () => Promise<{ storage: Storage; teardown: () => Promise<void> }>): void {
  describe(`Storage contract: ${name}`, () => {
    let storage: Storage;
    let teardown: () => Promise<void>;

    beforeEach(async () => {
      ({ storage, teardown } = await setup());
    });
    afterEach(async () => {
      await teardown();
    });

    it('reads an unknown key as absent', async () => {
      expect(await storage.read(['unknown'])).toEqual({});
    });

    it('reads back what it wrote, with an eTag', async () => {
      await storage.write({ a: { count: 1, nested: { list: [1, 2], text: '中文 ✓' } } });
      const read = await storage.read(['a']);
      expect(read.a).toMatchObject({ count: 1, nested: { list: [1, 2], text: '中文 ✓' } });
      expect(typeof read.a.eTag).toBe('string');
    });

    it('gives a new eTag on every write', async () => {
      await storage.write({ a: { v: 1 } });
      const first = (await storage.read(['a'])).a.eTag;
      await storage.write({ a: { v: 2 } });
      const second = (await storage.read(['a'])).a.eTag;
      expect(second).not.toBe(first);
    });

    it('accepts a write carrying the current eTag', async () => {
      await storage.write({ a: { v: 1 } });
      const item = (await storage.read(['a'])).a;
      item.v = 2;
      await storage.write({ a: item });
      expect((await storage.read(['a'])).a.v).toBe(2);
    });

    it('rejects a write carrying a stale eTag and keeps the stored item', async () => {
      await storage.write({ a: { v: 1 } });
      const stale = (await storage.read(['a'])).a;
      const fresh = { ...stale, v: 2 };
      await storage.write({ a: fresh });
      await expect(storage.write({ a: { ...stale, v: 3 } })).rejects.toThrow(/eTag conflict/);
      expect((await storage.read(['a'])).a.v).toBe(2);
    });

    it('lets "*" overwrite whatever is stored', async () => {
      await storage.write({ a: { v: 1 } });
      await storage.write({ a: { v: 2, eTag: '*' } });
      expect((await storage.read(['a'])).a.v).toBe(2);
    });

    it('writes an item without an eTag over a stored one', async () => {
      await storage.write({ a: { v: 1 } });
      await storage.write({ a: { v: 5 } });
      expect((await storage.read(['a'])).a.v).toBe(5);
    });

    it('creates an item written with an eTag when nothing is stored under its key', async () => {
      await storage.write({ a: { v: 1, eTag: 'from-another-store' } });
      expect((await storage.read(['a'])).a.v).toBe(1);
    });

    it('deletes, and ignores unknown keys when deleting', async () => {
      await storage.write({ a: { v: 1 }, b: { v: 2 } });
      await storage.delete(['a', 'missing']);
      const read = await storage.read(['a', 'b']);
      expect(read.a).toBeUndefined();
      expect(read.b.v).toBe(2);
    });

    it('reads and writes many keys at once, including awkward ones', async () => {
      const keys = ['emulator/conversations/abc|def/', "it's/€/ü/中文/\\/%/_", 'x'.repeat(500), ...Array.from({ length: 40 }, (_, i) => `k${i}`)];
      await storage.write(Object.fromEntries(keys.map((k, i) => [k, { i }])));
      const read = await storage.read(keys);
      expect(Object.keys(read).sort()).toEqual([...keys].sort());
      keys.forEach((k, i) => expect(read[k].i).toBe(i));
    });

    it('lets exactly one of several writers holding the same eTag win', async () => {
      await storage.write({ a: { v: 0 } });
      const base = (await storage.read(['a'])).a;
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => storage.write({ a: { ...base, v: i + 1 } })));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      expect((await storage.read(['a'])).a.v).toBe(winner + 1);
    });
  });
}
