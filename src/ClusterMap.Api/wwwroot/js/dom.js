// Small helpers for building the page's elements.
import { t } from './i18n.js';

export const $ = (selector) => document.querySelector(selector);

export const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

export function escapeHtml(text) {
  const div = document.createElement('div');
  div.textContent = text ?? '';
  return div.innerHTML;
}

export function setStatus(text, kind = '') {
  const status = $('#status');
  status.textContent = text;
  status.className = `status ${kind}`;
  status.hidden = !text;
}

/** The service's error (its problem+json detail) in place of a result. */
export function showError(box, error) {
  const alert = el('div', 'error', t('apiError', { msg: error.message }));
  alert.setAttribute('role', 'alert');
  box.replaceChildren(alert);
}
