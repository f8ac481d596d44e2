// Retorno import page: follow an import's progress without reloading.
// Without JavaScript the page offers a refresh link instead.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");

  function show(data) {
    box.querySelectorAll("[data-field]").forEach(function (el) {
      var name = el.getAttribute("data-field");
      var value = data[name];
      el.textContent = value === null || value === undefined ? "" : String(value);
      if (name === "error") { el.hidden = !value; }
    });
    if (data.rows_in_file) { bar.max = data.rows_in_file; }
    bar.value = data.finished && bar.max ? bar.max : data.rows_total;
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        show(data);
        // A finished import may have rejected rows to list: show the full page.
        if (data.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
