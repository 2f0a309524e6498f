/**
 * The console's one stylesheet, allowed by its hash (page.ts). Phone first: nothing is wider than the screen at
 * 375 px (long ids and user agents wrap anywhere, tables turn into cards below 760 px), and no style attribute
 * is ever used, so the CSP needs no 'unsafe-inline' or 'unsafe-hashes'.
 */
export const STYLE = `
:root{--ink:#1b1b1b;--muted:#5f6368;--line:#dadce0;--bg:#f6f7f9;--card:#fff;--accent:#0b57d0;--bad:#b3261e;--warn:#8a5a00;--good:#1c6e2c}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--ink);background:var(--bg)}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem;background:#16213a;color:#fff}
header h1{font-size:1.05rem;margin:0;font-weight:600}
header .muted{color:#c4cad6}
nav{display:flex;flex-wrap:wrap;gap:.25rem;flex:1 1 auto}
nav button{background:transparent;color:#e8ecf4;border:1px solid transparent;border-radius:6px;padding:.3rem .65rem}
nav button[aria-current=page]{background:#2f3f63;border-color:#4b5d86;color:#fff}
header #forget{background:transparent;color:#e8ecf4;border:1px solid #4b5d86}
main{max-width:76rem;margin:0 auto;padding:1rem}
h2{font-size:1.2rem;margin:0}h3{font-size:1rem;margin:1.4rem 0 .5rem}
.head{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;margin-bottom:.8rem}
.muted{color:var(--muted)}.small{font-size:.85rem}
button{font:inherit;padding:.4rem .8rem;cursor:pointer;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--ink)}
button:disabled{cursor:default;opacity:.5}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger-button{background:var(--bad);border-color:var(--bad);color:#fff}
button.link{border:0;background:none;padding:0;color:var(--accent);text-decoration:underline;text-align:left;overflow-wrap:anywhere}
input,select{font:inherit;padding:.4rem .55rem;border:1px solid var(--line);border-radius:6px;background:#fff;min-width:0;max-width:100%}
form.row{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0;align-items:center}
form.row input[type=search],form.row input[type=password],form.row input.grow{flex:1 1 14rem}
label{display:inline-flex;align-items:center;gap:.3rem}
code,.id{font:.82rem/1.3 ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
#status{min-height:1.4rem;margin:0 0 .5rem}#status.error,.error{color:var(--bad)}#status.ok{color:var(--good)}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem}
.narrow{max-width:34rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(10.5rem,1fr));gap:.75rem}
.tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.75rem .9rem;display:flex;flex-direction:column;gap:.15rem;min-width:0}
.tile .label{font-size:.8rem;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.tile .value{font-size:1.6rem;font-weight:600;overflow-wrap:anywhere}
.tile .sub{font-size:.8rem;color:var(--muted);overflow-wrap:anywhere}
.tile.bad{border-color:var(--bad)}.tile.bad .value{color:var(--bad)}.tile.good .value{color:var(--good)}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:10px}
th,td{border-bottom:1px solid var(--line);padding:.45rem .55rem;text-align:left;vertical-align:top;font-size:.88rem;overflow-wrap:break-word}
td .id,td code{overflow-wrap:anywhere}td button.revoke{white-space:nowrap}
th{white-space:nowrap;font-size:.78rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);font-weight:600}
tr:last-child td{border-bottom:0}
.pager{display:flex;gap:.5rem;align-items:center;margin:.75rem 0}
fieldset{border:1px solid var(--line);border-radius:10px;margin:.5rem 0;padding:.4rem .75rem;display:flex;flex-wrap:wrap;gap:.25rem .9rem;background:var(--card)}
legend{font-size:.8rem;color:var(--muted);padding:0 .3rem}
ol.feed{list-style:none;margin:.5rem 0;padding:0;display:flex;flex-direction:column;gap:.4rem}
ol.feed li{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--line);border-radius:8px;padding:.45rem .7rem;display:flex;flex-wrap:wrap;gap:.15rem .75rem;align-items:baseline;min-width:0}
ol.feed li.alarm{border-left-color:var(--bad)}ol.feed li.warn{border-left-color:#e3a008}
.badge{font-weight:600;font-size:.85rem}li.alarm .badge{color:var(--bad)}li.warn .badge{color:var(--warn)}
ol.feed li>*{min-width:0;overflow-wrap:anywhere}
dl.fields{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.35rem 1rem;margin:0}
dl.fields dt{color:var(--muted)}dl.fields dd{margin:0;overflow-wrap:anywhere}
ul.keys{display:flex;flex-wrap:wrap;gap:.35rem;list-style:none;margin:.25rem 0;padding:0}ul.keys li{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.1rem .45rem}
.note{background:#fff8e1;border:1px solid #e3a008;border-radius:8px;padding:.5rem .75rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}
.danger{border:1px solid var(--bad);border-radius:10px;padding:.25rem 1rem 1rem;background:var(--card)}.danger h3{color:var(--bad)}
dialog{border:1px solid var(--line);border-radius:12px;padding:1.1rem;max-width:min(30rem,92vw)}
dialog::backdrop{background:rgba(15,23,42,.45)}
dialog p{margin:0 0 .5rem;overflow-wrap:anywhere}
time{white-space:normal}
[hidden]{display:none!important}
@media (max-width:760px){
 main{padding:.75rem}
 table.list,table.list tbody,table.list tr,table.list td{display:block;width:100%}
 table.list thead{display:none}
 table.list{border:0;background:none}
 table.list tr{background:var(--card);border:1px solid var(--line);border-radius:10px;margin-bottom:.6rem;padding:.35rem .2rem}
 table.list td{border:0;padding:.2rem .6rem}
 table.list td::before{content:attr(data-label);display:block;font-size:.72rem;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
 dl.fields{grid-template-columns:1fr}dl.fields dd{margin-bottom:.4rem}
 .tile .value{font-size:1.35rem}
}
`;
