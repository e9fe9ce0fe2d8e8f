/** One page of a list: its items, and the cursor of the next page (`null` on the last). */
export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

/**
 * A list: `for await` walks every item, fetching page after page by `nextCursor`; `page()` fetches
 * just the first (pass its `nextCursor` as `cursor` to the list method for the one after).
 */
export class Paginated<T> implements AsyncIterable<T> {
  constructor(
    private readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
    private readonly cursor?: string,
  ) {}

  /** The page the list starts at. */
  page(): Promise<Page<T>> {
    return this.fetchPage(this.cursor);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let cursor = this.cursor;
    do {
      const page = await this.fetchPage(cursor);
      yield* page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Every item, in order, in one array (for short lists). */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}

/** A list the API answers in one piece (`{ data }`), as a {@link Paginated} of a single page. */
export function singlePage<T>(fetchAll: () => Promise<{ data: T[] }>): Paginated<T> {
  return new Paginated(async () => ({ data: (await fetchAll()).data, nextCursor: null }));
}
