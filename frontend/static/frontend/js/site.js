// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // A select marked data-autosubmit sends its form on change (the button stays for keyboards).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });

  // Buttons marked data-confirm ask before their form is sent.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
