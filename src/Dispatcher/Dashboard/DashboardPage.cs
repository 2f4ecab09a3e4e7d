namespace Arkonis.Dispatcher.Dashboard;

/// <summary>
/// The dashboard page: plain HTML, CSS and a little JavaScript, no build step. It fetches
/// <see cref="DashboardEndpoints.ViewPath"/> on load and every few seconds, and renders it with textContent only
/// (nothing from an ArkEvent is ever parsed as HTML).
/// </summary>
internal static class DashboardPage
{
    public const string Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ArkEvent dashboard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f7f8fa; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
  #updated { color: #667; margin-bottom: 1rem; }
  section.event { background: #fff; border: 1px solid #dde; border-radius: 6px; padding: .8rem 1rem; margin-bottom: .8rem; }
  section.event h2 { font-size: 1.05rem; margin: 0 0 .3rem; }
  .meta { color: #445; }
  .badge { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-size: .8rem; margin-left: .4rem; }
  .Succeeded { background: #d8f3dc; } .Failed, .TimedOut, .invalid { background: #fadadd; }
  .Running, .Pending { background: #fff3c4; } .suspended { background: #e4e6eb; }
  .problem { color: #a1192b; }
  table { border-collapse: collapse; margin-top: .5rem; width: 100%; }
  th, td { text-align: left; padding: .2rem .5rem; border-top: 1px solid #eef; vertical-align: top; }
  th { color: #556; font-weight: 600; }
  code { font-size: .85rem; }
</style>
</head>
<body>
<h1>ArkEvent dashboard</h1>
<div id="updated">Loading…</div>
<main id="events"></main>
<script>
"use strict";
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text != null) e.textContent = text; if (cls) e.className = cls; return e; };
const ms = v => v == null ? "" : v < 1000 ? v + " ms" : (v / 1000).toFixed(1) + " s";
const when = v => v ? new Date(v).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "";

function renderEvent(ev) {
  const s = el("section", null, "event");
  s.dataset.event = ev.namespace + "/" + ev.name;
  const h = el("h2", ev.namespace + "/" + ev.name);
  h.append(el("span", ev.type ?? "unknown", "badge type"));
  if (!ev.valid) h.append(el("span", "invalid", "badge invalid"));
  if (ev.suspended) h.append(el("span", "suspended", "badge suspended"));
  s.append(h);
  const parts = [];
  if (ev.schedule) parts.push(ev.type === "cron" ? "schedule " + ev.schedule : ev.schedule);
  if (ev.timeZone) parts.push("time zone " + ev.timeZone);
  if (ev.nextFire) parts.push("next fire " + when(ev.nextFire));
  if (ev.targets.length) parts.push("targets " + ev.targets.join(", "));
  s.append(el("div", parts.join(" · "), "meta"));
  for (const p of ev.problems) s.append(el("div", p, "problem"));
  if (ev.runsError) s.append(el("div", ev.runsError, "problem"));
  if (ev.runs.length) {
    const t = el("table");
    const head = el("tr");
    for (const c of ["Run", "Status", "Fired", "Duration", "Targets"]) head.append(el("th", c));
    t.append(head);
    for (const r of ev.runs) {
      const row = el("tr"); row.className = "run";
      row.append(el("td")); row.lastChild.append(el("code", r.runId));
      row.append(el("td")); row.lastChild.append(el("span", r.status, "badge " + r.status));
      row.append(el("td", when(r.firedAt)));
      row.append(el("td", ms(r.durationMs)));
      const targets = el("td");
      for (const x of r.targets) {
        const line = el("div", null, "target");
        line.append(el("span", x.pipeline + " "), el("span", x.status, "badge " + x.status), el("span", " " + ms(x.durationMs)));
        if (x.error) line.append(el("span", " " + x.error, "problem"));
        targets.append(line);
      }
      row.append(targets);
      t.append(row);
    }
    s.append(t);
  } else {
    s.append(el("div", "No runs seen yet.", "meta"));
  }
  return s;
}

async function refresh() {
  try {
    const response = await fetch("api/dashboard", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const view = await response.json();
    document.getElementById("events").replaceChildren(...view.events.map(renderEvent));
    document.getElementById("updated").textContent = view.events.length + " ArkEvents · updated " + when(view.now) + " · refreshes every 5 s";
  } catch (e) {
    document.getElementById("updated").textContent = "Cannot reach the dispatcher: " + e.message;
  }
}
refresh();
setInterval(refresh, 5000);
</script>
</body>
</html>
""";
}
