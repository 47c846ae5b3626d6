/** Small DOM helpers: typed look-ups and element creation without innerHTML (no injection). */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) {
    throw new Error(`#${id} is missing from the page`);
  }
  return element as T;
}

type Child = Node | string | null | undefined | false;

/** Create an element with attributes and children; text is always set as text, never as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child);
    }
  }
  return element;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an SVG element with attributes. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

/** Show `message` in `element` (or hide it when null). */
export function showText(element: HTMLElement, message: string | null): void {
  element.textContent = message ?? "";
  element.hidden = message === null;
}

/** Announce `message` to screen readers (and show it) in the page's polite status region. */
export function announce(message: string): void {
  const status = byId("status");
  status.textContent = "";
  // A fresh text node after a tick makes screen readers read a repeated message again.
  window.setTimeout(() => {
    status.textContent = message;
  }, 50);
}
