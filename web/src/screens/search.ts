import type { App } from '../app';
import { h } from '../ui/dom';
import { infiniteList } from '../ui/list';
import { SearchInput } from '../searchInput';
import { personRow } from './profile';

/** People search (#/search): as-you-type, IME-aware, paged by cursor. */
export function searchScreen(app: App): HTMLElement {
  const results = h('div', { class: 'search-results', 'aria-live': 'polite' });
  const field = h('input', { id: 'people-search', type: 'search', name: 'query', autocomplete: 'off', maxLength: 50, enterKeyHint: 'search' });
  const search = new SearchInput({
    onQuery: (query) => {
      results.replaceChildren(query === ''
        ? h('p', { class: 'muted' }, 'Type the start of a name or username.')
        : infiniteList(app.users.search(query), {
          label: `People matching ${query}`,
          empty: `No one matches “${query}”.`,
          render: (p) => personRow(app, p),
          className: 'people',
        }));
    },
  });
  field.addEventListener('compositionstart', () => search.compositionStart());
  field.addEventListener('compositionend', () => search.compositionEnd(field.value));
  field.addEventListener('input', (e) => search.input(field.value, (e as InputEvent).isComposing === true));
  field.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.isComposing) { e.preventDefault(); search.flush(); } });
  search.input('');
  return h('div', { class: 'search' },
    h('h1', { tabIndex: -1 }, 'Search people'),
    h('form', { role: 'search', onsubmit: (e: Event) => { e.preventDefault(); search.flush(); } },
      h('label', { for: 'people-search' }, 'Name or username'), field),
    results);
}
