// The resident's report page and tracking page: show open cases of the same kind nearby to follow
// instead, and send an SMS code (the place and its map: reportmap.js). Everything works without this
// script except sending the code.
(function () {
  "use strict";
  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function sendCode(url, form, phoneInput, status, texts) {
    var body = new FormData();
    body.append("phone", phoneInput.value);
    body.append("csrfmiddlewaretoken", csrf(form));
    status.textContent = texts.sending || "…";
    fetch(url, {method: "POST", body: body, credentials: "same-origin",
                headers: {"X-CSRFToken": csrf(form)}})
      .then(function (r) { return r.json().then(function (data) { return [r.ok, data]; }); })
      .then(function (res) {
        if (res[0]) { status.textContent = texts.sent || "OK"; return; }
        var errors = res[1].errors || {}, first = Object.keys(errors)[0];
        status.textContent = first ? errors[first][0] : "";
      })
      .catch(function () { status.textContent = ""; });
  }

  var textEl = document.getElementById("report-text");
  var T = textEl ? JSON.parse(textEl.textContent) : {};

  // Tracking page: "prove your number" sends a code too.
  document.querySelectorAll("form[data-sms-url]").forEach(function (form) {
    var button = form.querySelector("[data-send-code]");
    if (!button) return;
    button.addEventListener("click", function () {
      sendCode(form.dataset.smsUrl, form, form.querySelector("input[name=phone]"),
               form.querySelector("[data-code-status]"), T);
    });
  });

  var form = document.getElementById("report-form");
  if (!form) return;
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var category = document.getElementById("id_category");

  var codeButton = document.getElementById("send-code");
  if (codeButton) {
    codeButton.addEventListener("click", function () {
      sendCode(form.dataset.smsUrl, form, document.getElementById("id_phone"),
               document.getElementById("code-status"), T);
    });
  }

  // Nearby open cases of the same kind.
  var box = document.getElementById("nearby"), list = document.getElementById("nearby-list");
  var template = document.getElementById("nearby-item");
  var timer = null, last = "";
  function lookNearby() {
    if (!category.value || !lon.value || !lat.value) { box.hidden = true; return; }
    var query = "category=" + encodeURIComponent(category.value) + "&lon=" + encodeURIComponent(lon.value) +
      "&lat=" + encodeURIComponent(lat.value);
    if (query === last) return;
    last = query;
    fetch(form.dataset.nearbyUrl + "?" + query, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {cases: []}; })
      .then(function (data) {
        list.textContent = "";
        (data.cases || []).forEach(function (c) {
          var item = template.content.firstElementChild.cloneNode(true);
          item.dataset.number = c.number;
          item.querySelector(".nearby-category").textContent = c.category;
          item.querySelector(".nearby-distance").textContent = c.distance_m + " " + (T.metres || "m");
          item.querySelector(".nearby-state").textContent = c.state;
          item.querySelector(".nearby-when").textContent = (T.reported || "") + " " + c.reported;
          var photos = item.querySelector(".nearby-photos");
          c.photos.forEach(function (src) {
            var img = document.createElement("img");
            img.src = src; img.alt = T.photo || ""; img.loading = "lazy";
            photos.appendChild(img);
          });
          item.querySelector("form").action = c.follow_url;
          list.appendChild(item);
        });
        box.hidden = !(data.cases || []).length;
      })
      .catch(function () { box.hidden = true; });
  }
  function soon() { clearTimeout(timer); timer = setTimeout(lookNearby, 300); }
  [lon, lat, category].forEach(function (el) {
    el.addEventListener("change", soon);
    el.addEventListener("input", soon);
  });
  // photos.js fills the fields from GPS without an input event: watch the values.
  setInterval(function () { if (lon.value && lat.value && category.value) lookNearby(); }, 1500);
  // The map, the located position and the photo's GPS: reportmap.js.
})();
