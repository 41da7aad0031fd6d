// Uploads of the Files page: one request per file, so that each file has its own progress bar
// (XMLHttpRequest reports upload progress; fetch does not). Files are sent one after the other:
// the server checks the quota for each, and a slow link is not split between several files.
// Without this script the form still posts all the files at once.
(function () {
  'use strict';
  const form = document.getElementById('upload-form');
  if (!form) {
    return;
  }
  const input = document.getElementById('upload-input');
  const list = document.getElementById('upload-list');
  const data = form.dataset;
  const maxBytes = Number(data.maxBytes);

  function say(template, ...args) {
    return args.reduce((text, arg, i) => text.split('{' + i + '}').join(arg), template);
  }

  const units = (data.units || 'B,KiB,MiB,GiB,TiB').split(',');
  const language = document.documentElement.lang || 'en';
  let free = Number(data.freeBytes);

  // Sizes as the server writes them, in the page's language (1.5 MiB, 1,5 Mio).
  function human(bytes) {
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    if (unit === 0) {
      return bytes + ' ' + units[0];
    }
    return value.toLocaleString(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + '\u00a0' + units[unit];
  }

  // Bytes a file of this name already takes in the folder: replacing it frees them.
  function replaced(name) {
    for (const row of document.querySelectorAll('#files tr[data-size]')) {
      if (row.dataset.name === name) {
        return Number(row.dataset.size);
      }
    }
    return 0;
  }

  function row(file) {
    const item = document.createElement('li');
    item.dataset.name = file.name;
    const name = document.createElement('span');
    name.className = 'upload-name';
    name.textContent = file.name + ' (' + human(file.size) + ')';
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute('aria-label', say(data.msgProgress, file.name));
    const state = document.createElement('span');
    state.className = 'upload-state';
    item.append(name, bar, state);
    list.append(item);
    return { item, bar, state };
  }

  function finish(view, ok, text) {
    view.item.classList.add(ok ? 'done' : 'failed');
    view.state.textContent = text;
    if (ok) {
      view.bar.value = 100;
    }
  }

  function send(file, view) {
    return new Promise((resolve) => {
      const body = new FormData();
      body.append('files', file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
      // The token goes in a header: as a form field, reading it would make the server parse the
      // whole upload before the security check.
      const csrf = form.querySelector('input[name="_csrf"]');
      if (csrf) {
        xhr.setRequestHeader('X-CSRF-TOKEN', csrf.value);
      }
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) {
          view.bar.value = Math.floor((e.loaded * 99) / e.total); // 100 once the server has stored it
        }
      });
      xhr.addEventListener('load', () => {
        let answer = {};
        try {
          answer = JSON.parse(xhr.responseText);
        } catch (ignored) {
          answer = {};
        }
        if (xhr.status === 200) {
          finish(view, true, data.msgDone);
          resolve(true);
        } else {
          finish(view, false, say(data.msgFailed, answer.error || ('HTTP ' + xhr.status)));
          resolve(false);
        }
      });
      xhr.addEventListener('error', () => {
        finish(view, false, say(data.msgFailed, data.msgNetwork));
        resolve(false);
      });
      view.state.textContent = data.msgUploading;
      xhr.send(body);
    });
  }

  // The table and the space used, read again from the server, so the new files show without losing the bars.
  async function refresh() {
    const answer = await fetch(window.location.href, { credentials: 'same-origin' });
    if (!answer.ok) {
      return;
    }
    const page = new DOMParser().parseFromString(await answer.text(), 'text/html');
    for (const id of ['files', 'files-empty']) {
      const old = document.getElementById(id);
      if (old) {
        old.remove();
      }
    }
    const main = document.getElementById('main');
    for (const id of ['files-empty', 'files']) {
      const fresh = page.getElementById(id);
      if (fresh) {
        main.append(document.adoptNode(fresh));
      }
    }
    for (const id of ['quota-bar', 'quota-text']) {
      const fresh = page.getElementById(id);
      const old = document.getElementById(id);
      if (fresh && old) {
        old.replaceWith(document.adoptNode(fresh));
      }
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = Array.from(input.files);
    if (chosen.length === 0) {
      return;
    }
    list.replaceChildren();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    let stored = 0;
    let failed = 0;
    for (const file of chosen) {
      const view = row(file);
      if (file.size > maxBytes) {
        // Refused here: past the limit the server stops reading and the browser would only see a broken connection.
        finish(view, false, say(data.msgFailed, say(data.msgTooLarge, file.name, data.maxHuman)));
        failed++;
        continue;
      }
      const needed = file.size - replaced(file.name);
      if (needed > free) {
        // The server would refuse it too, but only after the whole file had crossed the network.
        finish(view, false, say(data.msgFailed,
          say(data.msgQuota, human(needed), human(free), human(Number(data.quotaBytes)))));
        failed++;
        continue;
      }
      if (await send(file, view)) {
        free -= needed;
        stored++;
      } else {
        failed++;
      }
    }
    button.disabled = false;
    input.value = '';
    if (stored > 0) {
      await refresh();
    }
    if (failed === 0) {
      const done = document.createElement('li');
      done.className = 'all-done';
      done.textContent = data.msgAllDone;
      list.append(done);
    }
  });
})();
