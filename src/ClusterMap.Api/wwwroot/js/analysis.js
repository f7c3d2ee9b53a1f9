// The Analysis tab: a park's research base (bands, certain and possible, tiers, fit to its sector, its measured
// partnerships), the districts and sectors as charts, and the white spots and the institution density as map layers. Every figure comes from
// /analysis/… as it is, and every chart's table is the API's CSV one click away.
import { t, language, formatDistance } from './i18n.js';
import * as api from './api.js';
import { $, el } from './dom.js';
import { state, data, page, results, saveState } from './session.js';
import { key, names, sectorText } from './names.js';
import { ask } from './queries.js';
import { renderLegend } from './map.js';

const TIERS = ['national', '985', '211', 'double_first_class', 'other', 'unrated'];

/** Chart.js instances by canvas id, destroyed before a canvas is drawn again. */
const charts = {};

let whiteSpotLayer = null;
let densityLayer = null;

const parkId = () => (state.analysisPark ? state.analysisPark.slice(state.analysisPark.indexOf('/') + 1) : null);

export const researchBaseUrl = (id) => api.apiUrl(`/analysis/parks/${encodeURIComponent(id)}/research-base`, { parks: page.roles.parks });
export const partnersUrl = (id, format) => api.apiUrl(`/analysis/parks/${encodeURIComponent(id)}/partners`, { parks: page.roles.parks, f: format });
export const districtsUrl = (format) => api.apiUrl('/analysis/districts', { f: format });
export const sectorsUrl = (format) => api.apiUrl('/analysis/sectors', { f: format });
export const whiteSpotsUrl = () => api.apiUrl('/analysis/white-spots');

/** The park chooser of the tab, in the current language. */
export function fillAnalysisChooser() {
  const { roles } = page;
  const collator = new Intl.Collator(language() === 'zh' ? 'zh-CN' : 'en');
  const select = $('#analysis-park');
  select.replaceChildren(new Option(t('choosePark'), ''));
  for (const f of [...(data[roles.parks]?.features ?? [])].sort((a, b) => collator.compare(names(a).primary, names(b).primary))) {
    select.append(new Option(names(f).primary, key(roles.parks, f.id)));
  }
  select.value = state.analysisPark ?? '';
}

export function wireAnalysis() {
  $('#analysis-park').addEventListener('change', (e) => {
    state.analysisPark = e.target.value || null;
    saveState();
    runAnalysis();
  });
  $('#analysis-white-spots').addEventListener('change', (e) => {
    state.whiteSpots = e.target.checked;
    saveState();
    renderWhiteSpots();
  });
  $('#analysis-density').addEventListener('change', (e) => {
    state.density = e.target.checked;
    saveState();
    renderDensity();
    renderLegend();
  });
}

/** Asks for what the tab shows: the chosen park's research base and partners, the districts and the sectors. */
export async function runAnalysis() {
  const card = $('#analysis-card');
  const id = parkId();
  if (!id) {
    results.analysisPark = null;
    card.replaceChildren(el('p', 'hint', t('analysisHelp')));
  } else {
    card.replaceChildren(el('p', 'loading', t('loading')));
  }
  const chartsDone = ask('analysisCharts', $('#analysis-charts-error'), async (signal) => {
    const [districts, sectors] = await Promise.all([api.getJson(districtsUrl('json'), { signal }), api.getJson(sectorsUrl('json'), { signal })]);
    return { districts, sectors };
  }, (answer) => {
    results.analysisCharts = answer;
    renderCharts();
  });
  if (id) {
    await ask('analysisPark', card, async (signal) => {
      const [base, partners] = await Promise.all([api.getJson(researchBaseUrl(id), { signal }), api.getJson(partnersUrl(id, 'json'), { signal })]);
      return { id, base, partners };
    }, (answer) => {
      results.analysisPark = answer;
      renderCard();
    });
  }
  await chartsDone;
}

/** The tab again from the kept answers (a new language), or asked for when there are none. */
export function renderAnalysis() {
  $('#analysis-park').value = state.analysisPark ?? '';
  $('#analysis-white-spots').checked = state.whiteSpots;
  $('#analysis-density').checked = state.density;
  if (results.analysisCharts) renderCharts();
  if (results.analysisPark && results.analysisPark.id === parkId()) renderCard();
}

const pair = (certain, possible) => (possible ? `${certain} (+${possible}?)` : String(certain));

const percent = (share) => (share === null || share === undefined ? '–' : `${Math.round(share * 100)} %`);

function cell(tag, text, field, band) {
  const node = el(tag, tag === 'td' ? 'num' : '', text);
  if (field) node.dataset.field = field;
  if (band !== undefined) node.dataset.band = String(band);
  return node;
}

function renderCard() {
  const { base, partners } = results.analysisPark;
  const card = $('#analysis-card');
  const park = data[page.roles.parks]?.byId.get(base.park.id);
  const title = el('h3', '', park ? names(park).primary : base.park.id);
  const meta = el('p', 'hint', `${t('sector')}: ${park ? sectorText(park.properties) : base.park.sector ?? t('notStated')} · ${t('uncertainty')}: ± ${formatDistance(base.park.location_uncertainty_m)}`);

  const bands = el('table', 'results');
  bands.dataset.testid = 'analysis-bands';
  const head = el('tr');
  for (const label of [t('colBand'), t('colCertain'), t('colPossible'), t('colEstimated'), t('colWeighted'), t('colFit')]) head.append(el('th', '', label));
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  for (const band of base.bands) {
    const tr = el('tr');
    tr.dataset.band = String(band.radius_m);
    tr.append(
      cell('th', formatDistance(band.radius_m)),
      cell('td', String(band.certain), 'certain', band.radius_m),
      cell('td', String(band.possible), 'possible', band.radius_m),
      cell('td', String(band.estimated), 'estimated', band.radius_m),
      cell('td', `${band.weighted.certain} (+${band.weighted.possible}?)`, 'weighted', band.radius_m),
      cell('td', band.fit ? `${percent(band.fit.share_certain)} … ${percent(band.fit.share_at_most)}` : '–', 'fit', band.radius_m));
    tbody.append(tr);
  }
  bands.append(thead, tbody);

  const tiers = el('table', 'results');
  tiers.dataset.testid = 'analysis-tiers';
  const tierHead = el('tr');
  tierHead.append(el('th', '', t('colTier')));
  for (const band of base.bands) tierHead.append(el('th', 'num', formatDistance(band.radius_m)));
  const tierHeadGroup = el('thead');
  tierHeadGroup.append(tierHead);
  const tierBody = el('tbody');
  for (const tier of TIERS) {
    const tr = el('tr');
    tr.append(el('th', '', t(`tier_${tier}`)));
    for (const band of base.bands) tr.append(cell('td', pair(band.tiers[tier].certain, band.tiers[tier].possible), `tier-${tier}`, band.radius_m));
    tierBody.append(tr);
  }
  tiers.append(tierHeadGroup, tierBody);

  const partnerList = el('ul', 'partners');
  partnerList.dataset.testid = 'analysis-partners';
  for (const link of partners.links) {
    const item = el('li');
    item.dataset.link = link.link.id;
    const name = link.link.institution_name_zh ?? link.link.id;
    if (link.status !== 'measured') {
      item.append(el('span', '', `${name}: ${t(`linkStatus_${link.status}`)}`));
    }
    for (const partner of link.partners) {
      const line = el('div');
      line.dataset.partner = partner.id;
      const partnerFeature = data[partner.collection]?.byId.get(partner.id);
      const rank = partner.rank;
      line.append(el('span', '', `${partnerFeature ? names(partnerFeature).primary : partner.id}: `),
        el('span', 'num', formatDistance(partner.distance_m)),
        el('span', 'hint', ` (${formatDistance(partner.min_distance_m)} – ${formatDistance(partner.max_distance_m)}) · `),
        el('span', '', t('partnerRank', { rank: rank.estimated, best: rank.best, worst: rank.worst, of: rank.of })));
      line.querySelector('span.num').dataset.field = 'partner-distance';
      item.append(line);
    }
    partnerList.append(item);
  }

  const downloads = el('p', 'downloads');
  const all = el('a', 'button', t('researchBaseCsv'));
  all.href = api.apiUrl('/analysis/research-base', { parks: page.roles.parks, f: 'csv' });
  all.download = 'research-base.csv';
  all.dataset.testid = 'analysis-research-base-csv';
  const partnersCsv = el('a', 'button', t('partnersCsv'));
  partnersCsv.href = partnersUrl(base.park.id, 'csv');
  partnersCsv.download = `partners-${base.park.id}.csv`;
  partnersCsv.dataset.testid = 'analysis-partners-csv';
  downloads.append(all, partnersCsv);

  const scroll = (table) => {
    const wrapper = el('div', 'table-scroll');
    wrapper.append(table);
    return wrapper;
  };
  card.replaceChildren(title, meta, scroll(bands), el('h4', '', t('tiers')), scroll(tiers), el('h4', '', t('partners')),
    partners.links.length ? partnerList : el('p', 'hint', t('noPartners')), downloads, el('p', 'hint small', t('analysisNote')));
}

function drawChart(id, config) {
  charts[id]?.destroy();
  charts[id] = new window.Chart($(`#${id}`), { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
}

function renderCharts() {
  const { districts, sectors } = results.analysisCharts;
  const zh = language() === 'zh';
  const districtName = (d) => (d.id === null ? t('unassigned') : (zh ? d.name_zh : d.name_en) ?? d.name_zh ?? d.id);
  const institutions = districts.made_with.institutions.map((i) => i.collection);
  const colors = ['#d95f02', '#1f3a5f', '#7a1f3d', '#66a61e'];
  drawChart('analysis-district-chart', {
    type: 'bar',
    data: {
      labels: districts.districts.map(districtName),
      datasets: ['parks', ...institutions].map((collection, i) => ({
        label: t(`layer_${collection}`) === `layer_${collection}` ? collection : t(`layer_${collection}`),
        data: districts.districts.map((d) => d.counts[collection]),
        backgroundColor: colors[i % colors.length],
      })),
    },
  });
  $('#analysis-district-chart').dataset.values = JSON.stringify(districts.districts.map((d) => [d.id, d.counts.parks]));
  drawChart('analysis-sector-chart', {
    type: 'bar',
    data: {
      labels: sectors.sectors.map((s) => sectorLabel(s.sector)),
      datasets: [{ label: t('layer_parks'), data: sectors.sectors.map((s) => s.parks), backgroundColor: colors[0] }],
    },
    options: { indexAxis: 'y' },
  });
  $('#analysis-sector-chart').dataset.values = JSON.stringify(sectors.sectors.map((s) => [s.sector, s.parks]));
  $('#analysis-district-csv').href = districtsUrl('csv');
  $('#analysis-sector-csv').href = sectorsUrl('csv');
}

/** A sector in the interface's language, as the parks' own sector_en gives it. */
function sectorLabel(sector) {
  if (sector === null) return t('notStated');
  const park = data[page.roles.parks]?.features.find((f) => f.properties.sector === sector);
  return park ? sectorText(park.properties) : sector;
}

/** The white-spot cells on the map while the box is ticked (any tab), certain cells solid, possible ones dashed. */
export async function renderWhiteSpots() {
  if (!page.map) return;
  if (!state.whiteSpots) {
    whiteSpotLayer?.remove();
    whiteSpotLayer = null;
    $('#analysis-white-spot-count').textContent = '';
    return;
  }
  if (whiteSpotLayer) return;
  try {
    const answer = await api.getJson(whiteSpotsUrl());
    if (!state.whiteSpots || whiteSpotLayer) return;
    whiteSpotLayer = window.L.geoJSON(answer, {
      interactive: false,
      style: (f) => (f.properties.status === 'certain'
        ? { color: '#b30000', weight: 1, fillColor: '#e34a33', fillOpacity: 0.35 }
        : { color: '#e34a33', weight: 1, dashArray: '3 3', fillColor: '#fdbb84', fillOpacity: 0.2 }),
    }).addTo(page.map);
    const count = answer.features.length;
    const certain = answer.features.filter((f) => f.properties.status === 'certain').length;
    const summary = $('#analysis-white-spot-count');
    summary.textContent = t('whiteSpotCount', { n: count, certain });
    summary.dataset.cells = String(count);
    summary.dataset.certain = String(certain);
  } catch (error) {
    $('#analysis-white-spot-count').textContent = t('apiError', { msg: error.message });
  }
}

/**
 * The institution-density tiles over the basemap while the box is ticked (any tab): the service's kernel density,
 * drawn in WGS84 like the white-spot cells. Its legend is in the map's legend (map.js).
 */
export function renderDensity() {
  if (!page.map || !page.config?.density) return;
  if (!state.density) {
    densityLayer?.remove();
    densityLayer = null;
    return;
  }
  if (densityLayer) return;
  densityLayer = window.L.tileLayer(page.config.density.url.replace('.png', '{r}.png'), {
    maxZoom: 18, minZoom: 7, opacity: 1, className: 'cm-density', zIndex: 5,
  }).addTo(page.map);
}
