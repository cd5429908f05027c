// Start / Stop on the schedules screen: one mutation, then the page again (the server renders
// the schedule's new state and next fire time); an error is shown above the table.
import { graphql } from "./graphql.js";

const MUTATION = (field) => `
mutation ($name: String!) {
  ${field}(scheduleName: $name) {
    __typename
    ... on RunningSchedule { status }
    ... on ScheduleNotFoundError { message }
    ... on SchedulerNotDefinedError { message }
    ... on PythonError { message }
  }
}`;
const FIELDS = new Set(["startSchedule", "stopRunningSchedule"]);
const errorBox = document.getElementById("schedule-error");

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

for (const button of document.querySelectorAll("button.schedule-toggle")) {
  button.addEventListener("click", async () => {
    const field = button.dataset.mutation;
    if (!FIELDS.has(field)) return;
    button.disabled = true;
    try {
      const answer = (await graphql(MUTATION(field), { name: button.dataset.schedule }))[field];
      if (answer.__typename !== "RunningSchedule") {
        showError(answer.message);
        button.disabled = false;
        return;
      }
      location.reload();
    } catch (error) {
      showError(error.message);
      button.disabled = false;
    }
  });
}
