//! The dashboard page the server sends for `GET /`: live totals, pushed over the
//! WebSocket at `/live`. Given whole.

/// HTML and a little JavaScript: subscribe to every SKU, draw the snapshot, update
/// one row per `total` push, and say when the connection is lost.
pub const DASHBOARD_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Stock dashboard</title>
<style>
  body { font-family: sans-serif; margin: 2em; }
  td, th { padding: 0.2em 1em; text-align: left; }
  td.total { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>Stock on hand</h1>
<p id="status">connecting…</p>
<table>
  <thead><tr><th>SKU</th><th>Total</th></tr></thead>
  <tbody id="totals"></tbody>
</table>
<script>
  const rows = document.getElementById("totals");
  const status = document.getElementById("status");
  function show(sku, total) {
    let row = document.getElementById("sku-" + sku);
    if (!row) {
      row = rows.insertRow();
      row.id = "sku-" + sku;
      row.insertCell().textContent = sku;
      row.insertCell().className = "total";
    }
    row.cells[1].textContent = total;
  }
  const socket = new WebSocket("ws://" + location.host + "/live");
  socket.onopen = () => { status.textContent = "live"; socket.send("subscribe *"); };
  socket.onmessage = (event) => {
    const [kind, ...pairs] = event.data.split(" ");
    if (kind === "snapshot") { rows.replaceChildren(); }
    if (kind === "snapshot" || kind === "total") {
      for (const pair of pairs) {
        const [sku, total] = pair.split("=");
        show(sku, total);
      }
    }
  };
  socket.onclose = (event) => {
    status.textContent = "closed (" + event.code + " " + event.reason + ")";
  };
</script>
</body>
</html>
"#;
