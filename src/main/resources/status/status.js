'use strict';
// Lifeguard's status page. Reads observe/status every 2 s and observe/fleet every 10 s, and
// counts every timeout down each second in between, so an operator watching a hook near its
// heartbeat timeout sees it move even when an answer is late. Read-only: it only sends GETs.
// Every value from the replica is written as text (never as HTML): group names, reasons and
// hook names come from events, which anyone allowed to write to the queue can shape.
(() => {
  const STATUS_URL = 'observe/status';
  const FLEET_URL = 'observe/fleet';
  const STATUS_EVERY_MS = 2000;
  const FLEET_EVERY_MS = 10000;
  const TICK_MS = 1000;
  const ANSWER_WITHIN_MS = 5000;
  const NONE = '—';

  // Counting happens against the moment the last answer arrived, on the browser's monotonic
  // clock; instants the replica names ("next look at") are read against the replica's clock.
  let answeredAt = null;
  let replicaAheadMs = 0;
  let lastAnswerAt = null;
  let failingSince = null;

  const byId = id => document.getElementById(id);

  /** An element with attributes ({data: {...}} becomes data-*) and children (strings become text). */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined) {
        continue;
      }
      if (name === 'data') {
        for (const [key, v] of Object.entries(value)) {
          if (v !== null && v !== undefined) {
            node.dataset[key] = String(v);
          }
        }
      } else {
        node.setAttribute(name, String(value));
      }
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  const text = value => (value === null || value === undefined || value === '' ? NONE : String(value));

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) {
      return s + ' s';
    }
    const m = Math.floor(s / 60);
    if (m < 60) {
      return m + ' min ' + String(s % 60).padStart(2, '0') + ' s';
    }
    const h = Math.floor(m / 60);
    if (h < 48) {
      return h + ' h ' + String(m % 60).padStart(2, '0') + ' min';
    }
    return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
  }

  /** An ISO instant as UTC wall-clock time; the date too when it is not the replica's today. */
  function clock(iso) {
    if (!iso) {
      return NONE;
    }
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) {
      return String(iso);
    }
    const full = at.toISOString();
    const today = new Date(Date.now() + replicaAheadMs).toISOString().slice(0, 10);
    return (full.slice(0, 10) === today ? '' : full.slice(0, 10) + ' ') + full.slice(11, 19) + 'Z';
  }

  function timeEl(iso, className) {
    return el('time', {datetime: iso, title: iso, class: className}, clock(iso));
  }

  /** An instant shown as "in 4 s" or "12 s ago", kept current by tick(). */
  function relativeEl(iso) {
    return el('time', {class: 'relative', datetime: iso, title: iso, data: {instant: iso}}, '');
  }

  const secondsSinceAnswer = () => (answeredAt === null ? 0 : (performance.now() - answeredAt) / 1000);

  /** The contract's colours: amber under a third, red under a tenth of the heartbeat timeout. */
  function level(secondsLeft, heartbeatTimeout) {
    if (secondsLeft === null) {
      return 'unknown';
    }
    if (secondsLeft <= 0) {
      return 'expired';
    }
    if (heartbeatTimeout === null || heartbeatTimeout === undefined) {
      return 'ok';
    }
    if (secondsLeft < heartbeatTimeout / 10) {
      return 'critical';
    }
    return secondsLeft < heartbeatTimeout / 3 ? 'low' : 'ok';
  }

  // Words beside the colour, so the colour is never the only signal.
  const LEVEL_WORDS = {low: 'low', critical: 'critical', expired: 'expired'};

  function countdownCell(which, secondsLeft, heartbeatTimeout) {
    return el('td', {
      class: 'countdown',
      data: {
        timeout: which,
        secondsAtAnswer: secondsLeft,
        heartbeatTimeout: heartbeatTimeout,
        secondsLeft: secondsLeft === null ? '' : secondsLeft.toFixed(1),
        level: level(secondsLeft, heartbeatTimeout),
      },
    });
  }

  function tickCountdown(cell) {
    const atAnswer = cell.dataset.secondsAtAnswer;
    if (atAnswer === undefined) {
      cell.replaceChildren('unknown');
      return;
    }
    const left = Number(atAnswer) - secondsSinceAnswer();
    const timeout = cell.dataset.heartbeatTimeout === undefined ? null : Number(cell.dataset.heartbeatTimeout);
    const now = level(left, timeout);
    cell.dataset.secondsLeft = Math.max(0, left).toFixed(1);
    cell.dataset.level = now;
    const word = LEVEL_WORDS[now];
    cell.replaceChildren(now === 'expired' ? '' : duration(left) + ' ', word ? el('span', {class: 'level-word'}, word) : '');
  }

  function tick() {
    document.querySelectorAll('td.countdown').forEach(tickCountdown);
    document.querySelectorAll('[data-running-at-answer]').forEach(span => {
      const running = Number(span.dataset.runningAtAnswer) + secondsSinceAnswer();
      span.dataset.runningSeconds = running.toFixed(1);
      span.textContent = 'running ' + duration(running);
    });
    const replicaNow = Date.now() + replicaAheadMs;
    document.querySelectorAll('time.relative').forEach(time => {
      const seconds = (Date.parse(time.dataset.instant) - replicaNow) / 1000;
      time.textContent = Math.abs(seconds) < 1 ? 'now' : seconds > 0 ? 'in ' + duration(seconds) : duration(-seconds) + ' ago';
    });
  }

  // ---- this replica ----

  function urgency(hook) {
    const lefts = [hook.heartbeatSecondsLeft, hook.globalSecondsLeft].filter(v => v !== null && v !== undefined);
    return lefts.length ? Math.min(...lefts) : Infinity;
  }

  const stateWords = state => (state ? state.toLowerCase().replaceAll('_', ' ') : NONE);

  function stepCell(step) {
    if (!step) {
      return el('td', {}, NONE);
    }
    return el('td', {class: 'step', data: {step: step.name}},
        el('span', {class: 'step-name'}, text(step.name)), ' ', el('span', {class: 'step-type'}, '(' + text(step.type) + ')'), ' ',
        step.runningSeconds === null || step.runningSeconds === undefined
            ? '' : el('span', {class: 'running', data: {runningAtAnswer: step.runningSeconds}}, ''));
  }

  function parkedCell(parked) {
    if (!parked) {
      return el('td', {}, NONE);
    }
    return el('td', {class: 'parked', data: {handle: parked.handle}},
        el('span', {class: 'mono handle'}, text(parked.handle)),
        el('br'), 'next look ', parked.nextLookAt ? relativeEl(parked.nextLookAt) : NONE);
  }

  function heartbeatsCell(beats) {
    const b = beats || {};
    const failed = typeof b.lastResult === 'string' && b.lastResult.startsWith('FAILED');
    return el('td', {class: failed ? 'heartbeats failed' : 'heartbeats', data: {sent: b.sent}},
        text(b.sent) + ' sent',
        b.lastResult ? el('span', {class: 'beat-result'}, ' · ' + b.lastResult) : '',
        b.lastAt ? el('br') : '', b.lastAt ? el('span', {class: 'running'}, 'last ', relativeEl(b.lastAt)) : '');
  }

  function inFlightRow(hook) {
    return el('tr', {data: {key: hook.key, state: hook.state, group: hook.group, instance: hook.instance}},
        el('td', {class: 'kind'}, text(hook.kind)),
        el('td', {class: 'name', title: hook.group}, text(hook.group)),
        el('td', {class: 'mono'}, text(hook.instance)),
        el('td', {class: 'hook'}, text(hook.hook)),
        el('td', {class: 'state'}, stateWords(hook.state)),
        stepCell(hook.step),
        parkedCell(hook.parked),
        heartbeatsCell(hook.heartbeats),
        el('td', {class: 'number'}, text(hook.attempt)),
        countdownCell('heartbeat', hook.heartbeatSecondsLeft ?? null, hook.heartbeatTimeoutSeconds ?? null),
        countdownCell('global', hook.globalSecondsLeft ?? null, hook.heartbeatTimeoutSeconds ?? null));
  }

  function emptyRow(table, words) {
    const columns = table.tHead.rows[0].cells.length;
    return el('tr', {class: 'empty'}, el('td', {colspan: columns}, words));
  }

  function fill(table, rows, whenEmpty) {
    table.tBodies[0].replaceChildren(...(rows.length ? rows : [emptyRow(table, whenEmpty)]));
  }

  function groupRow(group) {
    const max = group.maxInFlight;
    const full = max !== null && max !== undefined && group.inFlight >= max;
    return el('tr', {class: full ? 'full' : null,
      data: {group: group.group, inFlight: group.inFlight, maxInFlight: max, waiting: group.waiting}},
    el('td', {class: 'name', title: group.group}, text(group.group)),
    el('td', {class: 'slots'}, text(group.inFlight) + ' / ' + (max === null || max === undefined ? 'no limit' : max),
        full ? ' ' : '', full ? el('span', {class: 'level-word'}, 'full') : ''),
    el('td', {class: group.waiting > 0 ? 'number waiting' : 'number'}, text(group.waiting)));
  }

  function recentRow(ended) {
    return el('tr', {data: {key: ended.key, outcome: ended.outcome}, class: 'outcome-' + String(ended.outcome).toLowerCase()},
        el('td', {class: 'when'}, timeEl(ended.endedAt)),
        el('td', {class: 'kind'}, text(ended.kind)),
        el('td', {class: 'name', title: ended.group}, text(ended.group)),
        el('td', {class: 'mono'}, text(ended.instance)),
        el('td', {class: 'hook'}, text(ended.hook)),
        el('td', {class: 'outcome'}, text(ended.outcome)),
        el('td', {}, text(ended.result)),
        el('td', {class: 'reason'}, text(ended.reason)));
  }

  // The figure is every intake queue's dead-letter queue together; its title names each one.
  function renderDeadLetters(dlq, each) {
    const d = dlq || {};
    const figure = byId('dead-letters');
    const known = d.messages !== null && d.messages !== undefined;
    figure.textContent = known ? String(d.messages) : '?';
    figure.dataset.messages = known ? String(d.messages) : '';
    figure.classList.toggle('nonzero', known && d.messages > 0);
    const queues = (each || []).map(q => text(q.queue) + ': ' + (q.messages === null || q.messages === undefined ? '?' : q.messages));
    figure.title = queues.length > 1 ? queues.join('\n') : (d.queue || 'no dead-letter queue configured');
    const detail = byId('dead-letters-detail');
    if (d.error) {
      detail.replaceChildren(el('span', {class: 'failed'}, 'cannot read: ' + d.error));
    } else if (known) {
      detail.replaceChildren(d.messages > 0 ? 'messages waiting' : 'empty', d.readAt ? el('span', {}, ', read ', relativeEl(d.readAt)) : '');
    } else {
      detail.replaceChildren('not read yet');
    }
  }

  function renderProfiles(profiles) {
    const p = profiles || {};
    const version = byId('profiles-version');
    version.textContent = p.version ? String(p.version).slice(0, 12) : NONE;
    version.title = p.version || '';
    byId('profiles-detail').replaceChildren(text(p.file), p.loadedAt ? el('span', {}, ', loaded ', timeEl(p.loadedAt)) : '');
  }

  function render(status) {
    byId('replica').textContent = text(status.replica);
    byId('version').textContent = text(status.version);
    byId('at').replaceChildren(timeEl(status.at));
    const inFlight = [...(status.inFlight || [])].sort((a, b) => urgency(a) - urgency(b));
    byId('in-flight-count').textContent = String(inFlight.length);
    fill(byId('in-flight'), inFlight.map(inFlightRow), 'Nothing in flight on this replica.');
    fill(byId('groups'), (status.groups || []).map(groupRow), 'No group has an event here.');
    fill(byId('recent'), (status.recent || []).map(recentRow), 'Nothing has ended here yet.');
    renderDeadLetters(status.deadLetters, status.deadLetterQueues);
    renderProfiles(status.profiles);
  }

  // ---- the whole fleet ----

  function fleetRow(event) {
    const steps = (event.steps || []).map(step => text(step.name) + ': ' + text(step.status)).join(', ');
    return el('tr', {data: {key: event.key, owner: event.owner}},
        el('td', {class: 'mono'}, text(event.owner)),
        el('td', {class: 'kind'}, text(event.kind)),
        el('td', {class: 'name', title: event.group}, text(event.group)),
        el('td', {class: 'mono'}, text(event.instance)),
        el('td', {class: 'hook'}, text(event.hook)),
        el('td', {}, text(event.status)),
        el('td', {class: 'number'}, text(event.attempt)),
        el('td', {class: 'when'}, timeEl(event.leaseUntil)),
        el('td', {}, steps || NONE));
  }

  function retainedRow(kept) {
    return el('tr', {data: {key: kept.key, instance: kept.instance}},
        el('td', {class: 'when'}, timeEl(kept.since)),
        el('td', {class: 'name', title: kept.group}, text(kept.group)),
        el('td', {class: 'mono'}, text(kept.instance)),
        el('td', {class: 'hook'}, text(kept.hook)),
        el('td', {}, text(kept.state)),
        el('td', {class: 'reason'}, text(kept.error)));
  }

  function renderFleet(fleet, problem) {
    const note = byId('fleet-note');
    const table = byId('fleet');
    const retained = byId('retained');
    if (problem) {
      note.textContent = 'The fleet view is not available: ' + problem;
      note.hidden = false;
      table.hidden = true;
      retained.hidden = true;
      return;
    }
    note.hidden = true;
    table.hidden = false;
    retained.hidden = false;
    fill(table, (fleet.events || []).map(fleetRow), 'Nothing in flight across the fleet.');
    fill(retained, (fleet.retained || []).map(retainedRow), 'No retained instance waits for resume.');
  }

  // ---- fetching ----

  /** GET a JSON document; an answer that is not 2xx still gives its body when it is JSON. */
  async function getJson(url) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), ANSWER_WITHIN_MS);
    try {
      const response = await fetch(url, {cache: 'no-store', signal: abort.signal, headers: {Accept: 'application/json'}});
      let body = null;
      try {
        body = await response.json();
      } catch (notJson) {
        body = null;
      }
      return {ok: response.ok, status: response.status, body};
    } catch (e) {
      throw new Error(e.name === 'AbortError' ? 'no answer within ' + ANSWER_WITHIN_MS / 1000 + ' s' : 'cannot reach it (' + e.message + ')');
    } finally {
      clearTimeout(timer);
    }
  }

  function showFailure(reason) {
    failingSince = failingSince || new Date(Date.now() + replicaAheadMs).toISOString();
    const banner = byId('banner');
    banner.textContent = 'Cannot read ' + STATUS_URL + ': ' + reason + '. Failing since ' + clock(failingSince) + '; '
        + (lastAnswerAt ? 'what is below is the last answer, from ' + clock(lastAnswerAt) + '.' : 'nothing has been read yet.');
    banner.hidden = false;
    document.body.dataset.status = 'failing';
  }

  async function refreshStatus() {
    try {
      const answer = await getJson(STATUS_URL);
      if (!answer.ok || !answer.body) {
        throw new Error(answer.ok ? 'the answer is not JSON' : 'HTTP ' + answer.status);
      }
      answeredAt = performance.now();
      const at = Date.parse(answer.body.at);
      replicaAheadMs = Number.isNaN(at) ? 0 : at - Date.now();
      lastAnswerAt = answer.body.at;
      failingSince = null;
      render(answer.body);
      byId('banner').hidden = true;
      document.body.dataset.status = 'ok';
      tick();
    } catch (e) {
      showFailure(e.message);
    } finally {
      setTimeout(refreshStatus, STATUS_EVERY_MS);
    }
  }

  async function refreshFleet() {
    try {
      const answer = await getJson(FLEET_URL);
      const body = answer.body;
      if (body && body.available === false) {
        renderFleet(null, text(body.reason));
      } else if (!answer.ok || !body) {
        renderFleet(null, answer.ok ? 'the answer is not JSON' : 'HTTP ' + answer.status + (body && body.reason ? ', ' + body.reason : ''));
      } else {
        renderFleet(body, null);
      }
    } catch (e) {
      renderFleet(null, e.message);
    } finally {
      setTimeout(refreshFleet, FLEET_EVERY_MS);
    }
  }

  refreshStatus();
  refreshFleet();
  setInterval(tick, TICK_MS);
})();
