// The URL's hash holds everything needed to reproduce the view: language, map centre and zoom, visible layers,
// basemap, filters, the selection, the radius query, the nearest query, the table view, the analysed park and the
// white-spot and density layers. The hash (not the
// query string) because `/` answers its query parameters as the OGC landing page.

// Collection ids as the API spells them; which of them exist (and what each is) the client learns from the service.
const ID = /^[a-z0-9][a-z0-9-]*$/;
const REF = /^[a-z0-9][a-z0-9-]*\/[^/]+$/;

const number = (text, fallback, min, max) => {
  const value = Number(text);
  return text !== null && text !== '' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
};

export function readHash(hash, browserLanguage) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const ref = (name) => (REF.test(p.get(name) ?? '') ? p.get(name) : null);
  let view = null;
  const parts = (p.get('map') ?? '').split('/').map(Number);
  if (parts.length === 3 && parts.every(Number.isFinite)) view = { zoom: parts[0], lat: parts[1], lon: parts[2] };
  // null: the default layers (every park, university and institute collection), decided once the roles are known.
  const layers = p.has('layers') ? p.get('layers').split(',').filter((id) => ID.test(id)) : null;
  const lang = p.get('lang') ?? (String(browserLanguage ?? '').toLowerCase().startsWith('zh') ? 'zh' : 'en');
  const tab = p.get('tab');
  const sortParts = (p.get('sort') ?? '').split(':');
  return {
    lang: lang === 'zh' ? 'zh' : 'en',
    view,
    layers,
    base: p.get('base') === 'external' ? 'external' : 'own',
    sector: p.get('sector') ?? '',
    district: p.get('district') ?? '',
    sel: ref('sel'),
    from: ref('from'),
    park: ref('park'),
    radiusKm: number(p.get('r'), 5, 0.5, 50),
    k: Math.round(number(p.get('k'), 5, 1, 20)),
    tab: ['explore', 'radius', 'nearest', 'tables', 'analysis'].includes(tab) ? tab : 'explore',
    analysisPark: ref('ap'),
    whiteSpots: p.get('ws') === '1',
    density: p.get('dn') === '1',
    tableKind: p.get('table') === 'rings' ? 'rings' : 'matrix',
    tableTo: ID.test(p.get('to') ?? '') ? p.get('to') : null,
    matrixK: Math.round(number(p.get('mk'), 3, 1, 10)),
    matrixMaxKm: p.get('max') ?? '',
    ringsKm: p.get('rings') ?? '1,3,5,10',
    tableSort: sortParts.length === 2 && sortParts[0] !== '' ? { column: Number(sortParts[0]) || 0, descending: sortParts[1] === 'desc' } : null,
  };
}

export function writeHash(state) {
  const p = new URLSearchParams();
  p.set('lang', state.lang);
  if (state.view) p.set('map', `${state.view.zoom}/${state.view.lat.toFixed(5)}/${state.view.lon.toFixed(5)}`);
  if (state.layers) p.set('layers', state.layers.join(','));
  if (state.base === 'external') p.set('base', 'external');
  if (state.sector) p.set('sector', state.sector);
  if (state.district) p.set('district', state.district);
  p.set('tab', state.tab);
  if (state.sel) p.set('sel', state.sel);
  if (state.from) p.set('from', state.from);
  p.set('r', String(state.radiusKm));
  if (state.park) p.set('park', state.park);
  p.set('k', String(state.k));
  if (state.analysisPark) p.set('ap', state.analysisPark);
  if (state.whiteSpots) p.set('ws', '1');
  if (state.density) p.set('dn', '1');
  if (state.tab === 'tables') {
    p.set('table', state.tableKind);
    if (state.tableTo) p.set('to', state.tableTo);
    if (state.tableKind === 'matrix') {
      p.set('mk', String(state.matrixK));
      if (state.matrixMaxKm) p.set('max', String(state.matrixMaxKm));
    } else {
      p.set('rings', state.ringsKm);
    }
    if (state.tableSort) p.set('sort', `${state.tableSort.column}:${state.tableSort.descending ? 'desc' : 'asc'}`);
  }
  return `#${p.toString()}`;
}
