// The unit picker: <select data-unit-picker="/org/units/search/"> (apps/org/widgets.py UnitTreeSelect) becomes a
// search box. The user types part of a unit's name or code, sees the units they reach that match, each with its path
// (昆明市 › 五华区 › 华山街道), and picks one with the mouse or the keyboard (↑ ↓, Enter, Escape). The select stays in
// the form, hidden, and sends the chosen unit's id as before; without script it is the picker itself.
// Loaded by portal.js for a page holding such a select; names and paths are set as textContent, never as HTML.
(function () {
  "use strict";
  var DELAY_MS = 150;
  var counter = 0;

  function enhance(select) {
    if (select.dataset.unitPickerReady) {
      return;
    }
    select.dataset.unitPickerReady = "true";
    counter += 1;
    var separator = select.dataset.pathSeparator || " › ";
    var baseId = (select.id || "unit-picker-" + counter);
    var wrapper = document.createElement("div");
    wrapper.className = "unit-picker";
    var input = document.createElement("input");
    input.type = "text";
    input.id = baseId + "_search";
    input.className = "unit-picker-input";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.placeholder = select.dataset.placeholder || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", baseId + "_listbox");
    var list = document.createElement("ul");
    list.id = baseId + "_listbox";
    list.className = "unit-picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "unit-picker-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    // The field's <label for="id_unit"> names the search box now; the hidden select keeps its own name.
    var label = select.id && document.querySelector("label[for='" + select.id + "']");
    if (label) {
      label.id = label.id || baseId + "_label";
      label.htmlFor = input.id;
      list.setAttribute("aria-labelledby", label.id);
    }
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(status);
    wrapper.appendChild(select);
    select.hidden = true;
    select.tabIndex = -1;

    var chosenText = select.value ? (select.dataset.chosenPath || selectedName()) : "";
    input.value = chosenText;
    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function selectedName() {
      var option = select.options[select.selectedIndex];
      return option ? option.textContent.trim() : "";
    }

    function close() {
      // A search still waiting to be sent, or its answer still on the way, must not open the list again.
      window.clearTimeout(timer);
      asked++;
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) {
        return;
      }
      active = (index + options.length) % options.length;
      options.forEach(function (option, position) {
        option.setAttribute("aria-selected", position === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }

    function option(id, text, path, index) {
      var item = document.createElement("li");
      item.id = baseId + "_option_" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.index = String(index);
      var name = document.createElement("span");
      name.className = "unit-picker-name";
      name.textContent = text;
      item.appendChild(name);
      if (path) {
        var trail = document.createElement("span");
        trail.className = "unit-picker-path";
        trail.textContent = path;
        item.appendChild(trail);
      }
      return item;
    }

    function show(answer) {
      results = [{id: "", name: select.dataset.emptyLabel || "", path: []}].concat(answer.results);
      list.textContent = "";
      results.forEach(function (unit, index) {
        list.appendChild(option(unit.id, unit.name, unit.path.length > 1 ? unit.path.join(separator) : "", index));
      });
      var note = answer.results.length ? (answer.more ? select.dataset.more : "") : select.dataset.noMatch;
      if (note) {
        var item = document.createElement("li");
        item.className = "unit-picker-note";
        item.setAttribute("role", "presentation");
        item.textContent = note;
        list.appendChild(item);
      }
      status.textContent = note || "";
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      setActive(answer.results.length ? 1 : 0);
    }

    function search() {
      var query = input.value === chosenText ? "" : input.value.trim();
      var ticket = ++asked;
      var url = select.dataset.unitPicker + "?q=" + encodeURIComponent(query);
      fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          if (ticket === asked && document.activeElement === input) {
            show(answer);
          }
        })
        .catch(function () {
          if (ticket === asked) {
            close();
            status.textContent = select.dataset.failed || "";
          }
        });
    }

    function pick(index) {
      var unit = index < 0 ? {id: "", name: "", path: []} : results[index];
      if (!unit) {
        return;
      }
      var id = String(unit.id);
      if (id && !Array.prototype.some.call(select.options, function (o) { return o.value === id; })) {
        var added = document.createElement("option");
        added.value = id;
        added.textContent = unit.name;
        select.appendChild(added);
      }
      select.value = id;
      chosenText = id ? unit.path.join(separator) : "";
      input.value = chosenText;
      close();
      status.textContent = chosenText;
      // Whatever follows the select (the person picker of a form) hears the change as if it were picked there.
      select.dispatchEvent(new Event("change", {bubbles: true}));
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });
    input.addEventListener("focus", function () {
      input.select();
      search();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          search();
        } else {
          setActive(active + (event.key === "ArrowDown" ? 1 : -1));
        }
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault();  // picking is not yet applying the filters
        pick(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
        input.value = chosenText;
      }
    });
    input.addEventListener("blur", function () {
      close();
      // An emptied box means any unit; text left half typed goes back to the unit still chosen.
      if (!input.value.trim() && select.value) {
        pick(-1);
      } else {
        input.value = chosenText;
      }
    });
    // mousedown rather than click: the box keeps its focus, so its blur does not close the list under the pointer.
    list.addEventListener("mousedown", function (event) {
      var item = event.target.closest("[role=option]");
      event.preventDefault();
      if (item) {
        pick(Number(item.dataset.index));
      }
    });
  }

  document.querySelectorAll("select[data-unit-picker]").forEach(enhance);
}());
