// Photos from a phone: previews of the chosen photos; photos over the server's size limit are made
// smaller before upload, keeping their EXIF (time and GPS are evidence) with the orientation applied;
// photos under the limit are sent untouched. "Use my location" fills longitude and latitude.
(function () {
  "use strict";
  // Messages come from Django's JavaScript catalogue (/jsi18n/, loaded by the base page); without it
  // they stay in English.
  var gettext = window.gettext || function (msgid) { return msgid; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (match, name) { return String(obj[name]); });
  };

  function exifSegment(buf) {
    // The APP1 "Exif" segment of a JPEG, or null.
    var v = new DataView(buf);
    if (v.byteLength < 4 || v.getUint16(0) !== 0xFFD8) return null;
    var pos = 2;
    while (pos + 4 <= v.byteLength) {
      var marker = v.getUint16(pos);
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) return null;
      var len = v.getUint16(pos + 2);
      if (marker === 0xFFE1 && len > 8 && v.getUint32(pos + 4) === 0x45786966) {
        return new Uint8Array(buf.slice(pos, pos + 2 + len));
      }
      pos += 2 + len;
    }
    return null;
  }

  function clearOrientation(seg) {
    // The canvas already drew the photo upright: say so in the copied EXIF (tag 0x0112 = 1).
    var v = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
    var tiff = 10;
    if (v.byteLength < tiff + 8) return;
    var little = v.getUint16(tiff) === 0x4949;
    var ifd = tiff + v.getUint32(tiff + 4, little);
    if (ifd + 2 > v.byteLength) return;
    var n = v.getUint16(ifd, little);
    for (var i = 0; i < n; i++) {
      var e = ifd + 2 + i * 12;
      if (e + 12 > v.byteLength) return;
      if (v.getUint16(e, little) === 0x0112) { v.setUint16(e + 8, 1, little); return; }
    }
  }

  function withExif(jpegBlob, seg) {
    if (!seg) return Promise.resolve(jpegBlob);
    return jpegBlob.arrayBuffer().then(function (buf) {
      var bytes = new Uint8Array(buf);
      return new Blob([bytes.slice(0, 2), seg, bytes.slice(2)], {type: "image/jpeg"});
    });
  }

  function toJpeg(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  function shrink(file, maxBytes) {
    return file.arrayBuffer().then(function (buf) {
      var seg = exifSegment(buf);
      if (seg) clearOrientation(seg);
      return createImageBitmap(file).then(function (bitmap) {
        var tries = [[4096, 0.9], [3200, 0.85], [2400, 0.8], [1800, 0.75]];
        function attempt(i) {
          var edge = tries[i][0], scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(bitmap.width * scale);
          canvas.height = Math.round(bitmap.height * scale);
          canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
          return toJpeg(canvas, tries[i][1]).then(function (blob) { return withExif(blob, seg); })
            .then(function (blob) {
              if (blob.size <= maxBytes || i === tries.length - 1) {
                var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
                return new File([blob], name, {type: "image/jpeg", lastModified: file.lastModified});
              }
              return attempt(i + 1);
            });
        }
        return attempt(0);
      });
    });
  }

  function preview(input) {
    var box = document.querySelector('[data-preview="' + input.id + '"]');
    if (!box) return;
    box.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      box.appendChild(img);
    });
  }

  document.querySelectorAll("input[data-photos]").forEach(function (input) {
    input.addEventListener("change", function () { preview(input); });
  });

  document.querySelectorAll("form[data-photo-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.ready === "1") return;
      var status = form.querySelector("[data-progress]");
      var inputs = Array.prototype.filter.call(form.querySelectorAll("input[data-photos]"), function (input) {
        var max = parseInt(input.dataset.maxBytes, 10) || 0;
        return max && Array.prototype.some.call(input.files, function (f) { return f.size > max; });
      });
      if (!inputs.length || typeof DataTransfer === "undefined" || typeof createImageBitmap === "undefined") {
        if (status) status.textContent = gettext("Uploading…");
        return;
      }
      event.preventDefault();
      if (status) status.textContent = gettext("Making photos smaller…");
      Promise.all(inputs.map(function (input) {
        var max = parseInt(input.dataset.maxBytes, 10);
        return Promise.all(Array.prototype.map.call(input.files, function (file) {
          if (file.size <= max) return file;
          return shrink(file, max).catch(function () {
            if (status) {
              status.textContent = interpolate(gettext("This photo is too large to make smaller here: %(name)s"),
                {name: file.name}, true);
            }
            return file;  // the server says clearly why it is refused
          });
        })).then(function (files) {
          var dt = new DataTransfer();
          files.forEach(function (f) { dt.items.add(f); });
          input.files = dt.files;
        });
      })).then(function () {
        form.dataset.ready = "1";
        if (status) status.textContent = gettext("Uploading…");
        form.requestSubmit ? form.requestSubmit() : form.submit();
      });
    });
  });

  // "Use my location". A page's map hears "chuangcheng:located" first (with the accuracy) and may
  // refuse the fix (preventDefault: outside the area), then the fields are left as they were.
  function whyNoLocation(err, fallback) {
    return window.chuangchengLocationError ? window.chuangchengLocationError(err, fallback)
      : interpolate(gettext("No location: %(reason)s"), {reason: err.message}, true);
  }
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    var status = document.querySelector("[data-locate-status]");
    button.addEventListener("click", function () {
      // What else the person can do on this page (the report page's map sets its own).
      var fallback = button.dataset.locateFallback || gettext("Or type the place.");
      if (!navigator.geolocation) {
        if (status) status.textContent = whyNoLocation(null, fallback);
        return;
      }
      if (status) status.textContent = gettext("Finding your location…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var fix = {lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy: pos.coords.accuracy};
        var taken = button.dispatchEvent(new CustomEvent("chuangcheng:located", {detail: fix, cancelable: true}));
        if (!taken) return;  // the page said why
        var lon = document.getElementById(button.dataset.lon), lat = document.getElementById(button.dataset.lat);
        lon.value = fix.lon.toFixed(6);
        lat.value = fix.lat.toFixed(6);
        [lon, lat].forEach(function (f) { f.dispatchEvent(new Event("change")); });
        if (status) {
          status.textContent = fix.accuracy
            ? interpolate(gettext("Location found (accuracy ±%(metres)s m)"), {metres: Math.round(fix.accuracy)}, true)
            : gettext("Location found");
        }
      }, function (err) {
        if (status) status.textContent = whyNoLocation(err, fallback);
        button.dispatchEvent(new CustomEvent("chuangcheng:location-error", {detail: {code: err.code}}));
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  });
})();
