(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll("section.slide"));
  var current = 0;
  var blank = false;
  var started = Date.now();
  var beatStarted = Date.now();
  var presenter = null;

  function clock(ms) {
    var s = Math.floor(ms / 1000);
    var m = Math.floor(s / 60);
    return String(m).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
  }

  function show(i) {
    if (slides.length === 0) { return; }
    i = Math.max(0, Math.min(slides.length - 1, i));
    if (i !== current) { beatStarted = Date.now(); }
    current = i;
    blank = false;
    slides.forEach(function (s, k) { s.classList.toggle("active", k === current); });
    document.body.classList.remove("blank");
    if (location.hash !== "#" + (current + 1)) { history.replaceState(null, "", "#" + (current + 1)); }
    updatePresenter();
  }

  function updatePresenter() {
    var d = null;
    if (presenter && !presenter.closed) {
      d = presenter.document;
    } else if (document.body.classList.contains("presenter")) {
      d = document;
    }
    if (!d) { return; }
    var s = slides[current];
    var next = slides[current + 1];
    d.getElementById("beat").textContent = "Beat " + (current + 1) + " / " + slides.length;
    d.getElementById("title").textContent = s.querySelector("h2").textContent;
    d.getElementById("narration").textContent = s.querySelector(".narration").textContent;
    var notes = s.querySelector("aside.notes");
    d.getElementById("notes").textContent = notes && notes.textContent.trim() ? notes.textContent : "(no notes for this beat)";
    d.getElementById("next").textContent = next ? "Next: " + next.querySelector("h2").textContent : "Next: (last beat)";
  }

  function tick() {
    var d = presenter && !presenter.closed ? presenter.document : document;
    var t = d.getElementById("clock");
    if (t) { t.textContent = "elapsed " + clock(Date.now() - started) + " · this beat " + clock(Date.now() - beatStarted); }
  }

  // Where no second window may open (a blocked pop-up), the presenter view
  // is a panel on this screen instead: for a laptop screen the room does not see.
  function inlinePresenter() {
    if (!document.getElementById("presenter-panel")) {
      var p = document.createElement("div");
      p.id = "presenter-panel";
      ["beat", "clock", "title", "notes", "narration", "next"].forEach(function (id) {
        var e = document.createElement("div");
        e.id = id;
        p.appendChild(e);
      });
      document.body.appendChild(p);
    }
    document.body.classList.toggle("presenter");
    updatePresenter();
    tick();
  }

  function openPresenter() {
    presenter = window.open("", "cloudstrat-presenter", "width=900,height=640");
    if (!presenter) { inlinePresenter(); return; }
    var d = presenter.document;
    d.open();
    d.write("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Presenter view</title>" +
      "<style>body{font-family:sans-serif;background:#111;color:#eee;margin:1.5em}#clock{font-size:2em;font-weight:bold}" +
      "#title{font-size:1.6em;margin:.6em 0 .3em}#notes{font-size:1.4em;background:#222;padding:.8em;border-left:4px solid #f0b400;white-space:pre-wrap}" +
      "#narration{color:#bbb}#next{color:#9cf;margin-top:1em;font-size:1.2em}</style></head><body>" +
      "<div id=\"beat\"></div><div id=\"clock\"></div><div id=\"title\"></div><div id=\"notes\"></div>" +
      "<p id=\"narration\"></p><div id=\"next\"></div><p style=\"color:#777\">Keys work here too: → ← PageDown PageUp Home End b</p></body></html>");
    d.close();
    presenter.document.addEventListener("keydown", onKey);
    updatePresenter();
    tick();
  }

  function onKey(e) {
    switch (e.key) {
      case "ArrowRight": case "PageDown": case " ": case "n": show(current + 1); break;
      case "ArrowLeft": case "PageUp": case "Backspace": show(current - 1); break;
      case "Home": show(0); break;
      case "End": show(slides.length - 1); break;
      case "b": case ".": blank = !blank; document.body.classList.toggle("blank", blank); break;
      case "s": case "p": openPresenter(); break;
      case "f":
        if (document.fullscreenElement) { document.exitFullscreen(); } else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
        break;
      default: return;
    }
    e.preventDefault();
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("click", function (e) { if (e.target.tagName !== "A") { show(current + 1); } });
  setInterval(tick, 1000);
  var fromHash = parseInt(location.hash.slice(1), 10);
  current = -1;
  show(isNaN(fromHash) ? 0 : fromHash - 1);
})();
