//! The dashboard page (`GET /`): live totals and reorder alerts, pushed over the
//! dashboards' WebSocket. Given whole.

/// The page, connecting to the dashboards' port `port` on the page's own host.
pub fn dashboard_page(port: u16) -> String {
    PAGE.replace("DASHBOARDS_PORT", &port.to_string())
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Inventory: live</title>
<style>
  body { font-family: sans-serif; margin: 2em; display: flex; gap: 4em; }
  td, th { padding: 0.2em 1em; text-align: left; }
  td.qty { text-align: right; font-variant-numeric: tabular-nums; }
  tr.low td { color: #b00; font-weight: bold; }
  #alerts li { color: #b00; }
</style>
</head>
<body>
<section>
  <h1>Stock on hand</h1>
  <p id="status">connecting…</p>
  <table>
    <thead><tr><th>SKU</th><th>Total</th></tr></thead>
    <tbody id="totals"></tbody>
  </table>
</section>
<section>
  <h2>Reorder alerts</h2>
  <ol id="alerts"></ol>
</section>
<script>
  const rows = document.getElementById("totals");
  const alerts = document.getElementById("alerts");
  const status = document.getElementById("status");
  function row(sku) {
    let row = document.getElementById("sku-" + sku);
    if (!row) {
      row = rows.insertRow();
      row.id = "sku-" + sku;
      row.insertCell().textContent = sku;
      row.insertCell().className = "qty";
    }
    return row;
  }
  function show(pair) {
    const [sku, qty] = pair.split("=");
    row(sku).cells[1].textContent = qty;
  }
  function alert(text) {
    const item = document.createElement("li");
    item.textContent = text;
    alerts.prepend(item);
  }
  // The alerts raised before this page opened; the socket brings the next ones.
  fetch("/alerts").then((r) => r.json()).then((past) => {
    for (const a of past) { alert(a.sku + "=" + a.qty + " below=" + a.threshold); }
  });
  const socket = new WebSocket("ws://" + location.hostname + ":DASHBOARDS_PORT/");
  socket.onopen = () => { status.textContent = "live"; socket.send("subscribe *"); };
  socket.onmessage = (event) => {
    const [kind, ...words] = event.data.split(" ");
    if (kind === "snapshot") { rows.replaceChildren(); words.forEach(show); }
    if (kind === "total") { show(words[0]); }
    if (kind === "alert") {
      alert(words.join(" "));
      row(words[0].split("=")[0]).className = "low";
    }
  };
  socket.onclose = (event) => {
    status.textContent = "closed (" + event.code + " " + event.reason + ")";
  };
</script>
</body>
</html>
"#;
