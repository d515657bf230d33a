// Progressive enhancement of the propose form: similar ideas while the title is
// typed, and the estimate as the numbers change. Without JavaScript the
// "See the estimate" button does the same on the server.
(function () {
  const form = document.querySelector("[data-ideas-form]");
  if (!form) return;
  let timer;
  function refresh(url, params, id) {
    fetch(url + "?" + params.toString(), { headers: { "X-Requested-With": "fetch" } })
      .then((r) => (r.ok ? r.text() : null))
      .then((html) => {
        if (html === null) return;
        const current = document.getElementById(id);
        const tmp = document.createElement("div");
        tmp.innerHTML = html.trim();
        const next = tmp.firstElementChild;
        if (current && next) current.innerHTML = next.innerHTML;
      })
      .catch(() => {});
  }
  function later(fn) {
    clearTimeout(timer);
    timer = setTimeout(fn, 350);
  }
  form.querySelector("[name=title]").addEventListener("input", (e) =>
    later(() => refresh(form.dataset.similarUrl, new URLSearchParams({ title: e.target.value }), "similar"))
  );
  for (const name of ["times_per_year", "minutes_each", "minutes_after", "role"]) {
    const field = form.querySelector(`[name=${name}]`);
    field.addEventListener(field.tagName === "SELECT" ? "change" : "input", () =>
      later(() => {
        const params = new URLSearchParams();
        for (const n of ["times_per_year", "minutes_each", "minutes_after", "role"]) {
          params.set(n, form.querySelector(`[name=${n}]`).value);
        }
        refresh(form.dataset.estimateUrl, params, "estimate");
      })
    );
  }
})();
