// The data set this page trains on: the link's `data=fashion`, else the default (MNIST). It is
// chosen when the page opens (a choice in the page opens it again with the link changed), so
// that the downloads, the worker, the models and the scores of one page are of one data set.
// The data sets and their files are the library's (src/dataset.rs, through tables.js).
import { DATA_SETS } from './pkg/tables.js';

const asked = new URLSearchParams(location.search).get('data');

/** The data set in use: tables.js's entry (name, title, items, classes, packed, idx,
 * classifier, pretrained). */
export const DATA = DATA_SETS.find((set) => set.name === asked) ?? DATA_SETS[0];

/** Whether the page trains on the default data set (its links then name none). */
export const DEFAULT_DATA = DATA === DATA_SETS[0];

/** What a link to another page of this site adds to carry the data set: `&data=fashion`, or
 * nothing for the default. */
export const DATA_QUERY = DEFAULT_DATA ? '' : `&data=${encodeURIComponent(DATA.name)}`;

/** What the link asked for when it names no data set there is (the page says so), else null. */
export const UNKNOWN_DATA = asked !== null && !DATA_SETS.some((set) => set.name === asked) ? asked : null;

/** This page's address with the data set `name` (the default leaves the link without one). */
export function hrefWith(name) {
  const url = new URL(location.href);
  if (name === DATA_SETS[0].name) url.searchParams.delete('data');
  else url.searchParams.set('data', name);
  return url.href;
}

/** Names the classes of the visitor's own images (their folders; one class, "your images",
 * when they have none): the map's key and the captions read DATA.classes. */
export function nameClasses(names) {
  DATA.classes = names.length ? [...names] : [DATA.title];
}
