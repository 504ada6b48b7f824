// The live connection every page of the room shares: join, follow changes, re-sync after a
// drop, and say "Reconnecting…" while away. No meeting state is trusted from memory: every
// (re)connection asks the server for a full snapshot.

export function h(tag, attrs = {}, ...children) {
  // Build an element; text always goes in as text (never as HTML).
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function focusKey(el) {
  return el.id ? `#${el.id}` : `${el.tagName}|${el.getAttribute("aria-label") || ""}|${el.textContent.trim()}`;
}

export function replace(container, ...children) {
  // Redrawing must not throw a keyboard user back to the top of the page: focus returns to the
  // same control when it is still there, otherwise to the redrawn part itself (WCAG 2.4.3).
  const active = document.activeElement;
  const key = active && active !== container && container.contains(active) ? focusKey(active) : null;
  container.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  if (!key) return;
  const same = [...container.querySelectorAll("a, button, input, select, textarea, summary, [tabindex]")]
    .find((el) => focusKey(el) === key);
  if (same) { same.focus({ preventScroll: true }); return; }
  if (!container.hasAttribute("tabindex")) container.setAttribute("tabindex", "-1");
  container.focus({ preventScroll: true });
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export async function api(method, url, body) {
  // Call the JSON API with the session cookie and CSRF token; return {ok, status, data}.
  const options = { method, headers: { "X-CSRF-Token": csrfToken() }, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(url, options);
    const data = response.status === 204 ? {} : await response.json();
    return { ok: response.ok, status: response.status, data };
  } catch (error) {
    return { ok: false, status: 0, data: { error: { message: "No connection. Try again in a moment." } } };
  }
}

export function connect({ conferenceId, view = null, onState, onError, onStatus, onPresence, onRefused }) {
  const banner = document.getElementById("connection-status");
  let version = -1;
  let state = null; // the newest state: a push of changed parts is applied over it
  let everConnected = false;
  let stopped = false;

  // ?conference= lets a proxy route a conference to one server process (README).
  const socket = window.io({ reconnectionDelayMax: 5000, timeout: 10000, query: { conference: conferenceId } });

  function say(text) {
    if (!banner) return;
    banner.textContent = text;
    banner.hidden = !text;
    document.body.classList.toggle("cr-offline", Boolean(text));
  }

  function join() {
    // parts: each conference.changed then holds only what changed since the one before.
    socket.timeout(15000).emit("conference.join", { conference_id: conferenceId, view, parts: true }, (err, ack) => {
      if (err) { join(); return; }
      if (ack.ok) {
        version = ack.state.version;
        state = ack.state;
        onState(state, "join");
      } else if (onError) {
        onError(ack.error);
      }
    });
  }

  socket.on("connect", () => {
    say("");
    everConnected = true;
    join();
  });
  // onRefused: the server turned the connection down or cut it (a revoked cookie, a closed
  // meeting, or a server that is down); the page may check which, and stop().
  socket.on("disconnect", (reason) => {
    if (stopped) return;
    say("Reconnecting…");
    if (reason === "io server disconnect" && onRefused) onRefused();
  });
  socket.on("connect_error", () => {
    if (stopped) return;
    say(everConnected ? "Reconnecting…" : "Connecting…");
    if (onRefused) onRefused();
  });
  socket.on("conference.changed", (message) => {
    if (message.version <= version) return; // old news, or a duplicate
    if (message.since !== undefined) {
      // What changed since the version `since`: only over exactly that state, else re-sync.
      if (message.since !== version || !state) { join(); return; }
      state = { ...state, ...message.state };
    } else {
      // A jump with a whole state is changes pushed together: the state has them all.
      if (message.version > version + 1 && !message.state) { join(); return; } // missed: re-sync
      state = message.state;
    }
    version = message.version;
    onState(state, "change");
  });
  socket.on("participant.status", (message) => {
    if (onStatus) onStatus(message.status);
    if (message.status === "admitted") join();
  });
  socket.on("conference.presence", (message) => { if (onPresence) onPresence(message.present); });

  function send(event, payload) {
    // Emit with an acknowledgement; resolve with the ack (or a plain error if none came).
    return new Promise((resolve) => {
      socket.timeout(15000).emit(event, payload, (err, ack) => {
        if (err) resolve({ ok: false, error: { code: "timeout", message: "No answer from the server. Check your connection and try again." } });
        else resolve(ack);
      });
    });
  }

  function stop() {
    // The meeting is over for this page: no "Reconnecting…", no more tries.
    stopped = true;
    say("");
    socket.disconnect();
  }

  return { socket, send, rejoin: join, stop };
}
