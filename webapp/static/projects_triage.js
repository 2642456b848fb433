// The triage form: a prerequisite can only be another ticked item, so each ticked row's list offers just those
// and an unticked row hides its list. Without this script the form still works; the server checks the same.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.triage");
  if (!form) return;
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=items]"));
  function update() {
    var ticked = {};
    boxes.forEach(function (box) { if (box.checked) ticked[box.value] = true; });
    boxes.forEach(function (box) {
      var select = form.querySelector('select[name="prerequisites.' + box.value + '"]');
      if (!select) return;
      select.hidden = !box.checked;
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = !ticked[option.value];
        if (option.hidden) option.selected = false;
      });
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
});
