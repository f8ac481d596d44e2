// Retorno registry pages: live look-up at the arrival desk and region lists.
// Everything here is an improvement: the pages work without it.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  var arrival = document.getElementById("arrival-form");
  if (arrival) {
    var nameInput = document.getElementById("id_name");
    var dobInput = document.getElementById("id_date_of_birth");
    var box = document.getElementById("candidates");
    var newFields = document.getElementById("new-person-fields");
    var url = arrival.getAttribute("data-candidates-url");
    var counter = 0;

    function chosen() {
      var checked = arrival.querySelector("input[name=person]:checked");
      return checked ? checked.value : "new";
    }

    function showChoice() {
      var value = chosen();
      if (newFields) { newFields.hidden = value !== "new"; }
      box.querySelectorAll(".candidates li").forEach(function (li) {
        var input = li.querySelector("input");
        li.classList.toggle("selected", !!input && input.checked);
      });
    }

    var lookUp = debounce(function () {
      var name = nameInput.value.trim();
      var params = new URLSearchParams({ name: name, date_of_birth: dobInput.value, person: chosen() });
      var mine = ++counter;
      fetch(url + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          if (mine !== counter) { return; } // a newer look-up has started
          box.innerHTML = html;
          showChoice();
        })
        .catch(function () { /* offline: the officer can still create a new person */ });
    }, 250);

    nameInput.addEventListener("input", lookUp);
    dobInput.addEventListener("change", lookUp);
    box.addEventListener("change", showChoice);
    showChoice();
  }

  // On a phone, results matter more than an unused filter form: fold it away.
  document.querySelectorAll("details[data-collapse-on-phone=yes]").forEach(function (box) {
    if (window.matchMedia("(max-width: 40rem)").matches) { box.open = false; }
  });

  // Turn a settlement-area text box into a list of the country's regions.
  var forms = document.querySelectorAll("form[data-regions-url]");
  forms.forEach(function (form) {
    var input = form.querySelector("input[name=settlement_area]");
    var country = form.querySelector("select[name=to_country]");
    if (!input || !country) { return; }
    var template = form.getAttribute("data-regions-url");
    var select = document.createElement("select");
    select.name = input.name;
    select.id = input.id;

    function load() {
      if (!country.value) { return; }
      fetch(template.replace("XX", country.value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var current = input.value || select.value;
          select.innerHTML = "";
          var empty = document.createElement("option");
          empty.value = "";
          empty.textContent = "—";
          select.appendChild(empty);
          data.regions.forEach(function (region) {
            var option = document.createElement("option");
            option.value = region.code;
            option.textContent = region.name;
            if (region.code === current) { option.selected = true; }
            select.appendChild(option);
          });
          if (input.parentNode) { input.parentNode.replaceChild(select, input); }
        })
        .catch(function () { /* keep the text box */ });
    }
    country.addEventListener("change", function () { input.value = ""; load(); });
    load();
  });
})();
