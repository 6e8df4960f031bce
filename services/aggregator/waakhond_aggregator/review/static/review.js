// Keyboard first on a signal: 1-4 toggle a category, Enter confirms, s skips, x reports
// identifying details (Esc goes back). Without this script the page is a plain form.
(function () {
  "use strict";
  var form = document.getElementById("decision");
  if (!form) { return; }
  var panel = document.getElementById("identifying");
  var confirmButton = document.getElementById("confirm");

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    if (target.tagName === "TEXTAREA" || target.isContentEditable) { return true; }
    return target.tagName === "INPUT" && ["checkbox", "radio", "submit", "button"].indexOf(target.type) < 0;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    var inPanel = panel.open && panel.contains(document.activeElement);
    var target = event.target;
    if (event.key === "Enter") {
      // A focused button, link or the panel's summary does what it says.
      if (["BUTTON", "A", "SUMMARY"].indexOf(target.tagName) >= 0) { return; }
      event.preventDefault();
      (inPanel ? document.getElementById("submit-identifying") : confirmButton).click();
      return;
    }
    if (inPanel) {
      if (event.key === "Escape") { panel.open = false; confirmButton.focus(); event.preventDefault(); }
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      var box = form.querySelector('input[name="labels"][data-key="' + event.key + '"]');
      if (box) { box.checked = !box.checked; event.preventDefault(); }
      return;
    }
    if (event.key === "s" || event.key === "S") {
      event.preventDefault();
      document.getElementById("skip").click();
    } else if (event.key === "x" || event.key === "X") {
      event.preventDefault();
      panel.open = true;
      panel.querySelector('input[name="identifying_kinds"]').focus();
    }
  });
})();
