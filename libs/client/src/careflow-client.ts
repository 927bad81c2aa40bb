import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { CareflowApiError } from './careflow-api-error.js';
import type { paths } from './generated/openapi.js';
import type { ListItem, ListPage, ListParams, ListPath, ListQuery, PagedList } from './list-operations.js';
import { retryingFetch, type RetryPolicy } from './retrying-fetch.js';

export interface CareflowClientOptions extends RetryPolicy {
  /** An API key, `cf_…`, sent as `Authorization: Bearer`. */
  apiKey: string;
  /** The gateway's address, e.g. `https://care.example.com` or `http://localhost:3000`. */
  baseUrl: string;
  /** The fetch to send with (default: the global one). Retries wrap it. */
  fetch?: (request: Request) => Promise<Response>;
}

/** `GET` on a list path, with the path parameters when the path has some. */
type ListArguments<P extends ListPath> = ListParams<P> extends { path: object } ? [params: ListParams<P>] : [params?: ListParams<P>];

export interface CareflowClient extends Client<paths> {
  /** Any list operation, by path: `for await (const c of client.list('/v1/tickets/{id}/comments', { path: { id } }))`. */
  list<P extends ListPath>(path: P, ...params: ListArguments<P>): PagedList<ListItem<P>, ListPage<P>>;
  tickets: { list(query?: ListQuery<'/v1/tickets'>): PagedList<ListItem<'/v1/tickets'>, ListPage<'/v1/tickets'>> };
  customers: { list(query?: ListQuery<'/v1/customers'>): PagedList<ListItem<'/v1/customers'>, ListPage<'/v1/customers'>> };
  orders: { list(query?: ListQuery<'/v1/orders'>): PagedList<ListItem<'/v1/orders'>, ListPage<'/v1/orders'>> };
  notifications: { list(query?: ListQuery<'/v1/notifications'>): PagedList<ListItem<'/v1/notifications'>, ListPage<'/v1/notifications'>> };
  webhooks: { list(query?: ListQuery<'/v1/webhooks'>): PagedList<ListItem<'/v1/webhooks'>, ListPage<'/v1/webhooks'>> };
}

/**
 * The whole of the hand-written client: openapi-fetch over the generated `paths`, plus the API
 * key, an Idempotency-Key on every POST that has none (so a retried POST is answered once),
 * retries that honour Retry-After, and cursor iteration. Requests are made as openapi-fetch
 * makes them: `client.POST('/v1/tickets', { body })` answers `{ data } | { error }`, typed.
 */
export function createCareflowClient(options: CareflowClientOptions): CareflowClient {
  const fetch = retryingFetch(options.fetch ?? ((request) => globalThis.fetch(request)), options);
  const clientOptions = { baseUrl: options.baseUrl, fetch, headers: { Authorization: `Bearer ${options.apiKey}` } };
  const api = createClient<paths>(clientOptions);
  api.use(IDEMPOTENCY_KEY);
  // The same requests, typed only as far as every list operation is alike, so one generic loop pages them all.
  const lists = createClient<ListPaths>(clientOptions);
  lists.use(IDEMPOTENCY_KEY);

  const list = <P extends ListPath>(path: P, ...[params]: ListArguments<P>): PagedList<ListItem<P>, ListPage<P>> => {
    async function* loosePages() {
      let cursor: string | undefined;
      do {
        const { data, error, response } = await lists.GET(path, { params: { path: params?.path, query: { ...params?.query, cursor } } });
        if (data === undefined) throw new CareflowApiError(response.status, error);
        yield data;
        // A cursor that does not move would page forever: stop rather than spin.
        if (data.nextCursor === cursor) break;
        cursor = data.nextCursor ?? undefined;
      } while (cursor !== undefined);
    }
    // The generated types checked that this path answers ListPage<P>; the loose client only forgot it.
    return {
      async *pages() {
        for await (const page of loosePages()) yield page as ListPage<P>;
      },
      async *[Symbol.asyncIterator]() {
        for await (const page of loosePages()) yield* page.data as ReadonlyArray<ListItem<P>>;
      },
    };
  };

  return Object.assign(api, {
    list,
    tickets: { list: (query?: ListQuery<'/v1/tickets'>) => list('/v1/tickets', { query }) },
    customers: { list: (query?: ListQuery<'/v1/customers'>) => list('/v1/customers', { query }) },
    orders: { list: (query?: ListQuery<'/v1/orders'>) => list('/v1/orders', { query }) },
    notifications: { list: (query?: ListQuery<'/v1/notifications'>) => list('/v1/notifications', { query }) },
    webhooks: { list: (query?: ListQuery<'/v1/webhooks'>) => list('/v1/webhooks', { query }) },
  });
}

/** Every list operation, seen from the loop that pages it. */
type ListPaths = Record<
  string,
  {
    get: {
      parameters: { query?: Record<string, unknown>; path?: Record<string, unknown> };
      responses: { 200: { content: { 'application/json': { data: ReadonlyArray<unknown>; nextCursor: string | null } } } };
    };
  }
>;

/** An Idempotency-Key on every POST that was not given one; retries clone the request, so they send the same key. */
const IDEMPOTENCY_KEY: Middleware = {
  onRequest({ request }) {
    if (request.method === 'POST' && !request.headers.has('idempotency-key')) request.headers.set('Idempotency-Key', globalThis.crypto.randomUUID());
    return request;
  },
};
