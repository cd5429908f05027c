// The run view, live: the event log loaded in pages (the tail first, then backwards) and followed
// through the `pipelineRunLogs` subscription from the last loaded event; the summary (status,
// actions, steps, Gantt) re-rendered by the server as step and run events arrive; a step's
// stdout/stderr through `computeLogs`; Terminate and the re-executions through the API.
import { graphql, subscribe, url } from "./graphql.js";
import { EventLog } from "./run-log.js";

const TAIL = 2000; // the first page: the newest events, shown at once
const PAGE = 10000; // the pages before it, loaded backwards
const REFRESH_MS = 1000; // how often the summary is redrawn at most (running bars grow)

const EVENT_FIELDS = `
  __typename
  ... on MessageEvent { message timestamp level stepKey }
  ... on ExecutionStepFailureEvent { error { message className stack } }
  ... on ExecutionStepUpForRetryEvent { error { message className stack } }
  ... on PipelineFailureEvent { error { message className stack } }
  ... on EngineEvent { error { message className stack } }
`;
const LOGS = `
query RunLogs($runId: String!, $after: Cursor, $limit: Int) {
  pipelineRunOrError(runId: $runId) {
    __typename
    ... on PipelineRun {
      logs(after: $after, limit: $limit) {
        nodes { ${EVENT_FIELDS} }
        pageInfo { lastCursor hasNextPage totalCount }
      }
    }
  }
}`;
const RUN_LOGS = `
subscription RunLogsLive($runId: ID!, $after: Cursor) {
  pipelineRunLogs(runId: $runId, after: $after) {
    __typename
    ... on PipelineRunLogsSubscriptionSuccess { messages { ${EVENT_FIELDS} } }
    ... on PipelineRunLogsSubscriptionFailure { message }
  }
}`;
const COMPUTE_LOGS = `
subscription StepOutput($runId: ID!, $stepKey: String!, $ioType: ComputeIOType!) {
  computeLogs(runId: $runId, stepKey: $stepKey, ioType: $ioType) { data cursor }
}`;
const TERMINATE = `
mutation Terminate($runId: String!) {
  terminatePipelineExecution(runId: $runId) {
    __typename
    ... on TerminatePipelineExecutionFailure { message }
    ... on PipelineRunNotFoundError { message }
    ... on PythonError { message }
  }
}`;
const LAUNCH = `
mutation Reexecute($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchPipelineExecutionSuccess { run { runId } }
    ... on InvalidStepError { message }
    ... on PipelineConfigValidationInvalid { errors { message } }
    ... on PipelineNotFoundError { message }
    ... on ModeNotFoundError { message }
    ... on PresetNotFoundError { message }
    ... on PipelineRunNotFoundError { message }
    ... on RunConflict { message }
    ... on PythonError { message }
  }
}`;
// Events that change the summary: a step's or the run's state.
const SUMMARY_EVENTS = new Set([
  "ExecutionStepStartEvent",
  "ExecutionStepRestartEvent",
  "ExecutionStepSuccessEvent",
  "ExecutionStepFailureEvent",
  "ExecutionStepSkippedEvent",
  "ExecutionStepUpForRetryEvent",
  "PipelineStartEvent",
  "PipelineSuccessEvent",
  "PipelineFailureEvent",
  "PipelineCanceledEvent",
  "EngineEvent",
]);

const view = document.getElementById("run-view");
const runId = view.dataset.runId;
const pipelineName = view.dataset.pipeline;
const summaryRoot = document.getElementById("run-summary");
const actionError = document.getElementById("action-error");
const log = new EventLog(document.getElementById("event-log"));

function summary() {
  return summaryRoot.querySelector(".run-summary");
}

function showError(message) {
  actionError.textContent = message;
  actionError.hidden = !message;
}

// -- the summary, re-rendered by the server --------------------------------------------------

let refreshing = false;
let refreshAgain = false;
let live = false;
let timer = 0;

function scheduleRefresh() {
  if (!timer) {
    timer = setTimeout(() => {
      timer = 0;
      refreshSummary();
    }, REFRESH_MS);
  }
}

async function refreshSummary() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    const response = await fetch(url(`/runs/${encodeURIComponent(runId)}/summary`));
    if (response.ok) {
      const scrolls = [...summaryRoot.querySelectorAll(".steps-wrap, .gantt-wrap")].map(
        (element) => [element.scrollTop, element.scrollLeft],
      );
      summaryRoot.innerHTML = await response.text();
      summaryRoot.querySelectorAll(".steps-wrap, .gantt-wrap").forEach((element, i) => {
        if (scrolls[i]) [element.scrollTop, element.scrollLeft] = scrolls[i];
      });
    }
  } finally {
    refreshing = false;
  }
  if (refreshAgain || (live && summary().dataset.active === "true")) {
    refreshAgain = false;
    scheduleRefresh();
  }
}

// -- the event log -----------------------------------------------------------------------------

async function logsPage(after, limit) {
  const data = await graphql(LOGS, { runId, after, limit });
  const run = data.pipelineRunOrError;
  if (run.__typename !== "PipelineRun") throw new Error(`run ${runId} is gone`);
  return run.logs;
}

async function loadEvents() {
  const total = Number(summary().dataset.eventCount);
  const tailAfter = Math.max(-1, total - TAIL - 1);
  const tail = await logsPage(tailAfter, TAIL);
  log.first = tailAfter + 1;
  log.total = tail.pageInfo.totalCount;
  log.append(tail.nodes);
  const cursor = tailAfter + tail.nodes.length;
  follow(cursor);
  while (log.first > 0) {
    const after = Math.max(-1, log.first - PAGE - 1);
    const page = await logsPage(after, log.first - after - 1);
    log.prepend(page.nodes);
  }
  log.update();
}

function follow(cursor) {
  live = summary().dataset.active === "true";
  if (live) scheduleRefresh();
  subscribe(
    RUN_LOGS,
    { runId, after: cursor },
    (data) => {
      const payload = data.pipelineRunLogs;
      if (payload.__typename !== "PipelineRunLogsSubscriptionSuccess") {
        showError(payload.message);
        return;
      }
      log.append(payload.messages);
      if (live && payload.messages.some((event) => SUMMARY_EVENTS.has(event.__typename))) {
        refreshSummary();
      }
    },
    (error) => {
      if (error) showError(`Live updates stopped: ${error.message}`);
      if (live) refreshSummary();
      live = false;
    },
  );
}

// -- a step's stdout and stderr ----------------------------------------------------------------

const panel = document.getElementById("step-panel");
const output = document.getElementById("compute-log");
const stepOutput = { key: null, io: "STDOUT", text: { STDOUT: "", STDERR: "" }, stops: [] };

function showOutput() {
  output.textContent = stepOutput.text[stepOutput.io] || `(no ${stepOutput.io.toLowerCase()})`;
  panel.querySelectorAll(".tab").forEach((tab) => {
    tab.classList.toggle("active", tab.dataset.io === stepOutput.io);
    tab.setAttribute("aria-selected", String(tab.dataset.io === stepOutput.io));
  });
}

function openStep(stepKey) {
  stepOutput.stops.forEach((stop) => stop());
  Object.assign(stepOutput, { key: stepKey, io: "STDOUT", text: { STDOUT: "", STDERR: "" } });
  panel.hidden = false;
  document.getElementById("step-panel-key").textContent = stepKey;
  showOutput();
  stepOutput.stops = ["STDOUT", "STDERR"].map((ioType) =>
    subscribe(
      COMPUTE_LOGS,
      { runId, stepKey, ioType },
      (data) => {
        if (stepOutput.key !== stepKey || !data.computeLogs) return;
        stepOutput.text[ioType] += data.computeLogs.data;
        showOutput();
      },
      (error) => {
        if (error && stepOutput.key === stepKey) stepOutput.text[ioType] += `\n[${error.message}]`;
      },
    ),
  );
  panel.scrollIntoView({ block: "nearest" });
}

panel.querySelectorAll(".tab").forEach((tab) =>
  tab.addEventListener("click", () => {
    stepOutput.io = tab.dataset.io;
    showOutput();
  }),
);
document.getElementById("step-panel-close").addEventListener("click", () => {
  stepOutput.stops.forEach((stop) => stop());
  stepOutput.key = null;
  panel.hidden = true;
});

// -- actions -------------------------------------------------------------------------------------

async function terminate() {
  const answer = (await graphql(TERMINATE, { runId })).terminatePipelineExecution;
  if (answer.__typename !== "TerminatePipelineExecutionSuccess") throw new Error(answer.message);
  refreshSummary();
}

async function reexecute(stepKeys) {
  const params = { selector: { name: pipelineName }, retryRunId: runId, stepKeys };
  const answer = (await graphql(LAUNCH, { params })).launchPipelineExecution;
  if (answer.__typename === "LaunchPipelineExecutionSuccess") {
    location.assign(url(`/runs/${encodeURIComponent(answer.run.runId)}`));
    return;
  }
  const errors = answer.errors ? answer.errors.map((e) => e.message).join("\n") : answer.message;
  throw new Error(`Could not re-execute: ${errors}`);
}

// Every step of the run: its plan's, else (the code no longer plans it) the steps in the table.
function allSteps() {
  const planned = JSON.parse(summary().dataset.planSteps);
  if (planned.length) return planned;
  return [...summary().querySelectorAll("#steps tr[data-step-key]")].map((row) => row.dataset.stepKey);
}

const ACTIONS = {
  terminate,
  "reexecute-all": () => reexecute(allSteps()),
  "reexecute-failed": () => reexecute(null),
  "reexecute-step": () => reexecute([stepOutput.key]),
  "open-step": (button) => openStep(button.dataset.stepKey),
};

view.addEventListener("click", async (click) => {
  const button = click.target.closest("button[data-action]");
  if (!button) return;
  showError("");
  button.disabled = true;
  try {
    await ACTIONS[button.dataset.action](button);
  } catch (error) {
    showError(error.message);
  } finally {
    button.disabled = false;
  }
});

loadEvents().catch((error) => showError(`Could not load the events: ${error.message}`));
