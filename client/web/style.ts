/** The one stylesheet of the web pages: plain CSS, readable at 1280×800 and at phone width. */
export const STYLESHEET = `
:root{--ink:#1c1c1c;--muted:#5a5a5a;--line:#d5d0c8;--bg:#faf8f5;--card:#fff;--red:#a4161a;--red-bg:#fde8e8;
--amber:#8a5a00;--amber-bg:#fff3d6;--blue:#164a8a;--blue-bg:#e6eefa;--green:#1d6b35;--green-bg:#e3f4e8;--focus:#f0a500}
*{box-sizing:border-box}
html{font-size:16px}
body{margin:0;font-family:"Noto Sans","Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:var(--bg);line-height:1.5}
a{color:var(--blue)}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem;top:.5rem}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;background:var(--red);color:#fff;padding:.5rem 1.25rem}
.top a{color:#fff}
.brand a{font-weight:700;font-size:1.2rem;text-decoration:none;margin-right:.75rem}
.brand .org{font-size:.85rem;opacity:.9}
.top nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
.top nav a{text-decoration:none;padding:.25rem 0;border-bottom:2px solid transparent}
.top nav a[aria-current=page]{border-bottom-color:#ffd166;font-weight:600}
.who{margin-left:auto;display:flex;gap:.75rem;align-items:center;font-size:.9rem}
button.link{background:none;border:1px solid rgba(255,255,255,.7);color:#fff;border-radius:4px;padding:.2rem .6rem;cursor:pointer;font:inherit}
main{max-width:76rem;margin:0 auto;padding:1rem 1.25rem 2rem}
main:focus{outline:none}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:1rem 0 .4rem}
.muted{color:var(--muted)}
.foot{max-width:76rem;margin:0 auto;padding:1rem 1.25rem;color:var(--muted);font-size:.8rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:1rem;margin:0 0 1rem}
.flash{padding:.6rem 1rem;border-radius:6px;border:1px solid}
.flash-ok{background:var(--green-bg);border-color:#9fd3ad;color:var(--green)}
.flash-error{background:var(--red-bg);border-color:#f1a9a9;color:var(--red)}
.badge{display:inline-block;font-size:.78rem;font-weight:600;border-radius:999px;padding:.05rem .55rem;margin:0 .25rem .15rem 0;white-space:nowrap}
.badge-overdue{background:var(--red-bg);color:var(--red);border:1px solid #f1a9a9}
.badge-escalated{background:#f3e5f5;color:#6a1b9a;border:1px solid #d1a9db}
.badge-soon{background:var(--amber-bg);color:var(--amber);border:1px solid #f0cf85}
.badge-returned{background:var(--blue-bg);color:var(--blue);border:1px solid #a9c2e8}
.badge-done{background:var(--green-bg);color:var(--green);border:1px solid #9fd3ad}
.badge-closed{background:#eee;color:#444;border:1px solid #ccc}
.late{color:var(--red)}
table{border-collapse:collapse;width:100%;background:var(--card)}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f1ede6;font-weight:600;font-size:.9rem}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:6px;margin-bottom:1rem}
.table-wrap table{border:0}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin-bottom:1rem}
label{display:block;font-weight:600;font-size:.9rem;margin-bottom:.2rem}
.field{margin-bottom:.75rem}
input[type=text],input[type=password],input[type=number],input[type=date],select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #8c8c8c;border-radius:4px;background:#fff;max-width:100%}
input[type=text],input[type=password],textarea,select.wide{width:28rem}
input[type=number]{width:7rem}
textarea{min-height:5rem}
.field-error{color:var(--red);font-weight:600;margin:.25rem 0 0}
[aria-invalid=true]{border-color:var(--red);box-shadow:0 0 0 1px var(--red)}
.hint{color:var(--muted);font-size:.85rem;margin:.15rem 0 0}
button,.button{font:inherit;font-weight:600;background:var(--red);color:#fff;border:0;border-radius:4px;padding:.5rem 1rem;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:var(--ink);border:1px solid #8c8c8c}
fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 .75rem;padding:.5rem .75rem}
legend{font-weight:600;padding:0 .25rem}
.counts{display:flex;flex-wrap:wrap;gap:.5rem 1rem}
details.act{border:1px solid var(--line);border-radius:6px;background:var(--card);margin:0 0 .6rem;padding:.25rem .9rem}
details.act>summary{cursor:pointer;font-weight:600;padding:.4rem 0}
details.act[open]>summary{border-bottom:1px solid var(--line);margin-bottom:.6rem}
.timeline{list-style:none;margin:0;padding:0;border-left:3px solid var(--line)}
.timeline li{position:relative;margin:0 0 1rem 0;padding-left:1.1rem}
.timeline li::before{content:"";position:absolute;left:-.55rem;top:.35rem;width:.8rem;height:.8rem;border-radius:50%;background:var(--line);border:2px solid #fff}
.timeline li.st-open::before,.timeline li.st-returned::before{background:var(--amber)}
.timeline li.st-done::before{background:var(--green)}
.vote{background:#f6f3ee;border-radius:4px;padding:.3rem .6rem;margin:.3rem 0}
.vote.passed{border-left:4px solid var(--green)}
.vote.failed{border-left:4px solid var(--red)}
.verify-ok{color:var(--green);font-weight:700}
.verify-bad{color:var(--red);font-weight:700}
.grid2{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.25rem}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
.kv dt{font-weight:600;color:var(--muted)}
.kv dd{margin:0}
.chart{display:block;max-width:100%;height:auto}
.chart text{font-family:inherit;font-size:12px;fill:var(--ink)}
.legend{display:flex;gap:1rem;font-size:.85rem;margin:.25rem 0}
.legend span::before{content:"";display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px}
.legend .k-overdue::before{background:#c0392b}.legend .k-escalated::before{background:#7b3fa0}.legend .k-pct::before{background:#1f6fb2}
.login{max-width:26rem;margin:3rem auto}
.login input[type=text],.login input[type=password]{width:100%}
.pager{display:flex;gap:1rem;margin:.5rem 0}
@media (max-width:760px){
  html{font-size:15px}
  .top{padding:.5rem .75rem}
  .who{margin-left:0}
  main{padding:.75rem}
  .grid2{grid-template-columns:1fr}
  input[type=text],input[type=password],textarea,select.wide{width:100%}
  table.stack thead{display:none}
  table.stack tr{display:block;border-bottom:2px solid var(--line);padding:.4rem 0}
  table.stack td{display:block;border:0;padding:.15rem .6rem}
  table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}
}
`;
