// The outbox's two waiting lines: items in the order they were accepted (a FIFO that does not copy on
// every shift), and items waiting to go again, ordered by when they may.

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
}
