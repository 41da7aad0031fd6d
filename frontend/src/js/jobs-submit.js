// The submit page: templates fill the editor, the job type switches the editor's label, and the
// selected queue's limits are the ones shown. The form works without this script.
(function () {
  'use strict';
  const form = document.getElementById('submit-form');
  if (!form) {
    return;
  }
  const script = document.getElementById('script');
  const type = document.getElementById('type');
  const gpus = document.getElementById('gpusPerNode');
  const queue = document.getElementById('queue');

  function showType() {
    form.classList.toggle('is-training', type.value === 'training');
  }

  function showQueue() {
    for (const li of document.querySelectorAll('.queue-limits li')) {
      li.hidden = li.dataset.queue !== queue.value;
    }
    const option = queue.selectedOptions[0];
    if (option) {
      document.getElementById('walltime').placeholder = option.dataset.default;
    }
  }

  for (const button of document.querySelectorAll('button.template')) {
    button.addEventListener('click', () => {
      const template = document.getElementById('tpl-' + button.dataset.template);
      script.value = template.content.textContent;
      type.value = button.dataset.type;
      if (button.dataset.gpus && (gpus.value === '' || gpus.value === '0')) {
        gpus.value = button.dataset.gpus;
      }
      for (const b of document.querySelectorAll('button.template')) {
        b.setAttribute('aria-pressed', String(b === button));
      }
      showType();
      script.focus();
    });
  }
  type.addEventListener('change', showType);
  queue.addEventListener('change', showQueue);
  showType();
  showQueue();
})();
