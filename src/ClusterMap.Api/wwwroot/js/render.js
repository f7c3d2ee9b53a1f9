// Drawing the whole page from `state`: after a choice, a new language or a pasted link.
import { $ } from './dom.js';
import { loadConverted } from './datum.js';
import { renderDistricts } from './districts.js';
import { state, data, page, results, saveState } from './session.js';
import { renderBasemap, renderLegend } from './map.js';
import { renderLayerNames, applyFilters, placeMarkers } from './layers.js';
import { renderSelection } from './selection.js';
import { runWithin, renderWithin, runNearest, renderNearest, refreshQueries } from './queries.js';
import { renderTable } from './tables.js';
import { renderAnalysis, renderDensity, renderWhiteSpots, runAnalysis } from './analysis.js';

export function renderAll() {
  for (const button of document.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === state.lang));
  for (const button of document.querySelectorAll('[data-tab]')) {
    const selected = button.dataset.tab === state.tab;
    button.setAttribute('aria-selected', String(selected));
    button.classList.toggle('active', selected);
  }
  for (const section of document.querySelectorAll('[data-panel]')) section.hidden = section.dataset.panel !== state.tab;
  $('#panel').classList.toggle('wide', state.tab === 'tables' || state.tab === 'analysis');
  $('#details').hidden = state.tab === 'tables' || state.tab === 'analysis';
  $('#analysis-park').value = state.analysisPark ?? '';
  $('#analysis-white-spots').checked = state.whiteSpots;
  $('#analysis-density').checked = state.density;
  $('#radius-slider').value = String(state.radiusKm);
  $('#radius-km').value = String(state.radiusKm);
  $('#radius-origin').value = state.from ?? '';
  $('#nearest-park').value = state.park ?? '';
  $('#nearest-k').value = String(state.k);
  $('#table-to').value = state.tableTo ?? '';
  renderLayerNames();
  $('#matrix-k').value = String(state.matrixK);
  $('#matrix-max').value = state.matrixMaxKm ?? '';
  $('#rings-km').value = state.ringsKm;
  for (const radio of document.querySelectorAll('input[name="table-kind"]')) radio.checked = radio.value === state.tableKind;
  for (const node of document.querySelectorAll('[data-table-kind]')) node.hidden = node.dataset.tableKind !== state.tableKind;
  renderBasemap();
  if (page.config && data[page.roles.parks]) {
    applyFilters();
    renderLegend();
    renderSelection();
    renderDistricts();
    renderWhiteSpots();
    renderDensity();
  }
  saveState();
}

/** The current tab's answer again (in a new language), or asked for if there is none yet. */
export function renderResults() {
  if (state.tab === 'radius' && results.within) renderWithin();
  if (state.tab === 'nearest' && results.nearest) renderNearest();
  if (state.tab === 'tables' && results.table) renderTable();
  if (state.tab === 'analysis' && results.analysisCharts) renderAnalysis();
  if (state.tab === 'analysis' && !results.analysisCharts) runAnalysis();
  if (state.tab === 'radius' && !results.within) runWithin();
  if (state.tab === 'nearest' && !results.nearest) runNearest();
}

/**
 * The basemap changed (chosen, or its tiles failed): everything is drawn again in the datum it asks for. If the
 * service cannot give the positions in that datum, the external basemap is given up as if its tiles had failed.
 */
export async function applyBasemap() {
  renderBasemap();
  if (!(await loadConverted([...page.roles.overlays, ...page.roles.districts]))) {
    page.externalFailed = true;
    renderBasemap();
  }
  placeMarkers();
  renderDistricts();
  renderSelection();
  const restoring = page.restoring;
  page.restoring = true;
  await refreshQueries();
  page.restoring = restoring;
  saveState();
}
