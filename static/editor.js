// The editor's pickers, repeating rows and checks as fields are left. Everything here only adds to
// plain forms that work without it: the server understands a name typed in full, "Add another"
// submits the form, and saving checks everything.

(() => {
  "use strict";

  const DEBOUNCE_MS = 180;

  // ---------------------------------------------------------------- the combobox
  // WAI-ARIA Authoring Practices, combobox with list autocomplete: typing asks the server for
  // options; arrow keys move through them (aria-activedescendant), Enter or a click chooses one,
  // Escape closes the list. Choosing sets the hidden id; typing again forgets it, so what is sent
  // is always what is shown.

  function setUp(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    const input = box.querySelector("[role=combobox]");
    const listbox = box.querySelector("[role=listbox]");
    const chosenId = box.querySelector("[data-combobox-id]");
    const addNew = box.querySelector("[data-combobox-new]");
    const multiple = box.hasAttribute("data-multiple");
    let timer = null;
    let asked = 0;

    const options = () => [...listbox.querySelectorAll("[role=option]:not([aria-disabled=true])")];
    const active = () => listbox.querySelector("[aria-selected=true]");

    function open() {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(option) {
      for (const o of listbox.querySelectorAll("[aria-selected=true]")) o.setAttribute("aria-selected", "false");
      if (!option) return input.removeAttribute("aria-activedescendant");
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    async function search() {
      const ticket = ++asked;
      const url = new URL(box.dataset.source, document.baseURI);
      url.searchParams.set("q", input.value);
      url.searchParams.set("for", input.id);
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (ticket !== asked || !response.ok) return;
      const html = await response.text();
      if (ticket !== asked) return; // chosen or typed again meanwhile
      listbox.innerHTML = html;
      if (listbox.children.length && document.activeElement === input) open();
      else close();
    }

    function choose(option) {
      if (!option || option.getAttribute("aria-disabled") === "true") return;
      clearTimeout(timer);
      asked++; // an answer still on its way is for what was typed before

      if (multiple) {
        attachSource(box, option);
        input.value = "";
      } else {
        input.value = option.dataset.label;
        if (chosenId) chosenId.value = option.dataset.id || "";
        if (addNew) addNew.value = option.dataset.new ? "1" : "";
      }
      close();
      input.focus();
    }

    input.addEventListener("input", () => {
      if (chosenId) chosenId.value = "";
      if (addNew) addNew.value = "";
      // Options for what was typed before are not offered for what is typed now.
      asked++;
      listbox.innerHTML = "";
      close();
      clearTimeout(timer);
      timer = setTimeout(search, DEBOUNCE_MS);
    });
    input.addEventListener("focus", () => {
      if (!input.value && !listbox.children.length) search();
    });
    input.addEventListener("keydown", (event) => {
      const list = options();
      const index = list.indexOf(active());
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (listbox.hidden) {
          search();
          return;
        }
        highlight(list[Math.min(index + 1, list.length - 1)] || list[0]);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(list[Math.max(index - 1, 0)]);
      } else if (event.key === "Enter" && !listbox.hidden && active()) {
        event.preventDefault(); // choosing, not sending the form
        choose(active());
      } else if (event.key === "Escape") {
        if (!listbox.hidden) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
    listbox.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the input
    listbox.addEventListener("click", (event) => choose(event.target.closest("[role=option]")));
  }

  // A source chosen in the library is attached as a ticked box; a new one opens the form to describe it.
  function attachSource(box, option) {
    const field = box.closest(".sources-field");
    if (option.dataset.new) {
      const details = field.querySelector("details.new-source");
      details.open = true;
      const title = details.querySelector("input[name=new_source_title]");
      title.value = option.dataset.label;
      title.focus();
      return;
    }
    const chosen = field.querySelector("[data-chosen]");
    if (chosen.querySelector(`input[value="${CSS.escape(option.dataset.id)}"]`)) return;
    const item = document.createElement("li");
    const label = document.createElement("label");
    label.className = "check";
    const tick = document.createElement("input");
    tick.type = "checkbox";
    tick.name = "source";
    tick.value = option.dataset.id;
    tick.checked = true;
    label.append(tick, " " + option.dataset.label);
    item.append(label);
    chosen.append(item);
    const none = field.querySelector("[data-none]");
    if (none) none.remove();
    announce(field, `Attached: ${option.dataset.label}`);
  }

  function announce(near, text) {
    let region = near.querySelector("[data-announce]");
    if (!region) {
      region = document.createElement("p");
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.dataset.announce = "";
      near.append(region);
    }
    region.textContent = text;
  }

  // ---------------------------------------------------------------- "add another"
  // GOV.UK's add-another: a new empty row appears in place, instead of sending the form.

  function addRow(button) {
    const fieldset = button.closest("[data-rows]");
    const template = fieldset.querySelector("template[data-row-template]");
    const rows = fieldset.querySelector("ol.rows");
    const index = rows.children.length;
    const html = template.innerHTML.replaceAll("__index__", String(index));
    rows.insertAdjacentHTML("beforeend", html);
    const row = rows.lastElementChild;
    row.querySelectorAll("[data-combobox]").forEach(setUp);
    const first = row.querySelector("input:not([type=hidden])");
    if (first) first.focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-add-row]");
    if (button) {
      event.preventDefault();
      addRow(button);
    }
  });

  // ---------------------------------------------------------------- checking a field as it is left
  // The server checks the whole part as saving would (action=check; nothing is kept) and the field
  // just changed shows what it says of that field; errors shown before that are now put right go.
  // Other fields are left alone: an editor is not told off for what they have not reached yet.

  const checking = new WeakMap();

  function showError(field, message) {
    const span = document.getElementById(`${field.id}-error`);
    if (!span) return;
    span.textContent = message;
    if (message) {
      span.setAttribute("role", "alert");
      field.setAttribute("aria-invalid", "true");
    } else {
      span.removeAttribute("role");
      field.removeAttribute("aria-invalid");
    }
    const wrapper = field.closest(".form-field");
    if (wrapper) wrapper.classList.toggle("has-error", Boolean(message));
  }

  async function check(field) {
    const form = field.form;
    if (!form || !form.matches("form.edit-form") || !field.name || !field.id) return;
    if (field.name === "source_pick" || field.name === "source") return; // attaching, not a value to check
    const earlier = checking.get(form);
    if (earlier) earlier.abort(); // only the answer about the form as it is now counts
    const controller = new AbortController();
    checking.set(form, controller);
    const body = new URLSearchParams(new FormData(form)); // sent as the form itself would be
    body.set("action", "check");
    let errors;
    try {
      // getAttribute: the form's buttons are named "action", which hides form.action.
      const response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      });
      if (!response.ok) return;
      errors = (await response.json()).errors || {};
    } catch {
      return; // aborted, or offline: saving will say what is wrong
    }
    showError(field, errors[field.name] || "");
    for (const shown of form.querySelectorAll("[aria-invalid=true][name]")) {
      if (shown !== field && !errors[shown.name]) showError(shown, "");
    }
  }

  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement || field instanceof HTMLSelectElement) {
      check(field);
    }
  });

  // ---------------------------------------------------------------- after a part is swapped in

  function ready() {
    document.querySelectorAll("[data-combobox]").forEach(setUp);
    // Focus what went wrong in the part just swapped in, as GOV.UK's error summary does.
    const problems = document.querySelector("[data-problems]:not([data-seen])");
    if (problems) {
      problems.dataset.seen = "1";
      if (document.readyState === "complete") problems.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", ready);
  document.addEventListener("htmx:after:settle", ready);
})();
