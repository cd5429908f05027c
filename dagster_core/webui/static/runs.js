// The newest page of runs stays current: every couple of seconds it fetches its rows again (the
// server renders them from the API, escaped by its template) and swaps them in when they changed.
const table = document.getElementById("runs");
const rows = document.getElementById("run-rows");
const POLL_MS = 2000;
let shown = rows.innerHTML;

async function refresh() {
  try {
    const response = await fetch(table.dataset.rowsUrl, { headers: { Accept: "text/html" } });
    const html = response.ok ? await response.text() : shown;
    if (html !== shown) {
      shown = html;
      rows.innerHTML = html;
      const empty = document.getElementById("no-runs");
      if (empty && rows.children.length) empty.remove();
    }
  } catch {
    // the server is away for a moment: try again at the next tick
  } finally {
    setTimeout(refresh, POLL_MS);
  }
}

if (table.dataset.live === "true") setTimeout(refresh, POLL_MS);
