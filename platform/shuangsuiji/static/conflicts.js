// The announcement's conflicts picker: the target box suggests the tenant's targets as the
// person types (the server searches, 20 at a time: a directory of 1,000,000 targets never
// comes to the page), shows the chosen target's name, and "Add a row" adds a row here
// instead of sending the form. Without this script the form works as it is: the box takes
// a credit code or an exact name, and "Add a row" sends the form back with one row more.
(function () {
  "use strict";
  var box = document.getElementById("conflicts");
  if (!box) { return; }
  var list = document.getElementById("conflict-targets");
  var url = box.dataset.searchUrl;
  var names = {};
  var timer = null;
  var asked = "";

  function picked(input) {
    var row = input.closest("[data-conflict-row]");
    var note = row.querySelector(".conflict-picked");
    var name = names[input.value.trim().toUpperCase()];
    if (!name) { if (note) { note.remove(); } return; }
    if (!note) {
      note = document.createElement("p");
      note.className = "hint conflict-picked";
      input.insertAdjacentElement("afterend", note);
    }
    note.textContent = name + " ";
    var code = document.createElement("code");
    code.className = "uscc";
    code.textContent = input.value.trim().toUpperCase();
    note.appendChild(code);
  }

  function suggest(input) {
    var q = input.value.trim();
    if (q.length < 2 || q === asked) { return; }
    asked = q;
    fetch(url + "?q=" + encodeURIComponent(q), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (page) {
        if (input.value.trim() !== page.q) { return; }  // typed on meanwhile
        list.textContent = "";
        page.results.forEach(function (t) {
          names[t.credit_code] = t.name;
          var option = document.createElement("option");
          option.value = t.credit_code;
          option.label = t.name;
          option.textContent = t.name;
          list.appendChild(option);
        });
        input.dataset.found = String(page.results.length) + (page.more ? "+" : "");
        input.title = page.results.length ? (page.more ? box.dataset.more : "") : box.dataset.none;
        picked(input);
      })
      .catch(function () { asked = ""; });
  }

  box.addEventListener("input", function (event) {
    var input = event.target;
    if (input.name !== "conflict_target") { return; }
    picked(input);
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { suggest(input); }, 250);
  });

  var more = document.getElementById("conflict-more");
  if (more) {
    more.addEventListener("click", function (event) {
      event.preventDefault();
      var rows = box.querySelectorAll("[data-conflict-row]");
      var last = rows[rows.length - 1];
      var row = last.cloneNode(true);
      var n = rows.length + 1;
      row.classList.remove("has-error");
      row.querySelectorAll(".error, .conflict-picked").forEach(function (el) { el.remove(); });
      row.querySelector(".row-no").textContent = String(n);
      var select = row.querySelector("select");
      var input = row.querySelector("input");
      select.id = "conflict-person-" + n;
      select.value = "";
      input.id = "conflict-target-" + n;
      input.value = "";
      var labels = row.querySelectorAll("label");
      labels[0].htmlFor = select.id;
      labels[1].htmlFor = input.id;
      last.insertAdjacentElement("afterend", row);
      select.focus();
    });
  }
})();
