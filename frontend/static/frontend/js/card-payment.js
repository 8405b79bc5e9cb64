// The card page: Stripe's Payment Element confirms the PaymentIntent the server started.
// Stripe.js (js.stripe.com, loaded before this file) sends the card details to Stripe
// only; the payment is recorded when Stripe's webhook says the money arrived.
(function () {
  "use strict";
  var root = document.getElementById("card-payment");
  if (!root) {
    return;
  }
  var errors = document.getElementById("card-errors");
  if (typeof window.Stripe !== "function") {
    errors.textContent = root.dataset.unavailable;
    return;
  }
  var stripe = window.Stripe(root.dataset.publishableKey, { locale: root.dataset.locale });
  var elements = stripe.elements({ clientSecret: root.dataset.clientSecret });
  elements.create("payment").mount("#card-element");
  var form = document.getElementById("card-form");
  var button = document.getElementById("card-pay");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: root.dataset.returnUrl } })
      .then(function (result) {
        if (result.error) {
          errors.textContent = result.error.message;
          button.disabled = false;
          button.focus();
        }
      });
  });
})();
