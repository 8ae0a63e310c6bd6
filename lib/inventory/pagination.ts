/**
 * Marker pagination that cannot loop forever.
 *
 * The SDK paginators (paginateDescribeDBInstances, …) only stop on a repeated
 * marker when `stopOnSameToken` is set, then stop silently, and only notice a
 * marker equal to the previous one (A → B → A goes on forever). Every RDS
 * listing here goes through this loop instead, which remembers every marker
 * and reports a repeat so the scan can say its listing is incomplete.
 */

export interface Page<T> {
  items: T[] | undefined;
  marker: string | undefined;
}

export interface PagedResult<T> {
  items: T[];
  pages: number;
  /** Set when the service handed back a marker already used: the listing stopped there. */
  repeatedMarker?: string;
}

/** A ceiling far above any real listing, in case markers never repeat but never end. */
const MAX_PAGES = 10_000;

export async function readAllPages<T>(
  fetchPage: (marker: string | undefined) => Promise<Page<T>>,
): Promise<PagedResult<T>> {
  const items: T[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await fetchPage(marker);
    pages += 1;
    items.push(...(page.items ?? []));
    if (!page.marker) return { items, pages };
    if (seen.has(page.marker) || page.marker === marker || pages >= MAX_PAGES) {
      return { items, pages, repeatedMarker: page.marker };
    }
    seen.add(page.marker);
    marker = page.marker;
  }
}
