import type { ListParams, PageBody } from '../types.js';
import type { Http, RequestOptions } from './http.js';

/**
 * One page of a list: `data`, `total`, `nextCursor`, and the way to the next page. Iterating it
 * with `for await` yields every item of this page and the pages after it.
 */
export class Page<T> implements AsyncIterable<T> {
  readonly data: T[];
  readonly total: number;
  readonly nextCursor: string | null;

  constructor(
    body: PageBody<T>,
    private readonly fetchPage: (cursor: string) => Promise<Page<T>>,
  ) {
    this.data = body.data;
    this.total = body.total;
    this.nextCursor = body.nextCursor;
  }

  hasNextPage(): boolean {
    return this.nextCursor !== null;
  }

  /** The next page; throws when there is none (check `hasNextPage()`). */
  getNextPage(): Promise<Page<T>> {
    if (this.nextCursor === null) return Promise.reject(new RangeError('This is the last page.'));
    return this.fetchPage(this.nextCursor);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    // One page after another (a loop, not recursion: a long list does not nest generators).
    yield* this.data;
    let next = this.hasNextPage() ? await this.getNextPage() : undefined;
    while (next) {
      yield* next.data;
      next = next.hasNextPage() ? await next.getNextPage() : undefined;
    }
  }
}

/**
 * What `list()` returns: `await` it for the first page, or `for await` over it for every item
 * across pages. The request starts at once.
 */
export class PagePromise<T> implements Promise<Page<T>>, AsyncIterable<T> {
  readonly #page: Promise<Page<T>>;
  readonly [Symbol.toStringTag] = 'PagePromise';

  constructor(page: Promise<Page<T>>) {
    this.#page = page;
  }

  then<A = Page<T>, B = never>(
    onFulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#page.then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page<T> | B> {
    return this.#page.catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<Page<T>> {
    return this.#page.finally(onFinally);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.#page;
  }
}

/** Lists a paged collection: the first page at once, the next ones on demand. */
export function list<T>(http: Http, path: string, params: object, options: RequestOptions): PagePromise<T> {
  const fetchPage = async (cursor?: string): Promise<Page<T>> => {
    const query = { ...(params as Record<string, string | number | undefined>), ...(cursor !== undefined && { cursor }) };
    return new Page(await http.get<PageBody<T>>(path, { ...options, query }), fetchPage);
  };
  return new PagePromise(fetchPage((params as ListParams).cursor));
}
