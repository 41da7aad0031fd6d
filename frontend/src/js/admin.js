// Administration pages: asks before destructive actions (delete a queue, revoke a node token).
// Forms that need it carry the question in data-confirm; without JavaScript they simply submit.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
