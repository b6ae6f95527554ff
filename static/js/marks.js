// The judge's tablet: every mark is saved as it is entered; marks waiting to be sent are kept in
// localStorage and sent in order when the connection returns, each with its own idempotency key,
// so that a mark sent twice is stored once and nothing typed is lost by a reload or a restart.
(function () {
  "use strict";
  const sheet = document.querySelector("[data-mark-sheet]");
  if (!sheet) return;
  sheet.addEventListener("submit", (event) => event.preventDefault()); // marks are sent one by one, never as a form

  const api = sheet.dataset.api;
  const station = sheet.dataset.station;
  const storageKey = `compete-marks-${sheet.dataset.link}`;
  const banner = document.querySelector("[data-sync-banner]");
  const bannerText = banner.querySelector("[data-sync-text]");
  const rows = new Map([...sheet.querySelectorAll("[data-criterion]")].map((row) => [row.dataset.criterion, row]));
  let sending = false;

  // The queue: at most one waiting change per mark, in the order they were made.
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(storageKey)) || []; } catch (error) { return []; }
  }
  function saveQueue(queue) { localStorage.setItem(storageKey, JSON.stringify(queue)); }
  function newKey() {
    return (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);
  }

  function setState(row, state, message) {
    const label = row.querySelector("[data-state]");
    label.textContent = state ? sheet.dataset[`state${state[0].toUpperCase()}${state.slice(1)}`] : "";
    label.className = `mark-state mark-state-${state || "none"}`;
    row.querySelector("[data-problem]").textContent = message || "";
  }

  function showValue(row, value) {
    const input = row.querySelector("[data-input]");
    if (input) input.value = value;
    row.querySelectorAll("[data-score]").forEach((button) => {
      button.classList.toggle("active", Number(button.dataset.score) === Number(value));
    });
  }

  function updateBanner() {
    const waiting = loadQueue().length;
    banner.classList.toggle("alert-warning", waiting > 0);
    banner.classList.toggle("alert-secondary", waiting === 0);
    const template = waiting === 0 ? banner.dataset.textSaved
      : (navigator.onLine && sending ? banner.dataset.textSending : banner.dataset.textWaiting);
    bannerText.textContent = template.replace("{count}", waiting);
  }

  function sameMark(a, b) { return a.station === b.station && a.criterion === b.criterion; }

  function enqueue(row, value) {
    // A waiting change replaces an older one of the same mark, unless the older one was sent: it may be stored
    // already (its answer lost), so it goes again with its own key, and the new change follows it.
    const mark = { station, criterion: row.dataset.criterion };
    const queue = loadQueue().filter((change) => change.sent || !sameMark(change, mark));
    queue.push({ station, criterion: row.dataset.criterion, value: String(value).trim(), base: Number(row.dataset.version), key: newKey(), api });
    saveQueue(queue);
    setState(row, "waiting");
    updateBanner();
    send();
  }

  async function refreshVersions() {
    const response = await fetch(api, { headers: { Accept: "application/json" } }).catch(() => null);
    const answer = response && response.ok ? await response.json().catch(() => null) : null;
    if (!answer) return;
    rows.forEach((row, criterion) => { row.dataset.version = answer.marks[criterion] ? answer.marks[criterion].version : 0; });
  }

  async function send() {
    if (sending) return;
    sending = true;
    updateBanner();
    try {
      let queue = loadQueue();
      while (queue.length) {
        const change = queue[0];
        if (!change.sent) { change.sent = true; saveQueue([change, ...loadQueue().filter((waiting) => waiting.key !== change.key)]); }
        let response;
        try {
          response = await fetch(`${change.api}/marks/${change.criterion}`, {
            method: "PUT",
            headers: { "Content-Type": "application/json", "X-CSRFToken": sheet.dataset.csrf, Accept: "application/json" },
            body: JSON.stringify({ value: change.value, base_version: change.base, key: change.key }),
          });
        } catch (error) {
          break; // offline: keep the queue, try again when the connection returns
        }
        if (response.status >= 500 || response.status === 429) break;
        const answer = await response.json().catch(() => ({}));
        const row = change.station === station ? rows.get(change.criterion) : null;
        const later = loadQueue().some((waiting) => waiting.key !== change.key && sameMark(waiting, change));
        if (response.ok) {
          if (row) { row.dataset.version = answer.version; row.dataset.value = answer.value; if (!later) setState(row, "saved"); }
        } else if (row) {
          setState(row, "refused", answer.error || response.statusText);
          if (answer.field === "version") await refreshVersions(); // so that the judge's next entry is not stale
        }
        // The changes of this mark made meanwhile now change the version just stored.
        queue = loadQueue().filter((waiting) => waiting.key !== change.key)
          .map((waiting) => (response.ok && sameMark(waiting, change) ? { ...waiting, base: answer.version } : waiting));
        saveQueue(queue);
        updateBanner();
      }
    } finally {
      sending = false;
      updateBanner();
    }
  }

  rows.forEach((row) => {
    const input = row.querySelector("[data-input]");
    if (input) {
      input.addEventListener("change", () => { if (input.value.trim() !== "") enqueue(row, input.value); });
      input.addEventListener("keydown", (event) => { if (event.key === "Enter") input.blur(); });
    }
    row.querySelectorAll("[data-score]").forEach((button) => {
      button.addEventListener("click", () => { showValue(row, button.dataset.score); enqueue(row, button.dataset.score); });
    });
  });

  // What was typed before a reload or restart and not yet sent is shown again, waiting.
  loadQueue().forEach((change) => {
    if (change.station !== station) return;
    const row = rows.get(change.criterion);
    if (row) { showValue(row, change.value); setState(row, "waiting"); }
  });

  const submit = document.querySelector("[data-submit-button]");
  if (submit) {
    submit.addEventListener("click", async () => {
      if (loadQueue().length) { send(); return; }
      if (!confirm(submit.dataset.confirm)) return;
      const response = await fetch(`${api}/submit`, { method: "POST", headers: { "X-CSRFToken": sheet.dataset.csrf, Accept: "application/json" } }).catch(() => null);
      if (response && response.ok) { window.location.reload(); return; }
      const answer = response ? await response.json().catch(() => ({})) : {};
      banner.classList.add("alert-danger");
      bannerText.textContent = answer.error || banner.dataset.textWaiting.replace("{count}", loadQueue().length);
    });
  }

  window.addEventListener("online", send);
  window.addEventListener("offline", updateBanner);
  setInterval(send, 5000);
  updateBanner();
  // Marks typed before this point would have no listener; the flag tells tests (and styles) the sheet is live.
  sheet.dataset.ready = "true";
  send();
})();
