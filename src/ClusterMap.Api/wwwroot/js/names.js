// Features by reference ('collection/id') and what the interface calls them, in the current language.
import { t, language } from './i18n.js';
import { data, page } from './session.js';

export const key = (collection, id) => `${collection}/${id}`;

/** The collection part of a reference. */
export const collectionOf = (ref) => ref.slice(0, ref.indexOf('/'));

export function feature(ref) {
  if (!ref) return null;
  return data[collectionOf(ref)]?.byId.get(ref.slice(ref.indexOf('/') + 1)) ?? null;
}

export function names(f) {
  const p = f.properties;
  const zh = [p.name_zh, p.campus_zh].filter(Boolean).join(' ');
  const en = [p.name_en, p.campus_en].filter(Boolean).join(', ');
  return language() === 'zh' ? { primary: zh || en || f.id, secondary: en && en !== zh ? en : '' } : { primary: en || zh || f.id, secondary: zh && zh !== en ? zh : '' };
}

export function sectorText(p) {
  if (!p.sector && !p.sector_en) return t('notStated');
  return language() === 'zh' ? p.sector || p.sector_en : p.sector_en || p.sector;
}

export function sectorColor(parkId) {
  const family = page.config?.park_sector_family?.[parkId] ?? 'Other';
  return page.config?.sectors.find((s) => s.family === family)?.color ?? '#dddddd';
}

/** The interface's name for a layer, or the collection's own title for a layer it has no words for (e.g. an imported one). */
export function layerName(collection) {
  const text = t(`layer_${collection}`);
  return text === `layer_${collection}` ? page.roles.title(collection) ?? collection : text;
}

/** What one feature of a collection is called ("Industrial park"), from the collection's role. */
export function kindName(collection) {
  const role = page.roles.of(collection);
  // A context layer has no one kind: the interface's word for that collection if it has one, else its title.
  const wanted = role === 'context' ? `kind_${collection}` : `kind_${role}`;
  const text = t(wanted);
  return text === wanted ? layerName(collection) : text;
}
