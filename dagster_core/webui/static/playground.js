// The playground: a YAML run config editor validated as you type (the API parses the YAML),
// a scaffold from the config schema, presets, and Launch. The editor's text is kept per
// pipeline in sessionStorage, so leaving and coming back keeps it.
import { graphql, settings, url } from "./graphql.js";

const VALIDATE_DELAY_MS = 300;
const INDENT = "  ";
// The scaffold's top-level keys in the order a reader looks for them.
const ROOT_ORDER = ["solids", "execution", "storage", "resources", "loggers"];

const VALIDATE = `
query ($name: String!, $config: EnvironmentConfigData, $mode: String) {
  isPipelineConfigValid(pipeline: {name: $name}, environmentConfigData: $config, mode: $mode) {
    __typename
    ... on PipelineConfigValidationInvalid { errors { path reason message } }
    ... on PipelineNotFoundError { message }
    ... on ModeNotFoundError { message }
    ... on PythonError { message }
  }
}`;

const SCHEMA = `
query ($name: String!, $mode: String) {
  environmentSchemaOrError(selector: {name: $name}, mode: $mode) {
    __typename
    ... on EnvironmentSchema {
      rootEnvironmentType { key }
      allConfigTypes {
        __typename key name isSelector
        ... on CompositeConfigType { fields { name configTypeKey isOptional defaultValue } }
        ... on EnumConfigType { values { value } }
        ... on WrappingConfigType { ofType { key } }
        ... on ScalarUnionConfigType { scalarType { key } }
      }
    }
    ... on PipelineNotFoundError { message }
    ... on ModeNotFoundError { message }
    ... on PythonError { message }
  }
}`;

const LAUNCH = `
mutation ($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchPipelineExecutionSuccess { run { runId } }
    ... on PipelineConfigValidationInvalid { errors { path reason message } }
    ... on PipelineNotFoundError { message }
    ... on ModeNotFoundError { message }
    ... on PresetNotFoundError { message }
    ... on RunConflict { message }
    ... on PythonError { message }
  }
}`;

const root = document.getElementById("playground");
const pipeline = root.dataset.pipeline;
const presets = JSON.parse(root.dataset.presets);
const editor = document.getElementById("config");
const gutter = document.getElementById("gutter");
const lineMarks = document.getElementById("line-marks");
const modeSelect = document.getElementById("mode");
const presetSelect = document.getElementById("preset");
const stateLabel = document.getElementById("validation-state");
const errorList = document.getElementById("errors");
const launchError = document.getElementById("launch-error");
const launchButton = document.getElementById("launch");
const executorChoices = document.getElementById("executor-choices");
const STORAGE_KEY = `dagit-playground:${pipeline}`;

// What the editor holds and where it came from: `presetText` is the preset's YAML as filled in,
// so that an unchanged preset launches by name (its YAML here has credentials shown as ***).
let state = initialState();
let schema = null;
let schemaLoaded = null;
let validateTimer = null;
let validation = 0;

function initialState() {
  const fromPage = { text: "", mode: root.dataset.mode, preset: "", presetText: null };
  const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
  const params = new URLSearchParams(location.search);
  const asked = root.dataset.preset;
  if (saved && !(asked && asked !== saved.preset) && !(params.has("mode") && params.get("mode") !== saved.mode)) {
    return saved;
  }
  if (asked) {
    const preset = presets.find((p) => p.name === asked);
    return { text: preset.environmentConfigYaml, mode: preset.mode, preset: asked, presetText: preset.environmentConfigYaml };
  }
  return { ...fromPage, text: saved ? saved.text : "" };
}

function save() {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
}

function usesPresetUnchanged() {
  return Boolean(state.preset) && state.text === state.presetText;
}

// -- the editor: line numbers and marked lines --------------------------------------------

function lineCount() {
  return editor.value.split("\n").length;
}

function renderGutter(marked = new Set()) {
  const count = lineCount();
  const numbers = [];
  for (let line = 1; line <= count; line++) {
    const div = document.createElement("div");
    div.textContent = String(line);
    div.dataset.line = String(line);
    if (marked.has(line)) div.className = "marked";
    numbers.push(div);
  }
  gutter.replaceChildren(...numbers);
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight);
  const paddingTop = parseFloat(getComputedStyle(editor).paddingTop);
  lineMarks.replaceChildren(
    ...[...marked].filter((line) => line <= count).map((line) => {
      const mark = document.createElement("div");
      mark.className = "line-mark";
      mark.dataset.line = String(line);
      mark.style.top = `${paddingTop + (line - 1) * lineHeight}px`;
      mark.style.height = `${lineHeight}px`;
      return mark;
    }),
  );
  syncScroll();
}

function syncScroll() {
  gutter.scrollTop = editor.scrollTop;
  lineMarks.style.transform = `translateY(${-editor.scrollTop}px)`;
}

// The 1-based line of each key path in block-style YAML ("solids.add.config" → 3); keys in
// flow style ({a: 1}) or under list items are not mapped: best effort, for marking lines.
function keyLines(text) {
  const lines = new Map();
  const stack = [];
  text.split("\n").forEach((line, index) => {
    const match = /^(\s*)(- +)?(["']?)([^"'#:\s][^#:]*?)\3\s*:(\s|$)/.exec(line);
    if (!match) return;
    const indent = match[1].length + (match[2] ? match[2].length : 0);
    while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    stack.push({ indent, key: match[4] });
    const path = stack.map((entry) => entry.key).join(".");
    if (!lines.has(path)) lines.set(path, index + 1);
  });
  return lines;
}

// The line an error is at: its path's line (or its nearest parent's), or the line a YAML
// error names.
function errorLine(error, lines) {
  for (let length = error.path.length; length > 0; length--) {
    const line = lines.get(error.path.slice(0, length).join("."));
    if (line) return line;
  }
  const named = /\bline (\d+), column \d+/.exec(error.message);
  return named ? Number(named[1]) : null;
}

// -- validation ---------------------------------------------------------------------------

function setState(name, text) {
  stateLabel.dataset.state = name;
  stateLabel.textContent = text;
}

function showErrors(errors) {
  const lines = keyLines(editor.value);
  const marked = new Set();
  errorList.replaceChildren(
    ...errors.map((error) => {
      const item = document.createElement("li");
      item.className = "config-error";
      const line = errorLine(error, lines);
      if (line) marked.add(line);
      const where = document.createElement("code");
      where.className = "path";
      where.textContent = error.path.length ? error.path.join(".") : "(run config)";
      const reason = document.createElement("span");
      reason.className = "reason";
      reason.textContent = error.reason;
      const message = document.createElement("div");
      message.className = "message";
      message.textContent = error.message;
      item.append(where, reason, message);
      if (line) {
        item.dataset.line = String(line);
        const at = document.createElement("span");
        at.className = "at-line";
        at.textContent = `line ${line}`;
        item.insertBefore(at, reason);
        item.addEventListener("click", () => goToLine(line));
      }
      return item;
    }),
  );
  renderGutter(marked);
}

function showProblem(text) {
  const item = document.createElement("li");
  item.className = "config-error";
  item.textContent = text;
  errorList.replaceChildren(item);
  renderGutter();
}

function goToLine(line) {
  const starts = editor.value.split("\n").slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
  editor.focus();
  editor.setSelectionRange(starts, starts);
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight);
  editor.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

async function validate() {
  const mine = ++validation;
  setState("pending", "checking…");
  let answer;
  try {
    const data = await graphql(VALIDATE, { name: pipeline, config: editor.value, mode: state.mode });
    answer = data.isPipelineConfigValid;
  } catch (error) {
    if (mine !== validation) return;
    setState("problem", "cannot check");
    showProblem(error.message);
    return;
  }
  if (mine !== validation) return; // the text changed while this one was asked
  if (answer.__typename === "PipelineConfigValidationValid") {
    setState("valid", "valid");
    const ok = document.createElement("li");
    ok.className = "config-valid";
    ok.textContent = `The run config is valid for mode ${state.mode}.`;
    errorList.replaceChildren(ok);
    renderGutter();
  } else if (answer.__typename === "PipelineConfigValidationInvalid") {
    const count = answer.errors.length;
    setState("invalid", `${count} error${count === 1 ? "" : "s"}`);
    showErrors(answer.errors);
  } else {
    setState("problem", "cannot check");
    showProblem(answer.message);
  }
}

function validateSoon() {
  clearTimeout(validateTimer);
  setState("pending", "checking…");
  validateTimer = setTimeout(validate, VALIDATE_DELAY_MS);
}

// -- the schema: executor choices and the scaffold ------------------------------------------

async function loadSchema() {
  schema = null;
  const data = await graphql(SCHEMA, { name: pipeline, mode: state.mode });
  const answer = data.environmentSchemaOrError;
  if (answer.__typename !== "EnvironmentSchema") {
    executorChoices.textContent = answer.message;
    return;
  }
  const types = new Map(answer.allConfigTypes.map((type) => [type.key, type]));
  schema = { types, root: types.get(answer.rootEnvironmentType.key) || { key: answer.rootEnvironmentType.key } };
  const execution = (schema.root.fields || []).find((field) => field.name === "execution");
  const choices = execution ? (types.get(execution.configTypeKey).fields || []).map((f) => f.name) : [];
  executorChoices.replaceChildren(
    ...choices.flatMap((choice, index) => {
      const code = document.createElement("code");
      code.textContent = choice;
      return index ? [", ", code] : [code];
    }),
  );
}

function typeOf(key) {
  return schema.types.get(key) || { __typename: "RegularConfigType", key, name: key };
}

function yamlKey(name) {
  return /^[A-Za-z_][\w.-]*$/.test(name) ? name : JSON.stringify(name);
}

function yamlScalar(value) {
  if (typeof value === "string") return /^[A-Za-z_][\w./-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

// `value` (parsed from a default) as YAML lines under a key at `indent`.
function yamlValueLines(name, value, indent) {
  const pad = " ".repeat(indent);
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length) {
    return [`${pad}${yamlKey(name)}:`, ...Object.entries(value).flatMap(([k, v]) => yamlValueLines(k, v, indent + 2))];
  }
  return [`${pad}${yamlKey(name)}: ${value && typeof value === "object" ? JSON.stringify(value) : yamlScalar(value)}`];
}

function placeholder(type) {
  if (type.__typename === "EnumConfigType") return type.values.length ? type.values[0].value : "";
  if (type.__typename === "ScalarUnionConfigType") return placeholder(typeOf(type.scalarType.key));
  if (type.__typename === "ListConfigType") return [];
  return { Int: 0, Float: 0.0, Bool: false, String: "" }[type.name] ?? null;
}

function summary(type) {
  if (type.__typename === "NullableConfigType") return summary(typeOf(type.ofType.key));
  if (type.__typename === "ListConfigType") return `[${summary(typeOf(type.ofType.key))}]`;
  if (type.__typename === "EnumConfigType") return type.values.map((v) => v.value).join(" | ");
  if (type.__typename === "CompositeConfigType") {
    const names = type.fields.map((f) => f.name);
    return type.isSelector ? `one of ${names.join(" | ")}` : `{${names.join(", ")}}`;
  }
  return type.name || type.key;
}

// Lines for one field at `indent`: required fields always (a placeholder where there is no
// default), optional ones with their defaults, and a comment for what else may be set.
function fieldLines(field, indent) {
  const pad = " ".repeat(indent);
  let type = typeOf(field.configTypeKey);
  while (type.__typename === "NullableConfigType") type = typeOf(type.ofType.key);
  const hasDefault = field.defaultValue != null && field.defaultValue !== "{}";
  const comment = [`${pad}# ${yamlKey(field.name)}: ${summary(type)}`];
  if (type.__typename === "CompositeConfigType" && type.isSelector) {
    if (hasDefault) {
      const [head, ...rest] = yamlValueLines(field.name, JSON.parse(field.defaultValue), indent);
      return [`${head}  # ${summary(type)}`, ...rest];
    }
    if (field.isOptional) return comment;
    const [first] = type.fields;
    return [`${pad}${yamlKey(field.name)}:  # ${summary(type)}`, ...fieldLines({ ...first, isOptional: false }, indent + 2)];
  }
  if (type.__typename === "CompositeConfigType") {
    if (!type.fields.length && field.isOptional) return []; // nothing that could be set
    const inner = type.fields.flatMap((f) => fieldLines(f, indent + 2));
    if (inner.some((line) => !line.trim().startsWith("#"))) return [`${pad}${yamlKey(field.name)}:`, ...inner];
    if (field.isOptional) return comment;
    return [`${pad}${yamlKey(field.name)}: {}`];
  }
  if (hasDefault) return yamlValueLines(field.name, JSON.parse(field.defaultValue), indent);
  if (field.isOptional) return comment;
  return yamlValueLines(field.name, placeholder(type), indent);
}

async function scaffold() {
  await schemaLoaded;
  if (!schema) return;
  const order = (field) => {
    const index = ROOT_ORDER.indexOf(field.name);
    return index < 0 ? ROOT_ORDER.length : index;
  };
  const fields = [...(schema.root.fields || [])].sort((a, b) => order(a) - order(b));
  const lines = fields.flatMap((field) => fieldLines(field, 0));
  setText(lines.join("\n") + "\n");
}

// -- state changes ---------------------------------------------------------------------------

function setText(text) {
  editor.value = text;
  state.text = text;
  save();
  renderGutter();
  validateSoon();
}

function selectPreset(name) {
  state.preset = name;
  const preset = presets.find((p) => p.name === name);
  if (preset) {
    state.mode = preset.mode;
    modeSelect.value = preset.mode;
    state.presetText = preset.environmentConfigYaml;
    setText(preset.environmentConfigYaml);
    schemaLoaded = loadSchema();
  } else {
    state.presetText = null;
    save();
  }
}

function showLaunchError(text) {
  launchError.hidden = false;
  launchError.textContent = text;
}

async function launch() {
  launchButton.disabled = true;
  launchError.hidden = true;
  const params = { selector: { name: pipeline }, mode: state.mode };
  if (usesPresetUnchanged()) params.preset = state.preset;
  else params.environmentConfigData = editor.value;
  try {
    const data = await graphql(LAUNCH, { params });
    const answer = data.launchPipelineExecution;
    if (answer.__typename === "LaunchPipelineExecutionSuccess") {
      location.assign(url(`/runs/${encodeURIComponent(answer.run.runId)}`));
      return;
    }
    if (answer.__typename === "PipelineConfigValidationInvalid") {
      const count = answer.errors.length;
      showLaunchError(`Not launched: the run config has ${count} error${count === 1 ? "" : "s"}.`);
      setState("invalid", `${count} error${count === 1 ? "" : "s"}`);
      showErrors(answer.errors);
    } else {
      showLaunchError(`Not launched: ${answer.message}`);
    }
  } catch (error) {
    showLaunchError(`Not launched: ${error.message}`);
  } finally {
    launchButton.disabled = false;
  }
}

editor.addEventListener("input", () => {
  state.text = editor.value;
  save();
  renderGutter();
  validateSoon();
});
editor.addEventListener("scroll", syncScroll);
editor.addEventListener("keydown", (event) => {
  if (event.key !== "Tab" || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
  event.preventDefault();
  editor.setRangeText(INDENT, editor.selectionStart, editor.selectionEnd, "end");
  editor.dispatchEvent(new Event("input"));
});
modeSelect.addEventListener("change", () => {
  state.mode = modeSelect.value;
  save();
  schemaLoaded = loadSchema();
  validateSoon();
});
presetSelect.addEventListener("change", () => selectPreset(presetSelect.value));
document.getElementById("scaffold").addEventListener("click", scaffold);
if (launchButton && !settings.readOnly) launchButton.addEventListener("click", launch);

editor.value = state.text;
modeSelect.value = state.mode;
if (modeSelect.value !== state.mode) state.mode = modeSelect.value = root.dataset.mode; // a mode gone since
presetSelect.value = state.preset;
if (presetSelect.value !== state.preset) Object.assign(state, { preset: "", presetText: null });
save();
renderGutter();
schemaLoaded = loadSchema();
validate();
