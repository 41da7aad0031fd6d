// A job's page: its log, live over server-sent events, appended as text (never as HTML, so that
// whatever a job prints stays text); follow, search (highlight or keep only matching lines), switch
// between stdout and stderr; and for training jobs the loss, accuracy and throughput charts (uPlot).
(function () {
  'use strict';

  const panel = document.getElementById('log-panel');
  if (panel) {
    const pre = document.getElementById('log');
    const follow = document.getElementById('log-follow');
    const search = document.getElementById('log-search');
    const only = document.getElementById('log-only');
    const state = document.getElementById('log-state');
    let source = null;
    let text = '';

    function scroll() {
      if (follow.checked) {
        pre.scrollTop = pre.scrollHeight;
      }
    }

    // The whole log again, with matching lines marked (or alone); only when a search is active.
    function render() {
      const needle = search.value.toLowerCase();
      pre.textContent = '';
      if (!needle) {
        pre.textContent = text;
        scroll();
        return;
      }
      const fragment = document.createDocumentFragment();
      for (const line of text.split('\n')) {
        const hit = line.toLowerCase().includes(needle);
        if (hit) {
          const mark = document.createElement('mark');
          mark.textContent = line;
          fragment.append(mark, '\n');
        } else if (!only.checked) {
          fragment.append(line + '\n');
        }
      }
      pre.append(fragment);
      scroll();
    }

    // The first output and the end of the log mean the job's state changed: show it now rather
    // than at the status part's next poll, so the page never says "pending" above running output.
    function refreshStatus() {
      const status = document.getElementById('job-status');
      const url = status && status.getAttribute('hx-get');
      if (url && window.htmx) {
        window.htmx.ajax('GET', url, { target: status, swap: 'outerHTML' });
      }
    }

    function append(piece) {
      if (!text && piece) {
        state.textContent = ''; // "waiting for the job to start" no longer holds
        refreshStatus();
      }
      text += piece;
      if (search.value) {
        render();
      } else {
        pre.append(piece);
        scroll();
      }
    }

    function open(stream) {
      if (source) {
        source.close();
      }
      text = '';
      pre.textContent = '';
      source = new EventSource(panel.dataset.stream + '?stream=' + encodeURIComponent(stream));
      source.addEventListener('log', (event) => {
        const piece = JSON.parse(event.data);
        append(piece.text);
        if (piece.truncated) {
          state.textContent = panel.dataset.truncatedText;
        }
      });
      source.addEventListener('end', () => {
        // The job ended and everything was sent: closing keeps the browser from reconnecting.
        source.close();
        state.textContent = text ? panel.dataset.endedText : panel.dataset.emptyText;
        panel.dataset.ended = 'true';
        refreshStatus();
      });
    }

    for (const button of panel.querySelectorAll('button.stream')) {
      button.addEventListener('click', () => {
        for (const b of panel.querySelectorAll('button.stream')) {
          b.setAttribute('aria-pressed', String(b === button));
        }
        panel.dataset.ended = 'false';
        open(button.dataset.stream);
      });
    }
    search.addEventListener('input', render);
    search.addEventListener('change', render);
    only.addEventListener('change', render);
    follow.addEventListener('change', scroll);
    open('stdout');
  }

  const charts = document.getElementById('charts');
  if (charts && window.uPlot) {
    const made = {};
    const width = () => Math.max(260, Math.min(560, charts.clientWidth / (window.innerWidth < 700 ? 1 : 3) - 24));

    function series(records, key) {
      const xs = [];
      const ys = [];
      for (const r of records) {
        if (typeof r.step === 'number' && typeof r[key] === 'number') {
          xs.push(r.step);
          ys.push(r[key]);
        }
      }
      return [xs, ys];
    }

    // Test accuracy comes once per epoch: it is drawn on the training steps, empty between epochs.
    function withTest(records) {
      const [xs, train] = series(records, 'accuracy');
      const tests = new Map();
      for (const r of records) {
        if (typeof r.step === 'number' && typeof r.test_accuracy === 'number') {
          tests.set(r.step, r.test_accuracy);
        }
      }
      const allX = Array.from(new Set(xs.concat(Array.from(tests.keys())))).sort((a, b) => a - b);
      const trainAt = new Map(xs.map((x, i) => [x, train[i]]));
      return [allX, allX.map((x) => trainAt.has(x) ? trainAt.get(x) : null), allX.map((x) => tests.has(x) ? tests.get(x) : null)];
    }

    function draw(id, data, labels, colors) {
      const target = document.getElementById(id);
      if (made[id]) {
        made[id].setData(data);
        return;
      }
      const opts = {
        width: width(), height: 220,
        scales: { x: { time: false } },
        axes: [{ label: charts.dataset.step }, {}],
        series: [{ label: charts.dataset.step }].concat(labels.map((label, i) => ({
          label: label, stroke: colors[i], width: 2, spanGaps: true,
          points: { show: label === charts.dataset.testAccuracy },
        }))),
      };
      made[id] = new window.uPlot(opts, data, target);
    }

    async function refresh() {
      const response = await fetch(charts.dataset.metrics, { headers: { Accept: 'application/json' } });
      if (!response.ok) {
        return false;
      }
      const body = await response.json();
      const records = body.records;
      const state = document.getElementById('charts-state');
      const loss = series(records, 'loss');
      if (loss[0].length === 0) {
        state.textContent = charts.dataset.empty;
      } else {
        state.textContent = '';
        draw('chart-loss', loss, [charts.dataset.loss], ['#b3261e']);
        draw('chart-accuracy', withTest(records), [charts.dataset.accuracy, charts.dataset.testAccuracy],
          ['#2f5bd3', '#1e7a46']);
        draw('chart-throughput', series(records, 'samples_per_s'), [charts.dataset.throughput], ['#a86400']);
      }
      return body.active;
    }

    async function loop() {
      let active = true;
      try {
        active = await refresh();
      } catch (e) {
        active = true; // a failed poll is retried: the portal may be restarting
      }
      if (active) {
        setTimeout(loop, 5000);
      }
    }
    loop();
  }
})();
