// The panel's controls: the language and tab buttons, basemap, filters, the query choosers, the radius slider, the
// table's options, exports and the link; each changes `state`, saves it to the hash and redraws what depends on it.
import { t, language, setLanguage, translatePage } from './i18n.js';
import { $, setStatus } from './dom.js';
import { state, data, page, saveState } from './session.js';
import { key, names, layerName } from './names.js';
import { applyFilters } from './layers.js';
import { choose } from './selection.js';
import { refreshQueries, runWithin, runNearest } from './queries.js';
import { runTable } from './tables.js';
import { staticMapUrl } from './exports.js';
import { wireSearch } from './search.js';
import { districtFeatures, districtName, renderDistricts, fitDistrict } from './districts.js';
import { fillAnalysisChooser, wireAnalysis } from './analysis.js';
import { renderAll, renderResults, applyBasemap } from './render.js';

const MIN_KM = 0.5;
const MAX_KM = 50;

/** The choosers whose options come from the data: radius origins, parks, sectors and districts, in the current language. */
export function fillChoosers() {
  const { roles } = page;
  const collator = new Intl.Collator(language() === 'zh' ? 'zh-CN' : 'en');
  const byName = (a, b) => collator.compare(names(a).primary, names(b).primary);
  const origin = $('#radius-origin');
  origin.replaceChildren(new Option(t('chooseOrigin'), ''));
  for (const collection of roles.research) {
    const group = document.createElement('optgroup');
    group.label = layerName(collection);
    for (const f of [...data[collection].features].sort(byName)) group.append(new Option(names(f).primary, key(collection, f.id)));
    origin.append(group);
  }
  origin.value = state.from ?? '';
  const park = $('#nearest-park');
  park.replaceChildren(new Option(t('choosePark'), ''));
  for (const f of [...data[roles.parks].features].sort(byName)) park.append(new Option(names(f).primary, key(roles.parks, f.id)));
  park.value = state.park ?? '';
  const sectors = new Map();
  for (const f of data[roles.parks].features) if (f.properties.sector) sectors.set(f.properties.sector, f.properties.sector_en);
  const sector = $('#filter-sector');
  sector.replaceChildren(new Option(t('allSectors'), ''));
  for (const [zh, en] of [...sectors].sort((a, b) => collator.compare(a[0], b[0]))) sector.append(new Option(language() === 'zh' ? zh : `${en ?? zh} · ${zh}`, zh));
  sector.value = state.sector;
  const district = $('#filter-district');
  district.replaceChildren(new Option(t('allDistricts'), ''));
  for (const d of [...districtFeatures()].sort((a, b) => collator.compare(districtName(a), districtName(b)))) district.append(new Option(districtName(d), d.id));
  district.value = state.district;
  fillAnalysisChooser();
}

export function wireControls() {
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => {
      state.lang = button.dataset.lang;
      setLanguage(state.lang);
      translatePage();
      fillChoosers();
      renderAll();
      renderResults();
    });
  }
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.addEventListener('click', () => {
      state.tab = button.dataset.tab;
      renderAll();
      refreshQueries();
    });
  }
  for (const radio of document.querySelectorAll('input[name="basemap"]')) {
    radio.addEventListener('change', () => {
      state.base = radio.value;
      if (state.base === 'external') page.resetExternal?.();
      saveState();
      applyBasemap();
    });
  }
  $('#filter-sector').addEventListener('change', (e) => {
    state.sector = e.target.value;
    applyFilters();
    saveState();
    refreshQueries();
  });
  $('#filter-district').addEventListener('change', (e) => {
    state.district = e.target.value;
    applyFilters();
    renderDistricts();
    fitDistrict();
    saveState();
    refreshQueries();
  });
  $('#radius-origin').addEventListener('change', (e) => {
    if (e.target.value) choose(e.target.value, { fly: true });
  });
  $('#nearest-park').addEventListener('change', (e) => {
    if (e.target.value) choose(e.target.value, { fly: true });
  });
  $('#nearest-k').addEventListener('change', (e) => {
    state.k = Number(e.target.value);
    saveState();
    runNearest();
  });
  wireRadius();
  for (const input of ['#table-to', '#matrix-k', '#matrix-max', '#rings-km']) {
    $(input).addEventListener('change', () => {
      state.tableTo = $('#table-to').value;
      state.matrixK = Number($('#matrix-k').value);
      state.matrixMaxKm = $('#matrix-max').value;
      state.ringsKm = $('#rings-km').value;
      saveState();
      runTable();
    });
  }
  for (const radio of document.querySelectorAll('input[name="table-kind"]')) {
    radio.addEventListener('change', () => {
      state.tableKind = radio.value;
      state.tableSort = null;
      renderAll();
      runTable();
    });
  }
  $('#export-png').addEventListener('click', (e) => {
    e.currentTarget.href = staticMapUrl('png');
  });
  $('#export-pdf').addEventListener('click', (e) => {
    e.currentTarget.href = staticMapUrl('pdf');
  });
  $('#copy-link').addEventListener('click', async () => {
    saveState();
    try {
      await navigator.clipboard.writeText(window.location.href);
    } catch {
      // Clipboard refused (no permission or no secure context): the address bar holds the same link.
    }
    setStatus(t('linkCopied'), 'ok');
    setTimeout(() => setStatus(''), 2000);
  });
  wireSearch();
  wireAnalysis();
}

/** The slider and the typed radius move together; the query waits for the slider to rest a moment. */
function wireRadius() {
  const slider = $('#radius-slider');
  const typed = $('#radius-km');
  let timer = null;
  const setRadius = (value, source) => {
    if (!Number.isFinite(value)) return;
    const clamped = Math.min(MAX_KM, Math.max(MIN_KM, value));
    state.radiusKm = Math.round(clamped * 10) / 10;
    if (source !== slider) slider.value = String(state.radiusKm);
    if (source !== typed || clamped !== value) typed.value = String(state.radiusKm);
    typed.setCustomValidity('');
    saveState();
    clearTimeout(timer);
    timer = setTimeout(() => runWithin(), 150);
  };
  slider.addEventListener('input', () => setRadius(Number(slider.value), slider));
  typed.addEventListener('change', () => setRadius(Number(typed.value.replace(',', '.')), typed));
  typed.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') setRadius(Number(typed.value.replace(',', '.')), typed);
  });
}
