// The list of scenarios from the catalog: one listbox that is a single Tab stop (arrow keys move
// within it), so the keyboard reaches the form after one entry, not twelve. On a narrow screen it
// folds behind a menu button that names the chosen scenario.

export function renderScenarioList(list, scenarios, onSelect, menuButton) {
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-labelledby', 'scenarios-heading');
  list.replaceChildren(...scenarios.map((s) => {
    const li = document.createElement('li');
    li.dataset.scenario = s.id;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    li.tabIndex = -1;
    li.setAttribute('aria-label', `${s.id}${s.guide ? `, guide §${s.guide}` : ''}: ${s.title}`);
    const id = document.createElement('span');
    id.className = 'scenario-id';
    id.textContent = s.id;
    const guide = document.createElement('span');
    guide.className = 'guide-ref';
    guide.textContent = s.guide ? `§${s.guide}` : '';
    const title = document.createElement('span');
    title.className = 'scenario-title';
    title.textContent = s.title;
    li.append(id, guide, title);
    return li;
  }));
  const nav = list.closest('nav');
  const setOpen = (open) => {
    nav.classList.toggle('open', open);
    menuButton.setAttribute('aria-expanded', String(open));
  };
  menuButton.addEventListener('click', () => {
    const open = !nav.classList.contains('open');
    setOpen(open);
    if (open) list.querySelector('[aria-selected="true"]')?.focus();
  });
  const choose = (li, close) => {
    onSelect(li.dataset.scenario);
    if (close && nav.classList.contains('open')) {
      setOpen(false);
      menuButton.focus();
    }
  };
  // One listener for the whole list; a click may land on any span inside an entry.
  list.addEventListener('click', (event) => {
    const li = event.target.closest('[data-scenario]');
    if (li && list.contains(li)) choose(li, true);
  });
  // Selection follows focus, as in a one-choice listbox; Enter or Space also closes the menu.
  list.addEventListener('keydown', (event) => {
    const items = [...list.querySelectorAll('[data-scenario]')];
    const at = items.indexOf(document.activeElement);
    const to = {ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1}[event.key];
    if (to !== undefined) {
      event.preventDefault();
      const li = items[Math.max(0, Math.min(items.length - 1, to))];
      li.focus();
      choose(li, false);
    } else if ((event.key === 'Enter' || event.key === ' ') && at >= 0) {
      event.preventDefault();
      choose(items[at], true);
    } else if (event.key === 'Escape' && nav.classList.contains('open')) {
      setOpen(false);
      menuButton.focus();
    }
  });
}

export function markSelected(list, id, menuButton) {
  for (const li of list.querySelectorAll('[data-scenario]')) {
    const selected = li.dataset.scenario === id;
    li.classList.toggle('selected', selected);
    li.setAttribute('aria-selected', String(selected));
    li.tabIndex = selected ? 0 : -1;
  }
  menuButton.textContent = `Scenario: ${id}`;
}
