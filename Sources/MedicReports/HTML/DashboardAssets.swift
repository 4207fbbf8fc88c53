/// The dashboard's style sheet and script, compiled into the binary: no CDN, no fonts, nothing
/// fetched from elsewhere (hosts are often offline). The script only enhances server-rendered
/// pages: live updates from the event stream and relative times; it never evaluates strings and
/// writes unit-controlled text only through `textContent`.
public enum DashboardAssets {
    public static let css = #"""
:root { --failed: #D55E00; --degraded: #E69F00; --healthy: #009E73; --idle: #999999; --unknown: #56B4E9; --ink: #1b1b1b; --muted: #5f5f5f; --line: #dcdcdc; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fafafa; }
header { display: flex; gap: 1em; align-items: baseline; padding: .6em 1.2em; background: #20242a; color: #fff; }
header a { color: #cfe3ff; margin-right: .8em; }
.brand { font-weight: 700; font-size: 1.2em; }
.host { color: #c8c8c8; }
nav { margin-left: auto; }
main { padding: 1em 1.2em; max-width: 1400px; }
footer { padding: 1em 1.2em; color: var(--muted); font-size: 12px; }
h1 { font-size: 1.4em; margin: .2em 0 .6em; }
h2 { font-size: 1.1em; margin: 1.4em 0 .5em; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.reason { color: #333; max-width: 48em; overflow-wrap: anywhere; }
tr.unit td:first-child { border-left: 6px solid var(--unknown); }
tr.h-failed td:first-child { border-left-color: var(--failed); }
tr.h-degraded td:first-child { border-left-color: var(--degraded); }
tr.h-healthy td:first-child { border-left-color: var(--healthy); }
tr.h-idle td:first-child { border-left-color: var(--idle); }
.badge { display: inline-block; min-width: 6.5em; padding: 0 .5em; border-radius: 3px; color: #fff; font-weight: 600; white-space: nowrap; background: var(--unknown); }
.badge.h-failed { background: var(--failed); }
.badge.h-degraded { background: var(--degraded); color: #000; }
.badge.h-healthy { background: var(--healthy); }
.badge.h-idle { background: var(--idle); }
.counts { display: flex; flex-wrap: wrap; gap: .6em; margin: .4em 0 1em; }
.count { padding: .3em .8em; border-radius: 4px; background: #fff; border: 1px solid var(--line); }
.count b { font-size: 1.3em; margin-right: .3em; }
.daemon { color: var(--muted); margin-bottom: .8em; }
.daemon .live-state { font-weight: 600; }
form.filter { display: flex; gap: .5em; margin: .6em 0; }
pre { background: #fff; border: 1px solid var(--line); padding: .6em; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
svg.chart { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); }
svg.chart text { font: 11px system-ui, sans-serif; fill: #333; }
.legend span { margin-right: 1em; }
.legend i { display: inline-block; width: .9em; height: .9em; margin-right: .3em; vertical-align: -1px; }
.legend .good { background: #009E73; } .legend .bad { background: #D55E00; } .legend .unknown { background: #56B4E9; } .legend .excluded { background: #CCCCCC; }
.firing { color: var(--failed); font-weight: 600; }
ol#activity { padding-left: 1.2em; color: var(--muted); }
.muted { color: var(--muted); }
@media (prefers-color-scheme: dark) {
  body { background: #15171a; color: #e6e6e6; } table, pre, .count, svg.chart { background: #1e2126; color: #e6e6e6; }
  th, td, pre, .count, svg.chart { border-color: #33373d; } td.reason { color: #d0d0d0; } svg.chart text { fill: #ddd; }
}
"""#

    public static let javascript = #"""
"use strict";
(function () {
  const symbols = { healthy: "\u2714", degraded: "\u25B2", failed: "\u2716", idle: "\u25CC", unknown: "?" };
  // What the live feed changed, for anyone who looks (the tests do): unit, health, when detected, when shown.
  const live = [];
  window.medicLive = live;

  function ago(seconds) {
    const s = Math.max(0, Math.round(Date.now() / 1000 - seconds));
    if (s < 60) return s + "s ago";
    if (s < 3600) return Math.floor(s / 60) + "m ago";
    if (s < 86400) return Math.floor(s / 3600) + "h " + Math.floor((s % 3600) / 60) + "m ago";
    return Math.floor(s / 86400) + "d " + Math.floor((s % 86400) / 3600) + "h ago";
  }
  function refreshTimes() {
    for (const el of document.querySelectorAll("[data-since]")) {
      const at = Number(el.dataset.since);
      if (at > 0) el.textContent = ago(at);
    }
  }
  function elementsOf(unit) {
    return Array.from(document.querySelectorAll("[data-unit]")).filter(function (el) { return el.dataset.unit === unit; });
  }
  function setBadge(badge, health) {
    badge.className = "badge h-" + health;
    badge.textContent = (symbols[health] || "?") + " " + health;
  }
  function recount() {
    const rows = document.querySelectorAll("tr.unit[data-health]");
    if (rows.length === 0) return;
    const counts = { healthy: 0, degraded: 0, failed: 0, idle: 0, unknown: 0 };
    for (const row of rows) counts[row.dataset.health] = (counts[row.dataset.health] || 0) + 1;
    for (const el of document.querySelectorAll("[data-count]")) {
      const n = counts[el.dataset.count];
      if (n !== undefined) el.textContent = String(n);
    }
  }
  function onTransition(t) {
    const shownAt = Date.now();
    for (const el of elementsOf(t.unit)) {
      el.dataset.health = t.to;
      if (el.classList.contains("unit")) el.className = "unit h-" + t.to;
      for (const badge of el.querySelectorAll(".badge")) setBadge(badge, t.to);
      for (const reason of el.querySelectorAll(".reason")) reason.textContent = t.reason;
      for (const since of el.querySelectorAll("[data-since]")) since.dataset.since = String(Date.parse(t.time) / 1000);
    }
    recount();
    refreshTimes();
    live.push({ unit: t.unit, health: t.to, detectedAt: Date.parse(t.time), shownAt: shownAt });
  }
  function onBudget(b) {
    for (const el of elementsOf(b.unit)) {
      for (const left of el.querySelectorAll(".budget-left")) left.textContent = Math.round(b.remainingPercent) + "%";
      for (const level of el.querySelectorAll(".alert-level")) level.textContent = b.alertLevel + " (" + b.state + ")";
    }
  }
  function onCorrection(c) {
    const list = document.getElementById("activity");
    if (!list) return;
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "/corrections/" + encodeURIComponent(String(c.id));
    link.textContent = "#" + c.id;
    item.appendChild(link);
    item.appendChild(document.createTextNode(" " + c.unit + " · " + c.playbook + " · " + c.event + (c.detail ? ": " + c.detail : "")));
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 20) list.removeChild(list.lastChild);
  }
  function follow(url) {
    if (!window.EventSource) return;
    const source = new EventSource(url);
    const state = document.querySelector(".live-state");
    source.onopen = function () { document.documentElement.dataset.live = "open"; if (state) state.textContent = "live"; };
    source.onerror = function () { document.documentElement.dataset.live = "reconnecting"; if (state) state.textContent = "reconnecting\u2026"; };
    source.addEventListener("transition", function (e) { onTransition(JSON.parse(e.data)); });
    source.addEventListener("budget", function (e) { onBudget(JSON.parse(e.data)); });
    source.addEventListener("correction", function (e) { onCorrection(JSON.parse(e.data)); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    refreshTimes();
    setInterval(refreshTimes, 1000);
    if (document.body.dataset.live) follow(document.body.dataset.live);
  });
})();
"""#
}
