// The live preview of what redaction removes, and focus on the error summary. Without this
// script the form works as well: the stored text is shown after submitting.
(function () {
  "use strict";
  var summary = document.getElementById("foutoverzicht");
  if (summary) { summary.focus(); }

  var script = document.getElementById("formulier-script");
  var field = document.getElementById("description");
  var block = document.getElementById("voorbeeld-blok");
  if (!script || !field || !block || !window.fetch) { return; }
  var url = script.getAttribute("data-preview-url");
  var csrf = script.getAttribute("data-csrf");
  var text = document.getElementById("voorbeeld-tekst");
  var removed = document.getElementById("voorbeeld-weg");
  var timer = null;
  var latest = 0;

  function show(answer) {
    block.hidden = false;
    text.textContent = answer.description;
    if (answer.removed.length === 0) {
      removed.textContent = "Er wordt niets weggehaald.";
      return;
    }
    removed.textContent = "Weggehaald of algemener gemaakt: " + answer.removed.map(function (r) {
      return r.label + " (" + r.count + "×)";
    }).join(", ") + ".";
  }

  function ask() {
    var value = field.value;
    if (!value.trim()) { block.hidden = true; return; }
    var asked = ++latest;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ description: value })
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      // An older answer that arrives late must not replace a newer one.
      if (answer && asked === latest) { show(answer); }
    }).catch(function () { /* the preview is a help; submitting still works */ });
  }

  field.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(ask, 400);
  });
  if (field.value.trim()) { ask(); }
})();
