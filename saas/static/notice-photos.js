/* The answer form of a rectification notice (templates/notices/answer.html): photos chosen on
   a phone are made smaller before they are sent (longest side 2048 px, JPEG), so a few photos
   fit in one request, and each shows as a thumbnail. An enhancement only: without it (or in
   a browser without DataTransfer) the originals are sent and the server still checks them. */
(function () {
  "use strict";

  var LONGEST = 2048;
  var QUALITY = 0.85;
  var THUMB = 160;

  function scaled(width, height, longest) {
    var ratio = Math.min(1, longest / Math.max(width, height));
    return [Math.max(1, Math.round(width * ratio)), Math.max(1, Math.round(height * ratio))];
  }

  function draw(image, size) {
    var canvas = document.createElement("canvas");
    canvas.width = size[0];
    canvas.height = size[1];
    canvas.getContext("2d").drawImage(image, 0, 0, size[0], size[1]);
    return canvas;
  }

  function load(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var image = new Image();
        image.onload = function () { resolve(image); };
        image.onerror = reject;
        image.src = reader.result;  /* a data: URL, which the CSP allows for images */
      };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  function shrink(file) {
    if (!/^image\//.test(file.type)) return Promise.resolve({ file: file, thumb: null });
    return load(file).then(function (image) {
      var full = draw(image, scaled(image.naturalWidth, image.naturalHeight, LONGEST));
      var thumb = draw(image, scaled(image.naturalWidth, image.naturalHeight, THUMB)).toDataURL("image/jpeg", 0.7);
      return new Promise(function (resolve) {
        full.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) return resolve({ file: file, thumb: thumb });
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve({ file: new File([blob], name, { type: "image/jpeg" }), thumb: thumb });
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return { file: file, thumb: null }; });
  }

  function show(list, results) {
    list.textContent = "";
    results.forEach(function (result) {
      var item = document.createElement("li");
      if (result.thumb) {
        var image = document.createElement("img");
        image.src = result.thumb;
        image.alt = result.file.name;
        item.appendChild(image);
      } else {
        item.textContent = result.file.name;
      }
      list.appendChild(item);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-photo-input]") || input.dataset.shrinking) return;
    var form = input.closest("[data-photo-form]");
    var list = form && form.querySelector("[data-photo-preview]");
    var button = form && form.querySelector("button[type=submit]");
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length || typeof DataTransfer === "undefined") return;
    input.dataset.shrinking = "1";
    if (button) button.disabled = true;
    Promise.all(files.map(shrink)).then(function (results) {
      var kept = new DataTransfer();
      results.forEach(function (result) { kept.items.add(result.file); });
      input.files = kept.files;
      if (list) show(list, results);
    }).finally(function () {
      delete input.dataset.shrinking;
      if (button) button.disabled = false;
    });
  });
})();
