// The dashboard page, embedded in the binary (no files to deploy, no CDN). Plain HTML and
// JavaScript drawing SVG charts from the JSON API; its state (symbol, range) lives in the URL.
#pragma once

#include <string_view>

namespace cryptolake::serve {

inline constexpr std::string_view kDashboardPage = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cryptolake</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#0f172a;color:#e2e8f0}
header{display:flex;gap:1rem;align-items:center;padding:.7rem 1rem;background:#1e293b;flex-wrap:wrap}
h1{font-size:1.1rem;margin:0} main{display:grid;gap:1rem;padding:1rem;grid-template-columns:repeat(auto-fit,minmax(320px,1fr))}
section{background:#1e293b;border-radius:8px;padding:.8rem} h2{font-size:.95rem;margin:.1rem 0 .6rem}
select,input{background:#0f172a;color:#e2e8f0;border:1px solid #334155;border-radius:4px;padding:.2rem .4rem}
svg{width:100%;height:220px} .stat{font-size:1.6rem;font-weight:600} .muted{color:#94a3b8}
table{width:100%;border-collapse:collapse;font-size:12px} td,th{padding:2px 4px;text-align:right} td:first-child,th:first-child{text-align:left}
.empty{color:#94a3b8;padding:2rem;text-align:center}
</style></head><body>
<header><h1>cryptolake</h1>
<label>symbol <select id="symbol"></select></label>
<label>last <select id="range"><option value="1">day</option><option value="7">week</option><option value="30">30 days</option></select></label>
<span class="muted" id="status">loading…</span></header>
<main>
<section><h2>Price (USDT) with moving average, hourly</h2><svg id="price"></svg></section>
<section><h2>Current price and range</h2><div class="stat" id="current">–</div><div class="muted" id="minmax"></div></section>
<section><h2>Top 10 daily volatility (%)</h2><svg id="vol"></svg></section>
<section><h2>Sentiment ↔ price (lag k: sentiment at h vs return at h+k)</h2><div id="sentiment" class="empty">loading…</div></section>
<section><h2>Data quality (latest run)</h2><div id="quality" class="empty">loading…</div></section>
</main>
<script>
const q = new URLSearchParams(location.search);
const $ = id => document.getElementById(id);
async function api(path){ const r = await fetch(path); if(!r.ok) throw new Error((await r.json()).error||r.status); return r.json(); }
function line(svg, series, colors, yLabel){
  svg.innerHTML=''; const W=svg.clientWidth||600,H=220,p=48; const all=series.flat();
  if(!all.length){ svg.innerHTML='<text x="20" y="110" fill="#94a3b8">no data in this range</text>'; return; }
  const xs=all.map(d=>d[0]), ys=all.map(d=>d[1]); const x0=Math.min(...xs),x1=Math.max(...xs),y0=Math.min(...ys),y1=Math.max(...ys);
  const X=v=>p+(v-x0)/((x1-x0)||1)*(W-p-8), Y=v=>H-24-(v-y0)/((y1-y0)||1)*(H-40);
  series.forEach((s,i)=>{ const d=s.map((pt,j)=>(j?'L':'M')+X(pt[0]).toFixed(1)+','+Y(pt[1]).toFixed(1)).join('');
    svg.insertAdjacentHTML('beforeend',`<path d="${d}" fill="none" stroke="${colors[i]}" stroke-width="1.5"/>`); });
  [y0,(y0+y1)/2,y1].forEach(v=>svg.insertAdjacentHTML('beforeend',`<text x="2" y="${Y(v)+4}" fill="#94a3b8" font-size="10">${v.toPrecision(6)}</text>`));
  svg.insertAdjacentHTML('beforeend',`<text x="${p}" y="${H-4}" fill="#94a3b8" font-size="10">${new Date(x0).toISOString().slice(0,16)}Z</text><text x="${W-130}" y="${H-4}" fill="#94a3b8" font-size="10">${new Date(x1).toISOString().slice(0,16)}Z</text><text x="${W-60}" y="12" fill="#94a3b8" font-size="10">${yLabel}</text>`);
}
function bars(svg, rows){ svg.innerHTML=''; if(!rows.length){svg.innerHTML='<text x="20" y="110" fill="#94a3b8">no data</text>';return;}
  const W=svg.clientWidth||600, max=Math.max(...rows.map(r=>r.daily_volatility)); rows.forEach((r,i)=>{ const w=(W-150)*r.daily_volatility/max;
  svg.insertAdjacentHTML('beforeend',`<text x="0" y="${i*21+15}" fill="#e2e8f0" font-size="11">${r.symbol}</text><rect x="90" y="${i*21+4}" width="${w}" height="14" fill="#38bdf8"/><text x="${95+w}" y="${i*21+15}" fill="#94a3b8" font-size="10">${(r.daily_volatility*100).toFixed(2)}</text>`);}); }
function table(el, rows, cols){ if(!rows.length){ el.className='empty'; el.textContent='no rows'; return; } el.className='';
  el.innerHTML='<table><tr>'+cols.map(c=>`<th>${c}</th>`).join('')+'</tr>'+rows.map(r=>'<tr>'+cols.map(c=>`<td>${typeof r[c]==='number'?+r[c].toFixed(4):r[c]}</td>`).join('')+'</tr>').join('')+'</table>'; }
async function load(){
  const symbol=$('symbol').value, days=+$('range').value; history.replaceState(null,'',`?symbol=${symbol}&days=${days}`);
  $('status').textContent='loading…';
  try{
    const latest=(await api(`/api/v1/aggregates?period=hour&symbol=${symbol}&limit=1`))[0];
    const to=latest?latest.time+3600e3:Date.now(), from=to-days*864e5;
    const hours=(await api(`/api/v1/aggregates?period=hour&symbol=${symbol}&from=${from}&to=${to}&limit=100000`)).reverse();
    const close=hours.map(h=>[h.time,h.last_price]); const ma=close.map((c,i)=>{const w=close.slice(Math.max(0,i-23),i+1);return [c[0],w.reduce((a,b)=>a+b[1],0)/w.length];});
    line($('price'),[close,ma],['#38bdf8','#f59e0b'],'USDT');
    if(hours.length){ const lo=Math.min(...hours.map(h=>h.min_price)), hi=Math.max(...hours.map(h=>h.max_price)), last=close[close.length-1][1], first=hours[0].first_price;
      $('current').textContent=last.toPrecision(8)+' USDT'; $('minmax').textContent=`min ${lo} · max ${hi} · change ${((last/first-1)*100).toFixed(2)} %`; }
    else { $('current').textContent='–'; $('minmax').textContent='no data in this range'; }
    bars($('vol'), await api(`/api/v1/volatility?from=${from}&to=${to}&limit=10`));
    try{ table($('sentiment'), await api('/api/v1/sentiment'), ['coin','hours','pearson_same_hour','pearson_next_hour','best_lag_hours','best_lag_correlation','p_value']); }catch(e){ $('sentiment').textContent=e.message; }
    try{ table($('quality'), (await api('/api/v1/quality?limit=12')), ['table_name','check','partition','status','observed']); }catch(e){ $('quality').textContent=e.message; }
    $('status').textContent=`${hours.length} hours`;
  }catch(e){ $('status').textContent='error: '+e.message; }
}
(async()=>{ try{ const syms=await api('/api/v1/sql?q='+encodeURIComponent('SELECT DISTINCT symbol FROM agg_market_daily ORDER BY 1'));
  $('symbol').innerHTML=syms.map(s=>`<option>${s.symbol}</option>`).join(''); }catch(e){ $('status').textContent='error: '+e.message; }
  if(q.get('symbol')) $('symbol').value=q.get('symbol'); if(q.get('days')) $('range').value=q.get('days');
  $('symbol').onchange=load; $('range').onchange=load; load(); })();
</script></body></html>
)HTML";

}  // namespace cryptolake::serve
