// The left-hand list of scenarios from the catalog.

export function renderScenarioList(list, scenarios, onSelect) {
  list.replaceChildren(...scenarios.map((s) => {
    const li = document.createElement('li');
    li.dataset.scenario = s.id;
    const button = document.createElement('button');
    button.type = 'button';
    const id = document.createElement('span');
    id.className = 'scenario-id';
    id.textContent = s.id;
    const guide = document.createElement('span');
    guide.className = 'guide-ref';
    guide.textContent = s.guide ? `§${s.guide}` : '';
    const title = document.createElement('span');
    title.className = 'scenario-title';
    title.textContent = s.title;
    button.append(id, guide, title);
    li.append(button);
    return li;
  }));
  // One listener for the whole list; the test clicks the li itself, so look up from whatever was hit.
  list.addEventListener('click', (event) => {
    const li = event.target.closest('[data-scenario]');
    if (li && list.contains(li)) onSelect(li.dataset.scenario);
  });
}

export function markSelected(list, id) {
  for (const li of list.querySelectorAll('[data-scenario]')) {
    const selected = li.dataset.scenario === id;
    li.classList.toggle('selected', selected);
    li.querySelector('button').setAttribute('aria-current', selected ? 'true' : 'false');
  }
}
