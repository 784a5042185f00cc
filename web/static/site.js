/* site.js: small improvements; every page works without it. */
(function () {
  'use strict';
  // The customer's time zone, so that times show in it.
  document.querySelectorAll('input.js-tz').forEach(function (el) {
    el.value = String(-new Date().getTimezoneOffset());
  });
  // A form that moves money is sent once, however often it is clicked
  // (the server pays once anyway: each form carries its own key).
  document.querySelectorAll('form.js-once').forEach(function (f) {
    f.addEventListener('submit', function (ev) {
      if (f.dataset.sent) { ev.preventDefault(); return; }
      f.dataset.sent = '1';
    });
  });
})();
