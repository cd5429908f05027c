// The one way the pages' scripts talk to the server: GraphQL over HTTP (queries, mutations)
// and over a websocket in the graphql-transport-ws protocol (subscriptions).

export const settings = JSON.parse(document.body.dataset.settings);

const TOKEN_KEY = "dagster-api-token";

export function apiToken() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setApiToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function url(path) {
  return settings.prefix + path;
}

export class GraphQLError extends Error {}

// The `data` of an operation; a GraphQLError carrying every error message when it has errors.
export async function graphql(query, variables = {}) {
  const headers = { "Content-Type": "application/json" };
  const token = apiToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url("/graphql"), {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors && body.errors.length) {
    throw new GraphQLError(body.errors.map((error) => error.message).join("\n"));
  }
  return body.data;
}

// Subscribe to `query`; `onNext(data)` for each result, `onDone(error?)` once at the end.
// Returns a function that stops the subscription.
export function subscribe(query, variables, onNext, onDone = () => {}) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}${url("/graphql")}`, "graphql-transport-ws");
  let finished = false;
  const finish = (error) => {
    if (finished) return;
    finished = true;
    onDone(error);
  };
  socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
  socket.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === "connection_ack") {
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
    } else if (frame.type === "next") {
      if (frame.payload.errors && frame.payload.errors.length) {
        finish(new GraphQLError(frame.payload.errors.map((e) => e.message).join("\n")));
        socket.close();
      } else {
        onNext(frame.payload.data);
      }
    } else if (frame.type === "error") {
      finish(new GraphQLError(frame.payload.map((e) => e.message).join("\n")));
      socket.close();
    } else if (frame.type === "complete") {
      finish();
      socket.close();
    } else if (frame.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    }
  };
  socket.onclose = () => finish();
  return () => {
    finished = true;
    if (socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ id: "1", type: "complete" }));
    }
    socket.close();
  };
}

// Text for a user's string, for the few places scripts build HTML: always set textContent
// instead where possible.
export function escapeHtml(text) {
  const div = document.createElement("div");
  div.textContent = String(text ?? "");
  return div.innerHTML;
}
