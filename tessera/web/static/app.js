// Tessera's own script: no inline code (the CSP forbids it), no third-party code.
"use strict";
(function () {
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function api(method, url, body) {
    var headers = { "X-CSRF-Token": csrf };
    if (body && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" })
      .then(function (r) {
        if (r.ok) { return r; }
        return r.json().then(function (j) { throw new Error((j.error || {}).message || r.statusText); },
                             function () { throw new Error(r.statusText); });
      });
  }

  // Reveal: the real preview is fetched only on request, and each fetch is audited.
  function wireThumbs(root) {
    root.querySelectorAll("button.thumb").forEach(function (b) {
      var img = b.querySelector("img");
      var shielded = img.getAttribute("src");
      b.addEventListener("click", function () {
        if (b.getAttribute("aria-pressed") === "true") {
          if (img.src.indexOf("blob:") === 0) { URL.revokeObjectURL(img.src); }
          img.src = shielded;
          b.setAttribute("aria-pressed", "false");
          return;
        }
        var url = b.dataset.reveal || ("/api/media/" + b.dataset.media + "/reveal");
        api("POST", url).then(function (r) { return r.blob(); })
          .then(function (blob) {
            img.src = URL.createObjectURL(blob);
            b.setAttribute("aria-pressed", "true");
          }).catch(function (e) { b.title = e.message; });
      });
    });
  }

  function wireUpload() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    var status = document.getElementById("upload-status");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData();
      var n = 0;
      Array.prototype.forEach.call(document.getElementById("upload-files").files, function (f) {
        data.append("files", f, f.name); n++;
      });
      Array.prototype.forEach.call(document.getElementById("upload-folder").files, function (f) {
        data.append("files", f, f.webkitRelativePath || f.name); n++;
      });
      if (!n) { status.textContent = "Choose files, a folder or a zip first."; return; }
      data.append("case", document.getElementById("upload-case").value);
      data.append("series", document.getElementById("upload-series").value);
      data.append("store", document.getElementById("upload-store").checked ? "true" : "false");
      status.textContent = "Uploading " + n + " files…";
      document.getElementById("upload-submit").disabled = true;
      api("POST", form.dataset.endpoint, data).then(function (r) { return r.json(); })
        .then(function (job) { window.location.assign("/jobs/" + job.id); })
        .catch(function (e) {
          status.textContent = "Upload failed: " + e.message;
          document.getElementById("upload-submit").disabled = false;
        });
    });
  }

  function wireImport() {
    var form = document.getElementById("import-form");
    if (!form) { return; }
    var status = document.getElementById("import-status");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = document.getElementById("import-file").files[0];
      if (!file) { status.textContent = "Choose a file first."; return; }
      var data = new FormData();
      data.append("file", file, file.name);
      ["format", "series", "dialect"].forEach(function (k) {
        data.append(k, document.getElementById("import-" + k).value);
      });
      status.textContent = "Importing " + file.name + "…";
      document.getElementById("import-submit").disabled = true;
      api("POST", "/api/imports", data).then(function (r) { return r.json(); })
        .then(function (s) {
          var series = Object.keys(s.series).map(function (k) { return k + " (" + s.series[k] + ")"; });
          var unknown = Object.keys(s.unknown_categories);
          status.textContent = s.file + ": " + s.records + " records: " + s.media_new + " new hash-only media, " +
            s.media_known + " already known, " + s.duplicates + " duplicate entries, " + s.categorised +
            " categorised" + (series.length ? "; series " + series.join(", ") : "") +
            (unknown.length ? "; unknown categories " + unknown.join(", ") + " left uncategorised" : "") + ".";
        })
        .catch(function (e) { status.textContent = "Nothing imported: " + e.message; })
        .then(function () { document.getElementById("import-submit").disabled = false; });
    });
  }

  function jobCount(j) {
    var files = j.done + " of " + (j.total === null ? "?" : j.total) + " files";
    return j.stage && j.state === "running" ? j.stage + ": " + files : files;
  }

  function jobPace(j) {
    if (j.rate === null || j.rate === undefined) { return ""; }
    var eta = j.eta_seconds === null ? "" : ", about " + duration(j.eta_seconds) + " left";
    return j.rate.toFixed(1) + " files/s" + eta;
  }

  function duration(s) {
    s = Math.round(s);
    if (s < 60) { return s + " s"; }
    if (s < 3600) { return Math.floor(s / 60) + " min " + (s % 60) + " s"; }
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  }

  function wireJob() {
    var box = document.getElementById("job");
    if (!box) { return; }
    var id = box.dataset.job;
    var cancel = document.getElementById("job-cancel");
    if (cancel) {
      cancel.addEventListener("click", function () {
        api("POST", "/api/jobs/" + id + "/cancel").then(poll);
      });
    }
    function poll() {
      fetch("/api/jobs/" + id, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (j) {
          document.getElementById("job-state").textContent = j.state;
          document.getElementById("job-count").textContent = jobCount(j);
          document.getElementById("job-pace").textContent = jobPace(j);
          var bar = document.getElementById("job-progress");
          bar.max = j.total || 1; bar.value = j.done;
          if (j.state === "done") {
            document.getElementById("job-report").hidden = false;
            var grade = document.getElementById("job-grade");
            if (j.ingest_job) { grade.href = "/grade/" + j.ingest_job; grade.hidden = false; }
          }
          if (j.state === "queued" || j.state === "running") { window.setTimeout(poll, 1000); }
          else if (cancel) { cancel.hidden = true; }
        });
    }
    if (box.dataset.state === "queued" || box.dataset.state === "running") { poll(); }
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function wireSearch() {
    var drop = document.getElementById("drop");
    if (!drop) { return; }
    var input = document.getElementById("search-file");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    function search(file) {
      var data = new FormData();
      data.append("file", file, file.name);
      status.textContent = "Searching…";
      list.textContent = "";
      api("POST", "/api/search", data).then(function (r) { return r.json(); }).then(function (res) {
        var f = res.file;
        status.textContent = f.status === "error" ? ("Could not read the file: " + f.error)
          : (f.matches.length ? f.matches.length + " match(es)" : "Nothing known matches this file.");
        f.matches.forEach(function (m) {
          var li = el("li");
          var what = m.kind + (m.kind === "exact" ? "" : " (distance " + m.distance + ")");
          li.appendChild(el("strong", what));
          if (m.media_id === null) {
            m.all_series.forEach(function (s) {
              li.appendChild(el("p", "Held by " + s.agency_name + " (" + s.agency + ", " + s.country + ")" +
                (s.contact ? " — contact " + s.contact : "") + ". Shared as hash-only."));
            });
          } else {
            var a = el("a", " media " + m.media_id); a.href = "/media/" + m.media_id; li.appendChild(a);
            m.all_series.forEach(function (s) {
              li.appendChild(el("p", s.name ? (s.name + " (" + s.agency + ", victim " + s.victim_status + ")")
                                            : ("held by " + s.agency)));
            });
          }
          list.appendChild(li);
        });
      }).catch(function (e) { status.textContent = "Search failed: " + e.message; });
    }
    input.addEventListener("change", function () { if (input.files[0]) { search(input.files[0]); } });
    drop.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); input.click(); }
    });
    drop.addEventListener("dragover", function (ev) { ev.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (ev) {
      ev.preventDefault(); drop.classList.remove("over");
      if (ev.dataTransfer.files[0]) { search(ev.dataTransfer.files[0]); }
    });
  }

  // Grading: one file at a time or a grid; a category's key grades the file shown and moves to
  // the next one left; a revealed preview is hidden again when one moves on.
  function wireGrade() {
    var list = document.getElementById("grade");
    if (!list) { return; }
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-media]"));
    if (!items.length) { return; }
    var job = list.dataset.job, status = document.getElementById("grade-status");
    var position = document.getElementById("grade-position");
    var mode = document.getElementById("grade-mode");
    var keys = {}, current = 0, busy = false;
    document.querySelectorAll("#grade-keys button.category").forEach(function (b) {
      keys[b.dataset.key.toLowerCase()] = b;
      b.addEventListener("click", function () { grade(b); });
    });
    function open(li) {
      return ["todo", "disputed", "waiting"].indexOf(li.dataset.state) >= 0 && li.dataset.voted !== "true";
    }
    function show(i) {
      if (i < 0 || i >= items.length) { return; }
      var revealed = items[current].querySelector('button.thumb[aria-pressed="true"]');
      if (revealed && i !== current) { revealed.click(); }
      items[current].classList.remove("current");
      items[current].removeAttribute("aria-current");
      current = i;
      items[i].classList.add("current");
      items[i].setAttribute("aria-current", "true");
      position.textContent = "File " + (i + 1) + " of " + items.length;
      if (!list.classList.contains("single")) { items[i].scrollIntoView({ block: "nearest" }); }
    }
    function nextOpen() {
      for (var k = 1; k < items.length; k++) {
        var i = (current + k) % items.length;
        if (open(items[i])) { return i; }
      }
      return -1;
    }
    function refresh() {
      fetch("/api/grading/" + job, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (q) {
          document.querySelectorAll("#grade-progress [data-count]").forEach(function (e) {
            e.textContent = q.progress[e.dataset.count];
          });
        });
    }
    function grade(button) {
      if (busy) { return; }
      busy = true;
      var li = items[current];
      status.textContent = "Saving…";
      api("POST", "/api/grading/" + job + "/grade",
          { media_id: Number(li.dataset.media), category_id: Number(button.dataset.category) })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          li.dataset.state = res.state;
          li.dataset.voted = "true";
          var state = li.querySelector(".state");
          state.textContent = res.state;
          state.className = "state s-" + res.state;
          li.querySelector(".current-category").textContent =
            (res.state === "graded" ? "" : "your vote: ") + button.dataset.label;
          status.textContent = "Media #" + li.dataset.media + ": " + button.dataset.label + " (" + res.state + ")";
          refresh();
          var k = nextOpen();
          if (k >= 0) { show(k); } else { status.textContent += " · nothing left for you to grade"; }
        })
        .catch(function (e) { status.textContent = "Not saved: " + e.message; })
        .then(function () { busy = false; });
    }
    function toggle() {
      var grid = !list.classList.toggle("single");
      mode.setAttribute("aria-pressed", grid ? "true" : "false");
      mode.textContent = grid ? "Show one at a time" : "Show as grid";
      show(current);
    }
    mode.addEventListener("click", toggle);
    items.forEach(function (li, i) { li.addEventListener("click", function () { show(i); }); });
    document.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if (ev.ctrlKey || ev.metaKey || ev.altKey || (t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
      var k = ev.key;
      if (k === "ArrowRight" || k === "j") { ev.preventDefault(); show(current + 1); }
      else if (k === "ArrowLeft" || k === "k") { ev.preventDefault(); show(current - 1); }
      else if (k === "g") { toggle(); }
      else if (k === "r") {
        var thumb = items[current].querySelector("button.thumb");
        if (thumb) { thumb.click(); }
      } else if (keys[k.toLowerCase()]) { ev.preventDefault(); grade(keys[k.toLowerCase()]); }
    });
    var first = (list.dataset.next || "").split(",")[0];
    var start = items.findIndex(function (li) { return li.dataset.media === first; });
    current = start >= 0 ? start : 0;
    show(current);
  }

  // Bulk actions on the media browser's selection, through the same API as everything else.
  function wireBulk() {
    var form = document.getElementById("bulk");
    if (!form) { return; }
    var all = document.getElementById("select-all");
    var picks = Array.prototype.slice.call(document.querySelectorAll("#media-table input.pick"));
    all.addEventListener("change", function () { picks.forEach(function (b) { b.checked = all.checked; }); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var status = document.getElementById("bulk-status");
      var ids = picks.filter(function (b) { return b.checked; }).map(function (b) { return Number(b.value); });
      if (!ids.length) { status.textContent = "Select some media first."; return; }
      var action = document.getElementById("bulk-action").value;
      var value = action === "categorise" ? document.getElementById("bulk-category").value
        : document.getElementById("bulk-value").value;
      status.textContent = "Working…";
      if (action === "export") {  // a file for the lab's tools: downloaded, nothing changes here
        api("POST", "/api/media/export", { media_ids: ids }).then(function (r) { return r.blob(); })
          .then(function (blob) {
            var a = document.createElement("a");
            a.href = URL.createObjectURL(blob);
            a.download = "tessera-selection.json";
            document.body.appendChild(a); a.click(); a.remove();
            status.textContent = "Exported " + ids.length + " media.";
          }).catch(function (e) { status.textContent = "Not exported: " + e.message; });
        return;
      }
      api("POST", "/api/media/bulk", { media_ids: ids, action: action, value: value })
        .then(function (r) { return r.json(); })
        .then(function (res) { status.textContent = "Done for " + res.done + " media."; window.location.reload(); })
        .catch(function (e) { status.textContent = "Not done: " + e.message; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireBulk();
    wireThumbs(document); wireUpload(); wireImport(); wireJob(); wireSearch(); wireGrade();
  });
})();
