/* Tap a floor plan to fill in a position form (the fields work without this script).
 * <svg data-plan-tap="place|pin"> inside a page with <form data-plan-form="...">: a tap sets the
 * form's x and y (percentages of the plan); on "place" a second tap sets w and h, the two taps
 * being opposite corners of the room's rectangle, and a third starts again. Choosing a room on
 * "place" fills the form with its saved place. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  function percent(value) { return (Math.round(value * 10000) / 100).toFixed(2); }

  function fractionAt(svg, event) {
    var box = svg.getBoundingClientRect();
    var x = (event.clientX - box.left) / box.width;
    var y = (event.clientY - box.top) / box.height;
    return { x: Math.min(Math.max(x, 0), 1), y: Math.min(Math.max(y, 0), 1) };
  }

  function field(form, name) {
    return form.querySelector("[name='" + name + "'], [name$='-" + name + "'], [name='pin_" + name + "']");
  }

  function marker(svg, cls) {
    var mark = svg.querySelector("." + cls);
    if (!mark) {
      mark = document.createElementNS(NS, "circle");
      mark.setAttribute("class", cls);
      mark.setAttribute("r", "14");
      svg.appendChild(mark);
    }
    return mark;
  }

  function show(svg, point, cls) {
    var height = parseFloat(svg.getAttribute("data-plan-height"));
    var mark = marker(svg, cls);
    mark.setAttribute("cx", String(point.x * 1000));
    mark.setAttribute("cy", String(point.y * height));
  }

  /* The rectangle the two taps make, drawn before it is saved. */
  function outline(svg, a, b) {
    var height = parseFloat(svg.getAttribute("data-plan-height"));
    var rect = document.createElementNS(NS, "rect");
    rect.setAttribute("class", "plan__tap-rect");
    rect.setAttribute("x", String(Math.min(a.x, b.x) * 1000));
    rect.setAttribute("y", String(Math.min(a.y, b.y) * height));
    rect.setAttribute("width", String(Math.abs(b.x - a.x) * 1000));
    rect.setAttribute("height", String(Math.abs(b.y - a.y) * height));
    svg.appendChild(rect);
  }

  function setup(svg) {
    var kind = svg.getAttribute("data-plan-tap");
    var form = document.querySelector("form[data-plan-form='" + kind + "']");
    if (!form) { return; }
    var first = null;
    svg.classList.add("plan__svg--tap");
    svg.addEventListener("click", function (event) {
      event.preventDefault();
      var point = fractionAt(svg, event);
      if (kind === "place" && first) {
        field(form, "x").value = percent(Math.min(first.x, point.x));
        field(form, "y").value = percent(Math.min(first.y, point.y));
        field(form, "w").value = percent(Math.abs(point.x - first.x));
        field(form, "h").value = percent(Math.abs(point.y - first.y));
        show(svg, point, "plan__tap plan__tap--second");
        outline(svg, first, point);
        first = null;
        return;
      }
      field(form, "x").value = percent(point.x);
      field(form, "y").value = percent(point.y);
      if (kind === "place") {
        field(form, "w").value = "";
        field(form, "h").value = "";
        svg.querySelectorAll(".plan__tap--second, .plan__tap-rect").forEach(function (old) { old.remove(); });
        first = point;
      }
      show(svg, point, "plan__tap");
    });
  }

  /* Choosing another room fills the form with that room's saved place (blank when not placed),
   * says where it is, and records which room the form now shows (the server's "shown" field). */
  function followRoom(form) {
    var select = field(form, "room_id");
    var shown = field(form, "shown");
    var status = form.querySelector("[data-place-status]");
    if (!select || !shown) { return; }
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      ["x", "y", "w", "h"].forEach(function (name) { field(form, name).value = option.getAttribute("data-" + name) || ""; });
      shown.value = select.value;
      if (status) { status.textContent = option.getAttribute("data-status") || ""; }
      document.querySelectorAll(".plan__tap, .plan__tap-rect").forEach(function (old) { old.remove(); });
      document.querySelectorAll(".plan__room[data-room]").forEach(function (rect) {
        rect.classList.toggle("plan__room--current", rect.getAttribute("data-room") === select.value);
      });
    });
  }

  document.querySelectorAll("svg[data-plan-tap]").forEach(setup);
  document.querySelectorAll("form[data-plan-form='place']").forEach(followRoom);
})();
