import type { paths } from './generated/openapi.js';

/**
 * Every list operation of the API answers `{ data, nextCursor }` and takes a `cursor` query.
 * These types find them in the generated `paths`, by shape, so a new list operation is
 * iterable without a line written here and a renamed schema changes nothing.
 */
type GetOperation<P extends keyof paths> = paths[P] extends { get: infer O } ? O : never;
type JsonOk<O> = O extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type PathParamsOf<O> = O extends { parameters: { path: infer V extends Record<string, unknown> } } ? V : never;

/** The paths whose GET is a cursor-paged list. */
export type ListPath = {
  [P in keyof paths]: JsonOk<GetOperation<P>> extends { data: ReadonlyArray<unknown>; nextCursor: string | null }
    ? 'cursor' extends keyof QueryOf<GetOperation<P>>
      ? P
      : never
    : never;
}[keyof paths];

/** One page of a list operation, as the API answers it. */
export type ListPage<P extends ListPath> = JsonOk<GetOperation<P>>;

/** One item of a list operation. */
export type ListItem<P extends ListPath> = ListPage<P> extends { data: ReadonlyArray<infer T> } ? T : never;

/** A list operation's filters; the cursor is the iterator's business. */
export type ListQuery<P extends ListPath> = Omit<QueryOf<GetOperation<P>>, 'cursor'>;

/** What a list call takes: its filters, and its path parameters where the path has some. */
export type ListParams<P extends ListPath> = [PathParamsOf<GetOperation<P>>] extends [never]
  ? { query?: ListQuery<P>; path?: never }
  : { query?: ListQuery<P>; path: PathParamsOf<GetOperation<P>> };

/** A list operation's pages and items, fetched lazily: a page is requested when the previous one is used up. */
export interface PagedList<Item, Page> extends AsyncIterable<Item> {
  /** The pages themselves, for callers who want `nextCursor` or to stop at a page boundary. */
  pages(): AsyncIterable<Page>;
}
