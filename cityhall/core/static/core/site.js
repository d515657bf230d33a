// Progressive enhancement only: every page works without this file.
// A second click on "Send" while the first is on its way does nothing (the
// server also ignores duplicates, this just spares the person a confusing wait).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (!button || !button.hasAttribute("data-prevent-double-submit")) return;
  if (button.getAttribute("aria-disabled") === "true") {
    event.preventDefault();
    return;
  }
  button.setAttribute("aria-disabled", "true");
});
