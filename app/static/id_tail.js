// The X key beside the ID-tail box (templates/voting/_ballot_macros.html, app.voting.ballot_forms.IdTailForm): the
// box opens the number pad, which on many phones has no X, and one ID number in eleven ends with X. The key is
// hidden in the page and shown here; a tap adds an X to the box and gives the box the focus again.
(function () {
  "use strict";
  var keys = document.querySelectorAll("[data-type-x]");
  Array.prototype.forEach.call(keys, function (key) {
    var box = document.getElementById(key.getAttribute("data-type-x"));
    if (!box) { return; }
    key.hidden = false;
    key.addEventListener("click", function () {
      var most = parseInt(box.getAttribute("maxlength"), 10) || 8;
      var value = box.value.replace(/\s+/g, "");
      if (value.length < most) { box.value = value + "X"; }
      box.focus();
    });
  });
})();
