// The UI's few behaviours, bound by data attributes: the Content-Security-Policy allows no inline
// script or event handler (docs/operations-security.md).
(function () {
  "use strict";

  // <form data-confirm="…">: ask before a destructive post.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")
        && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);

  // <select data-autosubmit>: choosing is submitting (the language switcher).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit") && select.form) {
      select.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) {
      return;
    }
    // <button data-print>: print the page.
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    // <tr data-href>: the whole row opens the record, unless a link or control inside was clicked.
    var row = event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a, button, input, select, textarea, label")) {
      window.location.href = row.getAttribute("data-href");
    }
  });
})();
