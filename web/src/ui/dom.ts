type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, unknown>;

/** createElement with props (on* become listeners, class/for/aria-* become attributes) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    } else if (name === 'class' || name === 'for' || name.includes('-') || name === 'role' || name === 'style') {
      el.setAttribute(name === 'class' ? 'class' : name, value === true ? '' : String(value));
    } else {
      (el as unknown as Record<string, unknown>)[name] = value;
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let uid = 0;
export const nextId = (prefix: string) => `${prefix}-${++uid}`;

/** A labelled form field; the label is a real <label for>, errors are tied with aria-describedby. */
export function field(label: string, input: HTMLInputElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  input.id ||= nextId('f');
  const errorId = `${input.id}-error`;
  const hintEl = hint ? h('small', { id: `${input.id}-hint`, class: 'hint' }, hint) : null;
  input.setAttribute('aria-describedby', [hintEl ? hintEl.id : '', errorId].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hintEl, h('small', { id: errorId, class: 'field-error', 'aria-live': 'polite' }));
}

export function setFieldError(input: HTMLElement, messages: string[]): void {
  const error = document.getElementById(`${input.id}-error`);
  if (error) error.textContent = messages.join(' ');
  if (messages.length > 0) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

const timeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12], ['year', Infinity]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return timeFormat.format(Math.trunc(value), unit);
    value /= size;
  }
  return iso;
}

export const count = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
