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

// "Use my current location" on forms that offer it: fills hidden latitude and
// longitude fields. Hidden without JavaScript; the address is always asked too.
document.querySelectorAll("[data-geolocate]").forEach(function (box) {
  if (!("geolocation" in navigator)) return;
  box.hidden = false;
  var form = box.closest("form");
  var status = box.querySelector("[data-geolocate-status]");
  box.querySelector("[data-geolocate-button]").addEventListener("click", function () {
    status.textContent = box.getAttribute("data-finding") || "…";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
        status.textContent = box.getAttribute("data-pinned");
      },
      function () {
        status.textContent = box.getAttribute("data-failed");
      },
      { enableHighAccuracy: true, timeout: 15000 }
    );
  });
});

// After a failed submit, take keyboard and screen-reader focus to the list of
// problems (GOV.UK's error summary pattern); its links lead to each field.
(function () {
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
