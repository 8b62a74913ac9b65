/* Screen readers: name each filter's text input after its visible label. The dropdown puts the
   component id on a wrapper, so <label for> alone does not reach the input that takes focus. */
(function () {
  function label() {
    document.querySelectorAll(".filter").forEach(function (filter) {
      var caption = filter.querySelector("label");
      var input = filter.querySelector("input");
      if (caption && input && input.getAttribute("aria-labelledby") !== caption.id) {
        input.setAttribute("aria-labelledby", caption.id);
      }
    });
  }
  new MutationObserver(label).observe(document.documentElement, { childList: true, subtree: true });
})();
