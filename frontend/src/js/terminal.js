// The web terminal: xterm.js over the portal's WebSocket (/terminal/socket). Plain script, loaded
// after the vendored xterm.js and addon-fit.js (both define globals). Messages: text (JSON) for
// open/resize/control, binary for keystrokes and output (raw UTF-8; xterm decodes split characters).
'use strict';

(function () {
  // xterm.js creates <style> elements for cell sizes and colours and cannot give them a nonce; the page's
  // policy admits style elements carrying this response's nonce only, so stamp it at creation time.
  const nonceHolder = document.getElementById('terminal-nonce');
  const nonce = nonceHolder ? nonceHolder.nonce : '';
  if (nonce) {
    const create = Document.prototype.createElement;
    Document.prototype.createElement = function (name, options) {
      const element = create.call(this, name, options);
      if (typeof name === 'string' && name.toLowerCase() === 'style') {
        element.setAttribute('nonce', nonce);
      }
      return element;
    };
  }

  const screen = document.getElementById('terminal');
  const form = document.getElementById('terminal-choice');
  const allocationFields = document.getElementById('allocation-fields');
  const status = document.getElementById('terminal-status');
  const errorBox = document.getElementById('terminal-error');
  const reconnectButton = document.getElementById('terminal-reconnect');
  const disconnectButton = document.getElementById('terminal-disconnect');
  const texts = document.getElementById('terminal-texts').dataset;
  const page = document.querySelector('main.terminal-page');

  // Pastes go in pieces well under the portal's message limit (64 KB by default).
  const INPUT_PIECE = 16 * 1024;
  const encoder = new TextEncoder();

  const term = new window.Terminal({
    cursorBlink: true,
    convertEol: false,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
    fontSize: 14,
    // At 1.0 the DOM renderer clips the underscore of most monospace fonts ($CUDA_VISIBLE_DEVICES).
    lineHeight: 1.2,
    scrollback: 5000,
    theme: { background: '#11151f', foreground: '#e6e9f0', cursor: '#8fb0ff', selectionBackground: '#3a4a70' },
  });
  const fit = new window.FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(screen);
  fitNow();

  let socket = null;
  let lastMode = 'shell';
  let closedShown = false;

  function fitNow() {
    try {
      fit.fit();
    } catch (e) {
      // Not laid out yet (hidden): the next resize fits it.
    }
    screen.dataset.columns = String(term.cols);
    screen.dataset.rows = String(term.rows);
  }

  function mode() {
    const checked = form.querySelector('input[name=mode]:checked');
    return checked ? checked.value : 'shell';
  }

  function showAllocationFields() {
    const allocation = mode() === 'allocation';
    allocationFields.hidden = !allocation;
    allocationFields.disabled = !allocation;
  }

  function setStatus(text) {
    status.textContent = text;
  }

  function showError(message, fields) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
    for (const input of form.querySelectorAll('[aria-invalid]')) {
      input.removeAttribute('aria-invalid');
    }
    for (const name of Object.keys(fields || {})) {
      const input = form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
      }
    }
  }

  function connected(yes) {
    page.classList.toggle('connected', yes);
    disconnectButton.hidden = !yes;
    reconnectButton.hidden = yes;
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(message);
    }
  }

  function sendInput(text) {
    const bytes = encoder.encode(text);
    for (let at = 0; at < bytes.length; at += INPUT_PIECE) {
      send(bytes.subarray(at, Math.min(bytes.length, at + INPUT_PIECE)));
    }
  }

  function hangUp() {
    const old = socket;
    socket = null;
    if (old) {
      old.close();
    }
  }

  function open(chosenMode) {
    hangUp();
    lastMode = chosenMode;
    closedShown = false;
    showError('', null);
    term.reset();
    fitNow();
    setStatus(texts.connecting);
    const url = new URL(screen.dataset.socket, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('_csrf', screen.dataset.csrf);
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.addEventListener('open', () => {
      const message = { type: 'open', mode: chosenMode, columns: term.cols, rows: term.rows };
      if (chosenMode === 'allocation') {
        for (const input of allocationFields.querySelectorAll('input, select')) {
          message[input.name] = input.value;
        }
      }
      ws.send(JSON.stringify(message));
      connected(true);
      term.focus();
    });
    ws.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') {
        term.write(new Uint8Array(event.data));
        return;
      }
      const m = JSON.parse(event.data);
      if (m.type === 'opened') {
        setStatus(m.mode === 'allocation' ? texts.connectedAllocation : texts.connectedShell);
      } else if (m.type === 'error') {
        showError(m.message, m.fields);
      } else if (m.type === 'closed') {
        closed(m.reason, m.why);
      }
    });
    ws.addEventListener('close', (event) => {
      if (socket === ws) {
        socket = null;
        // 1008 is how the servlet container closes sockets whose login session ended (logout, expiry).
        closed(event.code === 1008 ? 'logged-out' : 'lost', '');
      }
    });
  }

  function closed(reason, why) {
    connected(false);
    if (closedShown) {
      return;
    }
    closedShown = true;
    if (!errorBox.hidden) {
      // Refused before it opened: the error beside the form says why.
      setStatus(texts.closed);
      return;
    }
    const key = 'closed' + reason.replace(/(^|-)([a-z])/g, (all, dash, letter) => letter.toUpperCase());
    const said = (texts[key] || texts.closedLost) + (why ? ' (' + why.replace(/\.$/, '') + ')' : '') + '.';
    setStatus(texts.closed + ' ' + said + ' ' + texts.reconnectHint);
    term.write('\r\n\x1b[33m' + said + '\x1b[0m\r\n');
  }

  term.onData((data) => sendInput(data));
  term.onBinary((data) => {
    // Mouse reports in the legacy encoding: one byte per character, not UTF-8.
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      bytes[i] = data.charCodeAt(i) & 0xff;
    }
    send(bytes);
  });
  term.onResize(({ cols, rows }) => {
    screen.dataset.columns = String(cols);
    screen.dataset.rows = String(rows);
    send(JSON.stringify({ type: 'resize', columns: cols, rows: rows }));
  });

  term.attachCustomKeyEventHandler((event) => {
    if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) {
      return true;
    }
    if (event.code === 'KeyC') {
      const selection = term.getSelection();
      if (selection && navigator.clipboard) {
        navigator.clipboard.writeText(selection);
      }
      event.preventDefault();
      return false;
    }
    if (event.code === 'KeyV' && navigator.clipboard && navigator.clipboard.readText) {
      navigator.clipboard.readText().then((text) => term.paste(text), () => {});
      event.preventDefault();
      return false;
    }
    if (event.code === 'KeyE') {
      // xterm keeps Tab for the shell: this is the keyboard's way out of the terminal.
      (disconnectButton.hidden ? reconnectButton : disconnectButton).focus();
      event.preventDefault();
      return false;
    }
    return true;
  });

  // The screen changes size with the window and when the choice form hides or shows.
  let resizeTimer = null;
  new ResizeObserver(() => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(fitNow, 50);
  }).observe(screen);
  screen.addEventListener('click', () => term.focus());

  for (const radio of form.querySelectorAll('input[name=mode]')) {
    radio.addEventListener('change', showAllocationFields);
  }
  showAllocationFields();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    open(mode());
  });
  reconnectButton.addEventListener('click', () => open(lastMode));
  disconnectButton.addEventListener('click', () => {
    hangUp();
    connected(false);
    setStatus(texts.closed + ' ' + texts.reconnectHint);
    reconnectButton.focus();
  });
})();
