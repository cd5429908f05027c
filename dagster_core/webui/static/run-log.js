// The run view's event log: every loaded event kept in memory (plain objects), filtered by level,
// step, event type and text, and windowed: rows have a fixed height and only the visible ones
// (plus a few) are in the DOM, so a run with 50,000 events stays fast. It follows the tail while
// the user is at the bottom.

const ROW_HEIGHT = 22;
const OVERSCAN = 10;
const LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

// "ExecutionStepStartEvent" -> "ExecutionStepStart": the type column's text.
export function eventTypeLabel(typename) {
  return typename.replace(/Event$/, "");
}

function formatTime(timestamp) {
  const date = new Date(Number(timestamp));
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(11, 23);
}

export class EventLog {
  constructor(root) {
    this.viewport = root.querySelector("#log-viewport");
    this.spacer = root.querySelector("#log-spacer");
    this.count = root.querySelector("#log-count");
    this.levelFilter = root.querySelector("#filter-level");
    this.stepFilter = root.querySelector("#filter-step");
    this.typeFilter = root.querySelector("#filter-type");
    this.textFilter = root.querySelector("#filter-text");
    this.detail = root.querySelector("#event-detail");
    this.events = []; // in stored order, from position `this.first` on
    this.first = 0;
    this.total = 0; // how many events the run has, as far as we know
    this.visible = []; // indexes into this.events that pass the filters
    this.types = new Set();
    this.frame = 0;
    this.follow = true;
    for (const filter of [this.levelFilter, this.stepFilter, this.typeFilter]) {
      filter.addEventListener("change", () => this.refilter());
    }
    this.textFilter.addEventListener("input", () => this.refilter());
    this.viewport.addEventListener("scroll", () => {
      this.follow = this.atBottom();
      this.schedule();
    });
    this.spacer.addEventListener("click", (click) => {
      const row = click.target.closest(".log-row");
      if (row) this.showDetail(this.events[Number(row.dataset.index)]);
    });
    root.querySelector("#event-detail-close").addEventListener("click", () => {
      this.detail.hidden = true;
    });
  }

  atBottom() {
    const { scrollTop, clientHeight, scrollHeight } = this.viewport;
    return scrollTop + clientHeight >= scrollHeight - ROW_HEIGHT * 1.5;
  }

  // Events at positions after the last loaded one (a page's tail, or a subscription's batch).
  append(events) {
    const start = this.events.length;
    for (let i = 0; i < events.length; i++) {
      this.events.push(events[i]);
      this.noteType(events[i]);
      if (this.matches(events[i])) this.visible.push(start + i);
    }
    this.total = Math.max(this.total, this.first + this.events.length);
    this.update();
  }

  // Events just before the first loaded one (pages loaded backwards from the tail).
  prepend(events) {
    const before = this.visible.length;
    this.events = events.concat(this.events);
    this.first -= events.length;
    events.forEach((event) => this.noteType(event));
    this.recompute();
    if (!this.follow) this.viewport.scrollTop += (this.visible.length - before) * ROW_HEIGHT;
    this.update();
  }

  noteType(event) {
    const type = event.__typename;
    if (this.types.has(type)) return;
    this.types.add(type);
    const option = document.createElement("option");
    option.value = type;
    option.textContent = eventTypeLabel(type);
    const options = [...this.typeFilter.options].slice(1);
    const next = options.find((o) => o.textContent > option.textContent);
    this.typeFilter.insertBefore(option, next || null);
  }

  matches(event) {
    const level = this.levelFilter.value;
    if (level && LEVELS.indexOf(event.level) < LEVELS.indexOf(level)) return false;
    if (this.stepFilter.value && event.stepKey !== this.stepFilter.value) return false;
    if (this.typeFilter.value && event.__typename !== this.typeFilter.value) return false;
    const text = this.textFilter.value.trim().toLowerCase();
    if (text) {
      const haystack = `${event.message}\n${event.stepKey || ""}`.toLowerCase();
      if (!haystack.includes(text)) return false;
    }
    return true;
  }

  recompute() {
    this.visible = [];
    for (let i = 0; i < this.events.length; i++) {
      if (this.matches(this.events[i])) this.visible.push(i);
    }
  }

  refilter() {
    this.recompute();
    this.follow = true;
    this.update();
  }

  update() {
    this.spacer.style.height = `${this.visible.length * ROW_HEIGHT}px`;
    if (this.follow) this.viewport.scrollTop = this.viewport.scrollHeight;
    const loading = this.first > 0 ? ` · loading earlier events (${this.events.length} of ${this.total})` : "";
    this.count.textContent = `${this.visible.length} of ${this.events.length} events shown${loading}`;
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render() {
    const top = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const shown = Math.ceil(this.viewport.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const rows = [];
    for (let i = top; i < Math.min(this.visible.length, top + shown); i++) {
      rows.push(this.row(this.visible[i], i));
    }
    this.spacer.replaceChildren(...rows);
  }

  row(index, position) {
    const event = this.events[index];
    const row = document.createElement("div");
    row.className = `log-row level-${event.level}`;
    row.dataset.index = String(index);
    row.style.top = `${position * ROW_HEIGHT}px`;
    const cells = [
      formatTime(event.timestamp),
      event.level,
      event.stepKey || "",
      eventTypeLabel(event.__typename),
      event.message,
    ];
    for (const text of cells) {
      const cell = document.createElement("span");
      cell.textContent = text;
      row.append(cell);
    }
    if (event.error) {
      const more = document.createElement("span");
      more.className = "has-stack";
      more.textContent = "▸ stack";
      row.lastChild.prepend(more);
    }
    return row;
  }

  showDetail(event) {
    if (!event) return;
    this.detail.hidden = false;
    this.detail.querySelector("#event-detail-title").textContent =
      `${formatTime(event.timestamp)} ${event.level} ${eventTypeLabel(event.__typename)}` +
      (event.stepKey ? ` · ${event.stepKey}` : "");
    const parts = [event.message];
    if (event.error) {
      parts.push("", `${event.error.className || "Error"}: ${event.error.message}`);
      parts.push(...event.error.stack.map((line) => line.replace(/\n$/, "")));
    }
    this.detail.querySelector("#event-detail-body").textContent = parts.join("\n");
  }
}
