// On every page: the API token field (shown when the server needs one for actions) keeps the
// token for this browser tab only.
import { apiToken, setApiToken } from "./graphql.js";

const field = document.getElementById("api-token");
if (field) {
  field.value = apiToken();
  field.addEventListener("change", () => setApiToken(field.value.trim()));
}
