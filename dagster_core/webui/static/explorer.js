// The pipeline explorer: pan (drag) and zoom (wheel, +/−/Fit) the server-drawn graph by moving
// the SVG viewBox, and show a clicked solid's details (fetched through the API) in the side
// panel. The selected solid lives in the URL (#solid=NAME), so it can be linked.
import { graphql, url } from "./graphql.js";

const SOLID_DETAILS = `
fragment ConfigTypeParts on ConfigType {
  key name description isList isNullable isSelector __typename
  ... on CompositeConfigType {
    fields { name description isRequired defaultValue configTypeKey }
  }
  ... on WrappingConfigType { ofType { key } }
  ... on EnumConfigType { values { value } }
}
query SolidDetails($name: String!, $handle: String!, $parent: String!, $inComposite: Boolean!) {
  pipelineOrError(params: {name: $name}) {
    __typename
    ... on Pipeline {
      parent: solidHandle(handleID: $parent) @include(if: $inComposite) {
        solid {
          name
          definition {
            ... on CompositeSolidDefinition {
              inputMappings { definition { name } mappedInput { solid { name } definition { name } } }
              outputMappings { definition { name } mappedOutput { solid { name } definition { name } } }
            }
          }
        }
      }
      solidHandle(handleID: $handle) {
        handleID
        solid {
          name
          definition {
            __typename name description
            metadata { key value }
            requiredResources { resourceKey }
            configField {
              name description isRequired defaultValue
              configType { ...ConfigTypeParts innerTypes { ...ConfigTypeParts } }
            }
            ... on CompositeSolidDefinition { solids { name } }
          }
          inputs {
            definition { name description type { displayName } }
            dependsOn { solid { name } definition { name } }
          }
          outputs {
            definition { name description type { displayName } }
            dependedBy { solid { name } definition { name } }
          }
        }
      }
    }
    ... on PipelineNotFoundError { message }
    ... on PythonError { message }
  }
}`;

const ZOOM_STEP = 1.25;
const MIN_SPAN = 40; // the closest zoom shows at least this many SVG units across
const CLICK_SLOP = 4;
const MAX_FIT_SCALE = 1.4; // pixels a press may move and still count as a click

const explorer = document.getElementById("explorer");
const svg = document.getElementById("graph");
const panel = document.getElementById("solid-details");
const panelEmpty = document.getElementById("solid-panel-empty");
const pipelineName = explorer.dataset.pipeline;
const parentHandle = explorer.dataset.parent;
const full = { width: Number(svg.dataset.width), height: Number(svg.dataset.height) };
let view = { x: 0, y: 0, width: full.width, height: full.height };

// ---- pan and zoom --------------------------------------------------------------------------

function setView(next) {
  view = next;
  svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.width} ${view.height}`);
}

// The view fitted to the graph (a small graph enlarged at most MAX_FIT_SCALE times), with the
// canvas's aspect ratio so pans and zooms stay exact.
function fit() {
  const box = svg.getBoundingClientRect();
  const aspect = box.width / Math.max(box.height, 1);
  let width = Math.max(full.width, box.width / MAX_FIT_SCALE);
  let height = Math.max(full.height, box.height / MAX_FIT_SCALE);
  if (width / height < aspect) width = height * aspect;
  else height = width / aspect;
  setView({ x: (full.width - width) / 2, y: (full.height - height) / 2, width, height });
}

// Zoom by `factor` (>1 zooms in) keeping the SVG point under (clientX, clientY) in place.
function zoom(factor, clientX, clientY) {
  const box = svg.getBoundingClientRect();
  const fx = clientX === undefined ? 0.5 : (clientX - box.left) / box.width;
  const fy = clientY === undefined ? 0.5 : (clientY - box.top) / box.height;
  const largest = Math.max(full.width, full.height) * 4;
  const scale = Math.min(Math.max(1 / factor, MIN_SPAN / view.width), largest / view.width);
  const width = view.width * scale;
  const height = view.height * scale;
  setView({
    x: view.x + (view.width - width) * fx,
    y: view.y + (view.height - height) * fy,
    width,
    height,
  });
}

// Bring a solid into view: centered, and at its natural size when the view is zoomed far out.
function focusOn(element) {
  const box = element.getBBox();
  const matrix = element.transform.baseVal.consolidate()?.matrix;
  const x = box.x + box.width / 2 + (matrix ? matrix.e : 0);
  const y = box.y + box.height / 2 + (matrix ? matrix.f : 0);
  const canvas = svg.getBoundingClientRect();
  const perPixel = view.width / canvas.width;
  const width = perPixel > 2 ? canvas.width : view.width; // natural size: one unit a pixel
  const height = perPixel > 2 ? canvas.height : view.height;
  const inView = x > view.x && x < view.x + view.width && y > view.y && y < view.y + view.height;
  if (perPixel > 2 || !inView) setView({ x: x - width / 2, y: y - height / 2, width, height });
}

let press = null;
svg.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) return;
  press = { x: event.clientX, y: event.clientY, view, moved: false, id: event.pointerId };
});
svg.addEventListener("pointermove", (event) => {
  if (!press) return;
  const dx = event.clientX - press.x;
  const dy = event.clientY - press.y;
  if (!press.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
  if (!press.moved) {
    press.moved = true;
    svg.setPointerCapture(press.id);
    svg.classList.add("panning");
  }
  const box = svg.getBoundingClientRect();
  const perPixel = press.view.width / box.width;
  setView({ ...press.view, x: press.view.x - dx * perPixel, y: press.view.y - dy * perPixel });
});
svg.addEventListener("pointerup", (event) => {
  const wasClick = press && !press.moved;
  press = null;
  svg.classList.remove("panning");
  if (!wasClick) return;
  const solid = event.target.closest(".solid");
  if (solid) location.hash = `solid=${encodeURIComponent(solid.dataset.solid)}`;
});
svg.addEventListener("pointercancel", () => {
  press = null;
  svg.classList.remove("panning");
});
svg.addEventListener(
  "wheel",
  (event) => {
    event.preventDefault();
    zoom(Math.pow(ZOOM_STEP, -event.deltaY / 100), event.clientX, event.clientY);
  },
  { passive: false },
);
svg.addEventListener("dblclick", (event) => {
  const solid = event.target.closest(".solid.composite");
  if (solid) location.href = compositeUrl(parentHandle ? `${parentHandle}.${solid.dataset.solid}` : solid.dataset.solid);
});
svg.addEventListener("keydown", (event) => {
  const solid = event.target.closest?.(".solid");
  if (solid && event.key === "Enter") location.hash = `solid=${encodeURIComponent(solid.dataset.solid)}`;
});
document.getElementById("zoom-in").addEventListener("click", () => zoom(ZOOM_STEP));
document.getElementById("zoom-out").addEventListener("click", () => zoom(1 / ZOOM_STEP));
document.getElementById("zoom-fit").addEventListener("click", fit);

// ---- the selected solid ----------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") element.className = value;
    else element.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function compositeUrl(handleID) {
  return `${url(`/pipelines/${encodeURIComponent(pipelineName)}`)}?handle=${encodeURIComponent(handleID)}`;
}

function solidLink(name) {
  return el("a", { href: `#solid=${encodeURIComponent(name)}`, class: "mono" }, name);
}

function selectedName() {
  const match = /^#solid=(.*)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

function highlight(name) {
  for (const node of svg.querySelectorAll(".solid.selected")) node.classList.remove("selected");
  for (const edge of svg.querySelectorAll(".edge.related")) edge.classList.remove("related");
  if (name === null) return null;
  const node = [...svg.querySelectorAll(".solid")].find((n) => n.dataset.solid === name);
  if (!node) return null;
  node.classList.add("selected");
  for (const edge of svg.querySelectorAll(".edge")) {
    if (edge.dataset.from === name || edge.dataset.to === name) edge.classList.add("related");
  }
  return node;
}

let shown = 0;
async function showSelected() {
  const name = selectedName();
  const node = highlight(name);
  const request = ++shown;
  if (name === null) {
    panel.hidden = true;
    panelEmpty.hidden = false;
    return;
  }
  if (node) focusOn(node);
  panelEmpty.hidden = true;
  panel.hidden = false;
  panel.replaceChildren(el("p", { class: "empty" }, `Loading ${name}…`));
  const handle = parentHandle ? `${parentHandle}.${name}` : name;
  let answer;
  try {
    const variables = { name: pipelineName, handle, parent: parentHandle, inComposite: Boolean(parentHandle) };
    answer = (await graphql(SOLID_DETAILS, variables)).pipelineOrError;
  } catch (error) {
    if (request === shown) panel.replaceChildren(el("p", { class: "error" }, error.message));
    return;
  }
  if (request !== shown) return;
  if (answer.__typename !== "Pipeline") {
    panel.replaceChildren(el("p", { class: "error" }, answer.message));
  } else if (!answer.solidHandle) {
    panel.replaceChildren(el("p", { class: "error" }, `There is no solid named ${name} here.`));
  } else {
    panel.replaceChildren(...details(answer.solidHandle, mappings(answer.parent, name)));
  }
}

// For a solid inside a composite: which of its inputs and outputs are the composite's own
// ("input name" -> composite input name; "output name" -> composite output name).
function mappings(parent, name) {
  const found = { inputs: new Map(), outputs: new Map(), composite: parent ? parent.solid.name : null };
  if (!parent) return found;
  for (const mapping of parent.solid.definition.inputMappings) {
    if (mapping.mappedInput.solid.name === name) {
      found.inputs.set(mapping.mappedInput.definition.name, mapping.definition.name);
    }
  }
  for (const mapping of parent.solid.definition.outputMappings) {
    if (mapping.mappedOutput.solid.name === name) {
      found.outputs.set(mapping.mappedOutput.definition.name, mapping.definition.name);
    }
  }
  return found;
}

function details(handle, mapped) {
  const { solid } = handle;
  const definition = solid.definition;
  const composite = definition.__typename === "CompositeSolidDefinition";
  const parts = [el("h2", { id: "solid-name" }, solid.name)];
  const subtitle = [];
  if (definition.name !== solid.name) subtitle.push(`definition ${definition.name}`);
  if (composite) subtitle.push(`composite of ${definition.solids.length} solids`);
  if (subtitle.length) parts.push(el("p", { class: "subtitle" }, subtitle.join(" · ")));
  if (composite) {
    const link = el("a", { href: compositeUrl(handle.handleID), id: "open-composite" }, "Open its inner graph →");
    parts.push(el("p", {}, link, el("small", { class: "none" }, " (or double-click it)")));
  }
  if (definition.description) parts.push(el("p", { class: "description" }, definition.description));

  parts.push(el("h3", {}, "Inputs"));
  parts.push(
    table(
      ["Name", "Type", "From"],
      solid.inputs.map((input) => [
        described(input.definition),
        el("span", { class: "type" }, input.definition.type.displayName),
        wires(input.dependsOn, mapped.composite, mapped.inputs.get(input.definition.name), "input"),
      ]),
      "solid-inputs",
    ),
  );
  parts.push(el("h3", {}, "Outputs"));
  parts.push(
    table(
      ["Name", "Type", "To"],
      solid.outputs.map((output) => [
        described(output.definition),
        el("span", { class: "type" }, output.definition.type.displayName),
        wires(output.dependedBy, mapped.composite, mapped.outputs.get(output.definition.name), "output"),
      ]),
      "solid-outputs",
    ),
  );

  parts.push(el("h3", {}, "Config"));
  parts.push(definition.configField ? configTree(definition.configField) : none("No config."));

  parts.push(el("h3", {}, "Tags"));
  if (definition.metadata.length) {
    const list = el("dl", { class: "tags", id: "solid-tags" });
    for (const item of definition.metadata) {
      list.append(el("dt", {}, item.key), el("dd", {}, item.value));
    }
    parts.push(list);
  } else {
    parts.push(none("No tags."));
  }
  if (definition.requiredResources.length) {
    parts.push(el("h3", {}, "Required resources"));
    parts.push(el("p", { class: "mono" }, definition.requiredResources.map((r) => r.resourceKey).join(", ")));
  }
  return parts;
}

function none(text) {
  return el("p", { class: "none" }, text);
}

function described(definition) {
  const cell = el("span", { class: "mono", title: definition.description || "" }, definition.name);
  return definition.description ? el("span", {}, cell, el("br"), el("small", { class: "none" }, definition.description)) : cell;
}

// The solids at the other ends, and the enclosing composite's input or output mapped to this one.
function wires(ends, composite, mappedName, kind) {
  const cell = el("span");
  ends.forEach((end, index) => {
    if (index) cell.append(el("br"));
    cell.append(solidLink(end.solid.name), el("span", { class: "mono" }, `.${end.definition.name}`));
  });
  if (mappedName !== undefined) {
    if (ends.length) cell.append(el("br"));
    cell.append(el("span", { class: "mono mapped" }, `${composite}.${mappedName}`), ` (composite ${kind})`);
  }
  if (!cell.childNodes.length) cell.append(el("span", { class: "none" }, "—"));
  return cell;
}

function table(headings, rows, id) {
  if (!rows.length) return none("None.");
  return el(
    "table",
    { class: "grid", id },
    el("thead", {}, el("tr", {}, ...headings.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c))))),
  );
}

// ---- the config schema as a field tree --------------------------------------------------------

function configTree(field) {
  const types = new Map();
  for (const type of [field.configType, ...field.configType.innerTypes]) types.set(type.key, type);
  const root = field.configType;
  const tree = el("ul", { class: "config-tree", id: "config-tree" });
  if (root.__typename === "CompositeConfigType" && !root.isSelector) {
    for (const child of root.fields) tree.append(fieldItem(child, child.configTypeKey, types, 0));
  } else {
    tree.append(fieldItem(field, root.key, types, 0));
  }
  return tree;
}

function typeName(key, types) {
  const type = types.get(key);
  if (!type) return key;
  if (type.__typename === "ListConfigType") return `[${typeName(type.ofType.key, types)}]`;
  if (type.__typename === "NullableConfigType") return `${typeName(type.ofType.key, types)}?`;
  if (type.__typename === "CompositeConfigType") return type.isSelector ? "selector" : "dict";
  if (type.__typename === "EnumConfigType") return `${type.name} (${type.values.map((v) => v.value).join(" | ")})`;
  return type.name || type.key;
}

// The composite type a field's value is made of (through lists and nullables), if any.
function fieldsOf(key, types) {
  let type = types.get(key);
  while (type && type.ofType) type = types.get(type.ofType.key);
  return type && type.__typename === "CompositeConfigType" ? type.fields : [];
}

const MAX_DEPTH = 12; // config types may be recursive in principle; never draw forever

function fieldItem(field, key, types, depth) {
  const item = el(
    "li",
    { class: "config-field", "data-field": field.name },
    el("span", { class: "field-name" }, field.name),
    ": ",
    el("span", { class: "type" }, typeName(key, types)),
    " ",
    field.isRequired
      ? el("span", { class: "field-required" }, "required")
      : el("span", { class: "field-optional" }, "optional"),
  );
  if (field.defaultValue !== null && field.defaultValue !== undefined) {
    item.append(" ", el("span", { class: "field-default" }, `default: ${field.defaultValue}`));
  }
  if (field.description) item.append(el("span", { class: "field-description" }, field.description));
  const children = depth < MAX_DEPTH ? fieldsOf(key, types) : [];
  if (children.length) {
    item.append(el("ul", {}, ...children.map((child) => fieldItem(child, child.configTypeKey, types, depth + 1))));
  }
  return item;
}

// ---- start -----------------------------------------------------------------------------------

// A resized canvas keeps the view's left, top and scale; only the visible height changes.
function keepAspect() {
  const box = svg.getBoundingClientRect();
  if (box.width > 0) setView({ ...view, height: (view.width * box.height) / box.width });
}

fit();
window.addEventListener("resize", keepAspect);
window.addEventListener("hashchange", showSelected);
showSelected();
