// @ts-check
// Which of the gallery's boards a search shows, and in which order: pure, no DOM.

/** @typedef {{id: string, title: string, updated_at: string, created_at: string, opened?: number}} Listed */

/** @typedef {"opened" | "updated" | "title" | "created"} SortKey */

/** The orders the gallery offers, with their labels; the first is the default. */
export const SORTS = /** @type {const} */ ([
  ["updated", "Last changed"],
  ["opened", "Last opened"],
  ["created", "Newest first"],
  ["title", "Title"],
]);

/** @param {unknown} key @returns {key is SortKey} */
export function isSortKey(key) {
  return SORTS.some(([known]) => known === key);
}

/**
 * A title as a search compares it: lower case, accents dropped ("Café" is found by "cafe").
 * @param {string} text
 */
export function folded(text) {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase().trim();
}

/**
 * Whether a board's title holds every word of the search, in any order.
 * @param {string} title @param {string} search
 */
export function matches(title, search) {
  const words = folded(search).split(/\s+/).filter(Boolean);
  const haystack = folded(title);
  return words.every((word) => haystack.includes(word));
}

const titles = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** @param {string} iso */
const time = (iso) => Date.parse(iso) || 0;

/**
 * The boards in the order asked for (a new array). Ties, and boards never opened in this browser
 * when sorting by last opened, fall back to the last changed first.
 * @template {Listed} T
 * @param {T[]} boards @param {SortKey} key
 * @returns {T[]}
 */
export function sorted(boards, key) {
  /** @type {(a: T, b: T) => number} */
  const byUpdated = (a, b) => time(b.updated_at) - time(a.updated_at) || a.id.localeCompare(b.id);
  /** @type {Record<SortKey, (a: T, b: T) => number>} */
  const compare = {
    updated: byUpdated,
    opened: (a, b) => (b.opened ?? 0) - (a.opened ?? 0) || byUpdated(a, b),
    created: (a, b) => time(b.created_at) - time(a.created_at) || byUpdated(a, b),
    title: (a, b) => titles.compare(a.title, b.title) || byUpdated(a, b),
  };
  return [...boards].sort(compare[key]);
}
