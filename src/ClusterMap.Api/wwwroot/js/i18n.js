// Interface strings in Chinese and English. Data names come from the features themselves (name_zh / name_en).
export const strings = {
  en: {
    title: 'ClusterMap',
    subtitle: 'Shanghai featured industrial parks · universities · research institutes',
    searchPlaceholder: 'Search parks, universities, institutes (中文 or English)',
    searchNone: 'No match',
    tabAnalysis: 'Analysis',
    analysisHelp: 'Choose a park to see its research base: the universities and institutes within 2, 5, 10 and 20 km, certain and possible, by tier and by fit to the park\'s sector, and its measured partnerships.',
    colBand: 'Within', colCertain: 'Certain', colPossible: 'Possible', colEstimated: 'Estimated', colWeighted: 'Tier-weighted', colFit: 'Sector fit', colTier: 'Tier',
    tier_national: 'National lab / facility', tier_985: '985', tier_211: '211', tier_double_first_class: 'Double first-class', tier_other: 'Other university', tier_unrated: 'Not rated',
    tiers: 'By tier (certain, +possible?)', partners: 'Partnerships (sourced links)', noPartners: 'No sourced link names this park.',
    partnerRank: 'rank {rank} among all institutions ({best}–{worst} under uncertainty) of {of}',
    linkStatus_institution_not_in_layers: 'not in ClusterMap\'s layers, not measured', linkStatus_park_not_found: 'park not found',
    linkStatus_institution_collection_not_read: 'its collection is not read', linkStatus_institutions_not_found: 'institution not found',
    researchBaseCsv: 'Research base of every park (CSV)', partnersCsv: 'Partnerships (CSV)',
    analysisNote: 'Counts are cumulative. Sector fit: the share of institutions with known disciplines that fit the park\'s sector, among the certain ones … among all that may be within. “Possible”: within at some place the location uncertainty allows, not for certain. Sector fit is a modelling choice (docs/analysis.md).',
    districtChart: 'Parks, campuses and institutes per district', sectorChart: 'Parks per sector', unassigned: 'No district',
    whiteSpots: 'White spots on the map (research dense, no park near)', whiteSpotCount: '{n} white-spot cells, {certain} certain',
    densityLayer: 'Institution density on the map (universities and institutes per km²)', densityLegend: 'Institutions per km² (kernel {km} km)', densityAtLeast: '≥ {n}',
    collectionsLink: 'Collections', conformanceLink: 'Conformance', ogcMapLink: 'Map (OGC API – Maps)', ogcTilesLink: 'Map tiles (OGC API – Tiles)', tileMatrixSetsLink: 'Tiling schemes', apiDefinition: 'API definition (OpenAPI)', landingJson: 'This page as JSON',
    dataLink: 'Data', dataLinkTitle: 'The collections as web pages (tables, filters, each feature)',
    tabExplore: 'Map', tabRadius: 'Radius', tabNearest: 'Nearest', tabTables: 'Tables',
    layers: 'Layers', filters: 'Filters',
    layer_parks: 'Industrial parks', layer_universities: 'Universities', layer_institutes: 'Research institutes', 'layer_metro-stations': 'Metro stations (2017)',
    basemapOwn: 'ClusterMap basemap', basemapExternal: 'External basemap: {name}',
    datumShifted: '{name} is drawn in {datum}, the offset datum Chinese map providers must use: the features, rings, lines and district outlines are drawn in {datum} too (converted by the service), so they sit on this map\'s streets. Every distance is still measured in WGS84.',
    datumWgs84: '{name} is drawn in {datum}, which agrees with the stored WGS84 positions: the features are drawn as stored.',
    basemapFallback: 'The tiles of {name} did not load: ClusterMap\'s own basemap is shown instead, with the features in WGS84. Choose the external basemap again to retry.',
    sector: 'Sector', district: 'District', allSectors: 'All sectors', allDistricts: 'All districts',
    filterCount: '{shown} of {total} parks shown',
    legend: 'Legend', legendUniversity: 'University campus', legendInstitute: 'Research institute', legendMetro: 'Metro station',
    legendHalo: 'Faint circle: location uncertainty of the selected place',
    estimatedNote: 'Park and institute positions are estimates; every distance comes with the range their uncertainty allows.',
    details: 'Details', noSelection: 'Click a park, university or institute on the map, or search for one, to see its details.',
    kind_park: 'Industrial park', kind_university: 'University campus', kind_institute: 'Research institute', 'kind_metro-stations': 'Metro station',
    campus: 'Campus', schoolType: 'Type', source: 'Source', uncertainty: 'Location uncertainty', locationMethod: 'How the location was found',
    sharedPoint: 'Shares its estimated point with', uncertaintyValue: '± {m}', estimated: 'estimated', exact: 'source point', lines: 'Lines', notStated: 'not stated',
    showWithin: 'Parks within a radius of this place', showNearest: 'Nearest universities and institutes',
    origin: 'From', chooseOrigin: 'Choose a university or institute…', radius: 'Radius', km: 'km',
    radiusHelp: 'Choose a university (click it on the map, search, or pick it here) and set a radius of 0.5–50 km.',
    withinSummary: '{n} parks within {r} of {name}: {certain} certain, {possible} possible',
    withinNone: 'No park lies within {r} of {name}, even allowing for location uncertainty.',
    filtersApplied: 'Filters applied: {f}',
    colRank: '#', colName: 'Name', colSector: 'Sector', colDistance: 'Distance', colRange: 'Possible range', colWithin: 'Within?',
    certain: 'certain', possible: 'possible',
    possibleHelp: '“possible”: inside the radius at the estimated position, but the location uncertainty allows it to lie outside (or, for the far end, the near end only).',
    park: 'Park', choosePark: 'Choose a park…', k: 'How many', nearestHelp: 'Choose a park (click it on the map, search, or pick it here).',
    nearestUniversities: 'Nearest universities', nearestInstitutes: 'Nearest research institutes',
    matrix: 'Park × nearest targets', rings: 'Ring counts', to: 'Targets', maxKm: 'Up to (km)', ringsKm: 'Rings (km)',
    colPark: 'Park', colTarget: 'Target', colNearest: 'Nearest', colUncertainty: 'Park ±',
    ringsHelp: 'Targets within each ring of each park (cumulative); “+n?” counts the targets that may also be inside given the uncertainty.',
    downloadCsv: 'Download CSV', downloadGeoJson: 'Download GeoJSON', exportPng: 'Map as PNG', exportPdf: 'Map as PDF',
    copyLink: 'Copy link', linkCopied: 'Link copied', export: 'Export',
    loading: 'Loading…', apiError: 'The service answered with an error: {msg}', loadError: 'Could not load {what}: {msg}',
    metres: '{n} m', kilometres: '{n} km', rowsShown: '{n} rows',
    language: 'Language', openApi: 'API', mapLabel: 'Map of Shanghai',
  },
  zh: {
    title: 'ClusterMap',
    subtitle: '上海特色产业园区 · 高校 · 科研院所',
    searchPlaceholder: '搜索园区、高校、科研院所（中文或英文）',
    searchNone: '无匹配结果',
    tabAnalysis: '集群分析',
    analysisHelp: '选择一个园区，查看其科研基础：2、5、10、20 公里内的高校与科研院所（确定与可能）、按层级与学科契合度的分布，以及有出处的合作关系。',
    colBand: '范围', colCertain: '确定', colPossible: '可能', colEstimated: '按估计位置', colWeighted: '层级加权', colFit: '产业契合', colTier: '层级',
    tier_national: '国家实验室 / 设施', tier_985: '985', tier_211: '211', tier_double_first_class: '双一流', tier_other: '其他高校', tier_unrated: '未分级',
    tiers: '按层级（确定，+可能?）', partners: '合作关系（有出处）', noPartners: '没有出处提到本园区的合作关系。',
    partnerRank: '在全部机构中排第 {rank}（考虑位置不确定性为 {best}–{worst}），共 {of} 个',
    linkStatus_institution_not_in_layers: '不在 ClusterMap 图层中，未测量', linkStatus_park_not_found: '未找到园区',
    linkStatus_institution_collection_not_read: '其数据集未读取', linkStatus_institutions_not_found: '未找到机构',
    researchBaseCsv: '全部园区的科研基础（CSV）', partnersCsv: '合作关系（CSV）',
    analysisNote: '计数为累计值。“可能”：在位置不确定性允许的某处位于范围内，但不确定。产业契合是建模选择（见 docs/analysis.md）。',
    districtChart: '各区园区、校区与科研院所数量', sectorChart: '各产业园区数量', unassigned: '未分区',
    whiteSpots: '在地图上显示空白点（科研密集、附近无园区）', whiteSpotCount: '{n} 个空白点网格，其中 {certain} 个确定',
    densityLayer: '在地图上显示科研机构密度（每平方公里高校与科研院所数）', densityLegend: '每平方公里机构数（核半径 {km} 公里）', densityAtLeast: '≥ {n}',
    collectionsLink: '数据集', conformanceLink: '符合性声明', ogcMapLink: '地图（OGC API – Maps）', ogcTilesLink: '地图瓦片（OGC API – Tiles）', tileMatrixSetsLink: '瓦片矩阵集', apiDefinition: 'API 定义（OpenAPI）', landingJson: '本页的 JSON 格式',
    dataLink: '数据', dataLinkTitle: '以网页浏览数据集（表格、筛选、各要素）',
    tabExplore: '地图', tabRadius: '半径查询', tabNearest: '最近机构', tabTables: '统计表',
    layers: '图层', filters: '筛选',
    layer_parks: '特色产业园区', layer_universities: '高校', layer_institutes: '科研院所', 'layer_metro-stations': '地铁站（2017）',
    basemapOwn: 'ClusterMap 底图', basemapExternal: '外部底图：{name}',
    datumShifted: '{name} 采用 {datum}（中国地图服务商必须使用的偏移坐标系）：要素、半径圈、连线和区界也按 {datum} 绘制（由服务端转换），因此与该底图的街道吻合。所有距离仍以 WGS84 计算。',
    datumWgs84: '{name} 采用 {datum}，与存储的 WGS84 位置一致：要素按原坐标绘制。',
    basemapFallback: '{name} 的瓦片未能加载：现显示 ClusterMap 自有底图，要素以 WGS84 绘制。再次选择外部底图可重试。',
    sector: '产业方向', district: '区', allSectors: '全部产业', allDistricts: '全部区',
    filterCount: '显示 {shown} / {total} 个园区',
    legend: '图例', legendUniversity: '高校校区', legendInstitute: '科研院所', legendMetro: '地铁站',
    legendHalo: '淡色圆：所选地点的位置不确定范围',
    estimatedNote: '园区与科研院所的位置为估计值；每个距离都附有不确定性允许的范围。',
    details: '详情', noSelection: '在地图上点击园区、高校或科研院所，或搜索名称，查看详情。',
    kind_park: '特色产业园区', kind_university: '高校校区', kind_institute: '科研院所', 'kind_metro-stations': '地铁站',
    campus: '校区', schoolType: '类型', source: '来源', uncertainty: '位置不确定度', locationMethod: '定位方法',
    sharedPoint: '与之共用同一估计位置', uncertaintyValue: '± {m}', estimated: '估计位置', exact: '来源坐标', lines: '线路', notStated: '未注明',
    showWithin: '查询此地周边半径内的园区', showNearest: '最近的高校与科研院所',
    origin: '中心', chooseOrigin: '选择高校或科研院所…', radius: '半径', km: '公里',
    radiusHelp: '选择一所高校（在地图上点击、搜索或在此选择），并设定 0.5–50 公里的半径。',
    withinSummary: '{name} 周边 {r} 内有 {n} 个园区：确定 {certain} 个，可能 {possible} 个',
    withinNone: '即使考虑位置不确定性，{name} 周边 {r} 内也没有园区。',
    filtersApplied: '已应用筛选：{f}',
    colRank: '序', colName: '名称', colSector: '产业方向', colDistance: '距离', colRange: '可能范围', colWithin: '是否在内',
    certain: '确定', possible: '可能',
    possibleHelp: '“可能”：按估计位置在半径内，但考虑位置不确定性后也可能在半径外（或只有最近端在半径内）。',
    park: '园区', choosePark: '选择园区…', k: '数量', nearestHelp: '选择一个园区（在地图上点击、搜索或在此选择）。',
    nearestUniversities: '最近的高校', nearestInstitutes: '最近的科研院所',
    matrix: '园区 × 最近机构', rings: '环带计数', to: '目标', maxKm: '最远（公里）', ringsKm: '环带（公里）',
    colPark: '园区', colTarget: '目标', colNearest: '最近', colUncertainty: '园区 ±',
    ringsHelp: '每个园区各环带内的目标数（累计）；“+n?”为考虑不确定性后可能也在环内的目标数。',
    downloadCsv: '下载 CSV', downloadGeoJson: '下载 GeoJSON', exportPng: '导出地图 PNG', exportPdf: '导出地图 PDF',
    copyLink: '复制链接', linkCopied: '已复制链接', export: '导出',
    loading: '加载中…', apiError: '服务返回错误：{msg}', loadError: '无法加载{what}：{msg}',
    metres: '{n} 米', kilometres: '{n} 公里', rowsShown: '{n} 行',
    language: '语言', openApi: 'API', mapLabel: '上海地图',
  },
};

let current = 'en';

export function setLanguage(lang) {
  current = lang === 'zh' ? 'zh' : 'en';
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
}

export function language() {
  return current;
}

/** The string for key in the current language, with {name} placeholders filled from values. */
export function t(key, values = {}) {
  const text = strings[current][key] ?? strings.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : `{${name}}`));
}

/** Fills every element with data-i18n (text) or data-i18n-placeholder / data-i18n-title / data-i18n-aria (attributes). */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

/** A distance for people: metres below 1 km, otherwise km with two decimals (one from 10 km). */
export function formatDistance(meters) {
  const locale = current === 'zh' ? 'zh-CN' : 'en-GB';
  if (meters < 1000) return t('metres', { n: Math.round(meters).toLocaleString(locale) });
  const km = meters / 1000;
  return t('kilometres', { n: km.toLocaleString(locale, { maximumFractionDigits: km < 10 ? 2 : 1, minimumFractionDigits: km < 10 ? 2 : 1 }) });
}
