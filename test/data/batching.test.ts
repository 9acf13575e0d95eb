import { Batcher } from '../../data/batching';

describe('Batcher', () => {
  it('groups the requests of one loop turn, and those that arrive while a batch runs', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const b = new Batcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
        return items.map((i) => i * 10);
      },
      { maxInFlight: 1, maxBatch: 3 },
    );
    const firstTurn = [1, 2, 3, 4].map((i) => b.submit(i));
    await new Promise((r) => setImmediate(r));
    // The first batch is running (and held); these arrive meanwhile and wait for it.
    const later = [5, 6].map((i) => b.submit(i));
    await new Promise((r) => setImmediate(r));
    release();
    expect(await Promise.all([...firstTurn, ...later])).toEqual([10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('rejects every caller of a batch that failed, and goes on with the next batch', async () => {
    let calls = 0;
    const b = new Batcher<number, number>(
      async (items) => {
        calls++;
        if (calls === 1) throw new Error('down');
        return items;
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const failed = [b.submit(1), b.submit(2)];
    await expect(failed[0]).rejects.toThrow('down');
    await expect(failed[1]).rejects.toThrow('down');
    expect(await b.submit(3)).toBe(3);
  });
});
