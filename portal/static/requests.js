// Support request form: saved as the agent types, checklist ticked as it fills, files stored as
// soon as they are chosen. The page works without this script; it only saves sooner.
(() => {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const checklist = document.querySelector("[data-checklist]");
  const problem = form.querySelector("[data-upload-problem]");
  const saveButton = form.querySelector("[data-save-button]");
  const token = form.querySelector("input[name=csrf_token]").value;
  // The checklist's marks and words, as the page's template names them.
  const marks = checklist ? JSON.parse(checklist.dataset.marks) : {};
  const words = checklist ? JSON.parse(checklist.dataset.words) : {};
  let timer = null;
  let saving = false;

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

  async function autosave() {
    if (saving) { schedule(); return; }
    saving = true;
    const data = new FormData(form);
    for (const input of form.querySelectorAll("input[type=file]")) data.delete(input.name);
    data.set("step", "autosave");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "X-Autosave": "1", "X-CSRFToken": token, Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok || !response.headers.get("Content-Type").includes("json")) return;
      const result = await response.json();
      if (form.getAttribute("action") !== result.url) {
        form.setAttribute("action", result.url);
        history.replaceState(null, "", result.url);
      }
      const state = document.querySelector("[data-save-state]");
      if (state) {
        const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        state.textContent = `Request #${result.id} · ${result.status_label} · saved at ${time}`;
      }
      showChecklist(result);
    } catch (error) {
      // Offline or the server restarting: the next change, or the Save button, tries again.
    } finally {
      saving = false;
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(autosave, 1200);
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
    clearTimeout(timer);
    form.requestSubmit(saveButton);
  });
})();
