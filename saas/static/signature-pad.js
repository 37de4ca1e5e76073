/* Drawing a signature with a finger, a pen or a mouse (pointer events) on each
   [data-signature] box's <canvas>; the drawing goes into the box's hidden field as a PNG data
   URL, which the server checks (a PNG, at most 200 KB and 1200 × 600, not blank). "Clear"
   empties both. A signature sent back with the page (another field was wrong) is drawn
   again. The canvas is at most 1200 × 600 pixels, whatever the screen's density. */
(function () {
  "use strict";
  var MAX_WIDTH = 1200, MAX_HEIGHT = 600;

  function setup(box) {
    var canvas = box.querySelector("canvas");
    var field = box.querySelector("input[type=hidden]");
    var clear = box.querySelector("[data-clear]");
    var context = canvas.getContext("2d");
    var last = null, scale = 1, drawn = false;

    function fit() {
      var rect = canvas.getBoundingClientRect();
      scale = Math.min(window.devicePixelRatio || 1, 2);
      var width = Math.min(Math.round(rect.width * scale), MAX_WIDTH);
      var height = Math.min(Math.round(rect.height * scale), MAX_HEIGHT);
      if (canvas.width === width && canvas.height === height) return;
      canvas.width = width;
      canvas.height = height;
      scale = width / rect.width;
      restore();
    }

    function restore() {
      if (!field.value || field.value.indexOf("data:image/png;base64,") !== 0) return;
      var image = new Image();
      image.onload = function () {
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        drawn = true;
      };
      image.src = field.value;
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: (event.clientX - rect.left) * scale, y: (event.clientY - rect.top) * scale };
    }

    function stroke(from, to) {
      context.strokeStyle = "#111";
      context.lineWidth = 2.5 * scale;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.beginPath();
      context.moveTo(from.x, from.y);
      context.lineTo(to.x, to.y);
      context.stroke();
      drawn = true;
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      last = point(event);
      stroke(last, { x: last.x + 0.1, y: last.y + 0.1 });
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!last) return;
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      if (!events.length) events = [event];
      events.forEach(function (each) {
        var next = point(each);
        stroke(last, next);
        last = next;
      });
    });
    function end() {
      if (!last) return;
      last = null;
      if (drawn) field.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);

    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      field.value = "";
      drawn = false;
    });

    fit();
    window.addEventListener("resize", function () {
      if (field.value) return; // a signature stays as drawn; only an empty box follows the screen
      fit();
    });
  }

  document.querySelectorAll("[data-signature]").forEach(setup);
})();
