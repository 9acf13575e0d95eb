/**
 * Coalesces concurrent requests into batches: requests made during one turn of the event loop go together, in one
 * statement, once the loop has handled its pending I/O (`setImmediate`); while `maxInFlight` batches are running,
 * further requests wait and go together in the next one. Under load many turns share one statement; at low load a
 * request waits for no more than the rest of the current loop turn. A statement costs far more than the rows it
 * carries, so this is most of what keeps the database from being the queue every turn stands in.
 *
 * Every caller's promise settles with its own result, after its batch has run: batching never turns a write into a
 * fire-and-forget.
 */
export class Batcher<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    /** Runs one batch; returns one result per item, in order. */
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: { maxInFlight: number; maxBatch: number },
  ) {}

  /** Adds an item to the next batch and resolves with its result. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.run(batch.map((b) => b.item))
        .then(
          (results) => batch.forEach((b, i) => b.resolve(results[i])),
          (err) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
