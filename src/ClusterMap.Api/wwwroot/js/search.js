// The search box: parks, universities and institutes by any of their names, in either language, as a listbox the
// keyboard can walk.
import { t } from './i18n.js';
import { $, el } from './dom.js';
import { data, page } from './session.js';
import { key, names } from './names.js';
import { choose } from './selection.js';

export function wireSearch() {
  const input = $('#search');
  const list = $('#search-results');
  let active = -1;
  const close = () => {
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
  };
  const pick = (ref) => {
    close();
    input.value = '';
    choose(ref, { fly: true });
  };
  input.addEventListener('input', () => {
    const query = input.value.trim().toLowerCase();
    list.replaceChildren();
    active = -1;
    if (!query) return close();
    const matches = [];
    for (const collection of [page.roles.parks, ...page.roles.research]) {
      for (const f of data[collection]?.features ?? []) {
        const p = f.properties;
        const haystack = [p.name_zh, p.name_en, p.campus_zh, p.campus_en, names(f).primary, names(f).secondary].filter(Boolean).join(' | ').toLowerCase();
        if (haystack.includes(query)) matches.push({ collection, f });
      }
    }
    for (const { collection, f } of matches.slice(0, 12)) {
      const item = el('li');
      item.setAttribute('role', 'option');
      item.dataset.ref = key(collection, f.id);
      const n = names(f);
      item.append(el('span', 'name', n.primary), el('span', 'secondary', [n.secondary, t(`kind_${collection}`)].filter(Boolean).join(' · ')));
      item.addEventListener('mousedown', (e) => {
        e.preventDefault();
        pick(item.dataset.ref);
      });
      list.append(item);
    }
    if (!matches.length) list.append(el('li', 'none', t('searchNone')));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  });
  input.addEventListener('keydown', (e) => {
    const items = [...list.querySelectorAll('li[data-ref]')];
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items.forEach((item, i) => item.classList.toggle('active', i === active));
    } else if (e.key === 'Enter' && items.length) {
      pick(items[Math.max(active, 0)].dataset.ref);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}
