// Support request form: saved as the agent types and as they leave the page, checklist ticked as
// it fills, files stored as soon as they are chosen. What the help center could not save yet
// (it answered 503, or did not answer) is kept in this browser and saved again until it is.
// The page works without this script; it only saves sooner, and loses nothing.
(() => {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const checklist = document.querySelector("[data-checklist]");
  const problem = form.querySelector("[data-upload-problem]");
  const saveButton = form.querySelector("[data-save-button]");
  // The checklist's marks and words, as the page's template names them.
  const marks = checklist ? JSON.parse(checklist.dataset.marks) : {};
  const words = checklist ? JSON.parse(checklist.dataset.words) : {};
  const RETRY_SECONDS = [2, 4, 8, 16, 30];
  let timer = null;
  let saving = false;
  let dirty = false;
  let failures = 0;
  let stopped = false;

  // Where the page is: its form's address and the save of the draft it shows.
  const place = () => form.getAttribute("action");
  const storageKey = () => `help-center:request:${place()}`;

  function showState(text) {
    const state = document.querySelector("[data-save-state]");
    if (state) state.textContent = text;
  }

  function showChecklist(result) {
    if (!checklist) return;
    for (const item of result.items) {
      const row = checklist.querySelector(`[data-check="${CSS.escape(item.key)}"]`);
      if (!row) continue;
      row.className = `request-check request-check--${item.state}`;
      row.querySelector("[data-mark]").textContent = marks[item.state] || "";
      row.querySelector("[data-state]").textContent = words[item.state] || item.state;
      row.querySelector("[data-message]").textContent = item.state === "invalid" ? item.message : "";
    }
    const verdict = checklist.querySelector("[data-verdict]");
    const open = result.items.filter((i) => i.state === "missing" || i.state === "invalid").length;
    const needed = result.items.filter((i) => i.needed).length;
    verdict.textContent = result.complete
      ? "Complete: Gelato can act on it at once."
      : `${open} of ${needed} needed items still missing or to correct.`;
  }

  // The fields a person types in or ticks, by name (files go with the Save button).
  function typedFields() {
    const fields = {};
    for (const input of form.elements) {
      if (!input.name || input.name === "csrf_token" || input.type === "file") continue;
      if (input.type === "submit" || input.type === "button" || input.type === "hidden") continue;
      if (input.type === "radio") {
        if (input.checked) fields[input.name] = input.value;
        else if (!(input.name in fields)) fields[input.name] = null;
      } else if (input.type === "checkbox") {
        fields[input.name] = input.checked;
      } else {
        fields[input.name] = input.value;
      }
    }
    return fields;
  }

  function putBack(fields) {
    for (const [name, value] of Object.entries(fields)) {
      for (const input of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (input.type === "radio") input.checked = input.value === value;
        else if (input.type === "checkbox") input.checked = Boolean(value);
        else if (typeof value === "string") input.value = value;
      }
    }
  }

  // The copy in this browser of what has not reached the help center yet.
  function keepLocally() {
    try {
      const copy = { version: form.dataset.version, at: Date.now(), fields: typedFields() };
      localStorage.setItem(storageKey(), JSON.stringify(copy));
    } catch (error) {
      // Storage full or switched off: the retries still try to save.
    }
  }

  function forgetLocalCopy() {
    try {
      localStorage.removeItem(storageKey());
    } catch (error) {
      // Nothing was kept.
    }
  }

  function formData() {
    const data = new FormData(form);
    for (const input of form.querySelectorAll("input[type=file]")) data.delete(input.name);
    data.set("step", "autosave");
    return data;
  }

  async function autosave() {
    if (stopped) return;
    if (saving) { schedule(); return; }
    saving = true;
    dirty = false;
    const placeBefore = place();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: formData(),
        headers: { "X-Autosave": "1", Accept: "application/json" },
        credentials: "same-origin",
      });
      const json = (response.headers.get("Content-Type") || "").includes("json");
      if (response.status === 409 && json) {
        const answer = await response.json();
        stopped = true;
        forgetLocalCopy();
        showState(`${answer.error} Open it: ${location.origin}${answer.url}`);
        return;
      }
      if (!response.ok || !json) throw new Error(`the help center answered ${response.status}`);
      const result = await response.json();
      failures = 0;
      if (placeBefore !== result.url) {
        // A new draft got its own address: the copy kept for the empty form is no longer needed.
        forgetLocalCopy();
        form.setAttribute("action", result.url);
        history.replaceState(null, "", result.url);
      }
      form.dataset.version = result.version;
      if (dirty) keepLocally(); else forgetLocalCopy();
      for (const [name, value] of Object.entries(result.filled || {})) {
        const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
        if (!input || input.type === "radio") continue;
        if (input.type === "checkbox") { if (!input.checked) input.checked = Boolean(value); }
        else if (!input.value) input.value = value;
      }
      const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      showState(`Request #${result.id} · ${result.status_label} · saved at ${time}`);
      showChecklist(result);
    } catch (error) {
      // Offline, the server restarting, the database busy (503): keep it here, try again.
      dirty = true;
      keepLocally();
      const wait = RETRY_SECONDS[Math.min(failures, RETRY_SECONDS.length - 1)];
      failures += 1;
      showState(
        "Not saved yet: the help center is not answering. What you typed is kept in this " +
        `browser and saved as soon as it answers (next try in ${wait} s).`
      );
      clearTimeout(timer);
      timer = setTimeout(autosave, wait * 1000);
    } finally {
      saving = false;
    }
  }

  function schedule() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(autosave, failures ? 1000 * RETRY_SECONDS[0] : 1200);
  }

  // Leaving the page (closing the tab, following a link, another app on a phone): what was
  // typed since the last save goes now, in a beacon the browser delivers after the page is gone.
  function saveOnLeaving() {
    if (!dirty || stopped) return;
    clearTimeout(timer);
    const isNew = place().includes("/new/");
    const sent = navigator.sendBeacon && navigator.sendBeacon(form.action, formData());
    // A saved draft's copy is put back only if no save reached it since; a new form's only if
    // the beacon could not even leave (a copy of what the beacon saved would come back twice).
    if (!sent || !isNew) keepLocally();
    if (sent) dirty = false;
  }

  function putBackWhatWasNotSaved() {
    let copy = null;
    try {
      copy = JSON.parse(localStorage.getItem(storageKey()) || "null");
    } catch (error) {
      return;
    }
    if (!copy) return;
    if (copy.version !== form.dataset.version) {
      forgetLocalCopy(); // saved since (the beacon reached it), or changed by someone else
      return;
    }
    const now = typedFields();
    const differs = Object.keys(copy.fields).some((name) => copy.fields[name] !== now[name]);
    if (!differs) { forgetLocalCopy(); return; }
    putBack(copy.fields);
    const time = new Date(copy.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const note = document.createElement("p");
    note.className = "request-restored";
    note.setAttribute("role", "status");
    note.textContent =
      `What you typed at ${time} had not reached the help center yet: it is back in the form, ` +
      "and being saved now.";
    form.prepend(note);
    schedule();
  }

  form.addEventListener("input", (event) => {
    if (event.target.type !== "file") schedule();
  });
  form.addEventListener("change", (event) => {
    if (event.target.type !== "file") { schedule(); return; }
    // Files: checked against the limits here (a request over the server's limit is refused
    // unread), then stored at once with everything typed so far.
    const input = event.target;
    const perFile = Number(form.dataset.fileMax);
    const total = Number(form.dataset.filesTotal);
    const maxFiles = Number(form.dataset.filesMax);
    let used = Number(form.dataset.filesUsed);
    let count = Number(form.dataset.filesCount);
    const mb = (bytes) => (bytes / 1048576).toFixed(1);
    for (const file of input.files) {
      let message = "";
      if (file.size > perFile) message = `${file.name} is ${mb(file.size)} MB: each file may be at most ${mb(perFile)} MB.`;
      else if (count + 1 > maxFiles) message = `${file.name}: a request holds at most ${maxFiles} files.`;
      else if (used + file.size > total) message = `${file.name}: the files of a request may add up to ${mb(total)} MB.`;
      if (message) {
        problem.textContent = `${message} Nothing was uploaded; choose again.`;
        problem.hidden = false;
        input.value = "";
        return;
      }
      used += file.size;
      count += 1;
    }
    problem.hidden = true;
    form.requestSubmit(saveButton);
  });
  // A form sent by its buttons carries everything typed. A saved draft keeps its copy until the
  // page that answers shows a newer save (if the answer is an error, the copy comes back); a new
  // form's copy would come back beside the draft it creates, so it goes.
  form.addEventListener("submit", () => {
    clearTimeout(timer);
    dirty = false;
    if (place().includes("/new/")) forgetLocalCopy(); else keepLocally();
  });
  window.addEventListener("pagehide", saveOnLeaving);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveOnLeaving();
  });
  window.addEventListener("online", () => { if (dirty) autosave(); });
  putBackWhatWasNotSaved();
})();
