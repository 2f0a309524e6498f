/**
 * The console's body: every screen is here from the start and shown or hidden by the script (hidden ones hold
 * nothing until the key is checked). No inline handlers, no style attributes: the CSP allows neither.
 */
export const BODY = `
<header>
<h1>Tessera console</h1>
<nav id="nav" aria-label="Screens" hidden>
<button type="button" data-screen="overview">Overview</button>
<button type="button" data-screen="feed">Security feed</button>
<button type="button" data-screen="sessions">Sessions</button>
<button type="button" data-screen="danger">Danger zone</button>
</nav>
<span id="key-state" class="muted small">Not connected</span>
<button type="button" id="forget" hidden>Forget key</button>
</header>
<main>
<p id="status" role="status"></p>

<section id="screen-key" class="card narrow" aria-labelledby="key-title">
<h2 id="key-title">Connect with the API key</h2>
<p class="muted small">The service's backend API key: <code>&lt;data dir&gt;/api-key</code>, or the value of
<code>TESSERA_API_KEY</code>. It is checked against the service first, then kept for this tab only
(sessionStorage, gone when the tab closes) and sent as a Bearer header, never in a URL.</p>
<form id="key-form" class="row" autocomplete="off">
<input id="key" type="password" placeholder="API key" aria-label="API key" autocomplete="off" spellcheck="false">
<button type="submit" class="primary">Connect</button>
</form>
<p id="key-error" class="error" role="alert"></p>
</section>

<section id="screen-overview" aria-labelledby="overview-title" hidden>
<div class="head"><h2 id="overview-title">Overview</h2>
<span id="ov-asof" class="muted small" data-gen="0"></span>
<button type="button" id="ov-refresh">Refresh</button></div>
<div class="tiles">
<div class="tile" id="tile-live"><span class="label">Live sessions</span><span class="value" id="ov-live">–</span><span class="sub" id="ov-live-sub"></span></div>
<div class="tile"><span class="label">Logins / min</span><span class="value" id="ov-logins">–</span><span class="sub" id="ov-logins-total"></span></div>
<div class="tile"><span class="label">Refusals / min</span><span class="value" id="ov-refusals">–</span><span class="sub" id="ov-refusals-total"></span></div>
<div class="tile"><span class="label">Security events / min</span><span class="value" id="ov-security">–</span><span class="sub" id="ov-security-total"></span></div>
<div class="tile"><span class="label">Revocations / min</span><span class="value" id="ov-revocations">–</span><span class="sub" id="ov-revocations-total"></span></div>
<div class="tile" id="tile-store"><span class="label">Store</span><span class="value" id="ov-store">–</span><span class="sub" id="ov-store-sub"></span></div>
<div class="tile"><span class="label">Version</span><span class="value" id="ov-version">–</span><span class="sub" id="ov-audit"></span></div>
</div>
<p id="ov-window" class="muted small"></p>
<h3>Refusals since start, by code</h3>
<table class="list"><thead><tr><th>Code</th><th>Count</th></tr></thead><tbody id="ov-codes"></tbody></table>
</section>

<section id="screen-feed" aria-labelledby="feed-title" hidden>
<div class="head"><h2 id="feed-title">Security feed</h2>
<label><input type="checkbox" id="feed-live" checked> Live (every 3 s)</label>
<span id="feed-source" class="muted small"></span></div>
<fieldset id="feed-types"><legend>Show</legend></fieldset>
<form id="feed-filter" class="row" autocomplete="off">
<input id="feed-subject" class="grow" placeholder="Only this subject (optional)" aria-label="Only this subject">
<button type="submit">Apply</button>
</form>
<ol id="feed-list" class="feed" data-gen="0" aria-live="polite"></ol>
<p id="feed-empty" class="muted" hidden>No events match.</p>
<button type="button" id="feed-older" hidden>Load older</button>
</section>

<section id="screen-sessions" aria-labelledby="sessions-title" hidden>
<div class="head"><h2 id="sessions-title">Sessions</h2></div>
<p id="browse-note" class="note" hidden></p>
<form id="search-form" class="row" autocomplete="off">
<input id="q" type="search" placeholder="Subject, session id or IP (empty: every session)" aria-label="Search">
<select id="by" aria-label="Search by">
<option value="auto">Any field</option><option value="subject">Subject</option>
<option value="id">Session id</option><option value="ip">IP address</option>
</select>
<select id="sort" aria-label="Sort">
<option value="-lastSeenAt">Last seen, newest first</option><option value="lastSeenAt">Last seen, oldest first</option>
<option value="-createdAt">Created, newest first</option><option value="createdAt">Created, oldest first</option>
</select>
<button type="submit" class="primary">Search</button>
</form>
<p id="search-summary" class="muted"></p>
<div id="subject-actions" class="actions" hidden>
<button type="button" id="revoke-subject" class="danger-button">Revoke all sessions of this subject</button>
</div>
<table class="list" id="results" hidden><thead><tr><th>Session</th><th>Subject</th><th>Client</th><th>IP</th>
<th>Last seen</th><th>Created</th><th>Ends</th><th>Level</th><th></th></tr></thead>
<tbody id="rows" data-gen="0"></tbody></table>
<div class="pager" id="pager" hidden>
<button type="button" id="prev">Previous</button><span id="page-no" class="muted small"></span>
<button type="button" id="next">Next</button>
</div>
</section>

<section id="screen-detail" aria-labelledby="detail-title" hidden>
<div class="head"><button type="button" id="detail-back">Back</button>
<h2 id="detail-title">Session <code id="d-id"></code></h2></div>
<div class="card"><dl id="d-fields" class="fields" data-gen="0"></dl></div>
<h3>Data <span id="d-bytes" class="muted small"></span></h3>
<ul id="d-keys" class="keys"></ul>
<p id="d-keys-empty" class="muted small" hidden>No data.</p>
<p class="muted small">Keys only: values are never sent to the console.</p>
<div class="actions">
<button type="button" id="d-revoke" class="danger-button">Revoke this session</button>
<button type="button" id="d-subject">Every session of this subject</button>
</div>
<h3>Recent events of this session</h3>
<ol id="d-events" class="feed" aria-busy="false"></ol>
<p id="d-events-empty" class="muted" hidden>None in the feed.</p>
</section>

<section id="screen-danger" aria-labelledby="danger-title" hidden>
<div class="danger">
<h3 id="danger-title">End every session</h3>
<p>End every session of every user at once, on every node of this store: everyone must log in again.</p>
<form id="end-all-form" class="row" autocomplete="off">
<input id="end-all-phrase" class="grow" placeholder="Type: end every session" aria-label="Type end every session to confirm" autocomplete="off">
<button type="submit" id="end-all" class="danger-button">End every session</button>
</form>
</div>
</section>
</main>

<dialog id="confirm" aria-labelledby="confirm-text">
<p id="confirm-text"></p>
<p id="confirm-detail" class="muted small"></p>
<div class="actions">
<button type="button" id="confirm-cancel">Cancel</button>
<button type="button" id="confirm-ok" class="danger-button">Confirm</button>
</div>
</dialog>
`;
