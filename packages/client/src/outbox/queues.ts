// The outbox's two waiting lines: items in the order they were accepted (a FIFO that does not copy on
// every shift), and items waiting to go again, ordered by when they may; and the outbox's clock and timers.

/**
 * Now, in whole milliseconds on the monotonic clock (performance.now, from process start): every wait
 * and age in a process is measured on it, so a wall-clock step (NTP, a VM resumed) neither stalls a
 * retry nor expires a fresh item. Small integers, which V8 keeps unboxed in the item, where an epoch
 * time is a 16-byte heap number each (100 000 queued items). Wall time is for the disk only (spool-files.ts).
 */
export const clock = (): number => Math.round(performance.now());

/** Lets the process exit with this timer pending (Node, Bun, Deno; browsers and Workers have no unref). */
export const unref = (timer: unknown): void => (timer as { unref?: () => void }).unref?.();

/** First in, first out; a head index instead of Array#shift, compacted now and then. */
export class ItemQueue<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Items ordered by notBefore (a binary insertion: retries are few next to the queue). */
export class RetryQueue<T extends { notBefore: number }> {
  private sorted: T[] = [];

  push(item: T): void {
    const list = this.sorted;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (list[middle]!.notBefore <= item.notBefore) low = middle + 1;
      else high = middle;
    }
    list.splice(low, 0, item);
  }

  peek(): T | undefined {
    return this.sorted[0];
  }

  shift(): T | undefined {
    return this.sorted.shift();
  }

  [Symbol.iterator](): Iterator<T> {
    return this.sorted[Symbol.iterator]();
  }
}
