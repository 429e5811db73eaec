/** The report's inline CSS (no external stylesheet or font: the page must work offline). */
export const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}
main{max-width:1200px;margin:0 auto;padding:1rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f3f3f3}
table.summary{width:auto}
td small,th small{color:#555;font-weight:normal}
.timelines td:last-child{width:45%}
svg.bar{width:100%;height:16px;display:block;background:#eee}
.active{fill:#2e7d32;background:#2e7d32}
.creating{fill:#f9a825;background:#f9a825}
.failed{fill:#c62828;background:#c62828}
.other{fill:#6a1b9a;background:#6a1b9a}
.absent{fill:#bdbdbd;background:#bdbdbd}
ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}
.swatch{display:inline-block;width:1em;height:1em;margin-right:.3em;vertical-align:-.15em}
tr.calm th{font-weight:normal}
`;
