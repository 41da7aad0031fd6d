// The Account page's copy button: puts a new token's secret on the clipboard. The Clipboard API needs a
// secure context (https or localhost); elsewhere the text is selected so that the user copies it.
(function () {
  'use strict';
  const button = document.getElementById('token-copy');
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.copyTarget);
  const state = document.getElementById('token-copy-state');
  button.addEventListener('click', async () => {
    field.focus();
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      state.textContent = button.dataset.msgCopied;
    } catch (e) {
      state.textContent = button.dataset.msgFailed;
    }
  });
})();
