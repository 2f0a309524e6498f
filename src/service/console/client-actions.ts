/** Client script, part 4 of 4: the emergency action (end every session), navigation, and start-up. */
export const CLIENT_ACTIONS = `
// Ending every session of every user needs the phrase typed out; the route checks the same phrase again.
const END_ALL = 'end every session';
$('end-all-form').addEventListener('submit', (event) => { event.preventDefault(); run(async () => {
  if ($('end-all-phrase').value !== END_ALL) { status('Type "' + END_ALL + '" exactly to confirm. Nothing was ended.', 'error'); return; }
  const body = await call('POST', '/v1/sessions/end-all', { confirm: END_ALL });
  $('end-all-phrase').value = '';
  $('rows').replaceChildren(); $('results').hidden = true; $('pager').hidden = true; $('subject-actions').hidden = true;
  $('search-summary').textContent = ''; search.shownBy = null;
  status('Ended ' + body.ended + ' session(s) of every user.', 'ok');
}); });

const LOADERS = { overview: loadOverview, feed: loadFeed, sessions: async () => { if (!search.ran && state.browsable) await runSearch(true); }, danger: async () => {} };
for (const button of document.querySelectorAll('#nav button')) {
  button.addEventListener('click', () => { const screen = button.dataset.screen; show(screen); status('', ''); run(LOADERS[screen]); });
}
$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('key').value.trim(); $('key').value = '';
  run(() => connect(key));
});
$('forget').addEventListener('click', () => { signOut(''); status('API key forgotten.', 'ok'); });

// A key kept from earlier in this tab is checked again before anything is shown.
show('key');
if (storedKey()) run(() => connect(storedKey()).then(() => { if (state.screen === 'key') sessionStorage.removeItem(KEY); }));
`;
