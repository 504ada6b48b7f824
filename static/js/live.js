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

export function replace(container, ...children) {
  container.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
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

export function connect({ conferenceId, view = null, onState, onError, onStatus, onPresence }) {
  const banner = document.getElementById("connection-status");
  let version = -1;
  let everConnected = false;

  const socket = window.io({ reconnectionDelayMax: 5000, timeout: 10000 });

  function say(text) {
    if (!banner) return;
    banner.textContent = text;
    banner.hidden = !text;
    document.body.classList.toggle("cr-offline", Boolean(text));
  }

  function join() {
    socket.timeout(15000).emit("conference.join", { conference_id: conferenceId, view }, (err, ack) => {
      if (err) { join(); return; }
      if (ack.ok) {
        version = ack.state.version;
        onState(ack.state, "join");
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
  socket.on("disconnect", () => say("Reconnecting…"));
  socket.on("connect_error", () => say(everConnected ? "Reconnecting…" : "Connecting…"));
  socket.on("conference.changed", (message) => {
    if (message.version <= version) return; // old news, or a duplicate
    if (message.version > version + 1) { join(); return; } // missed something: re-sync
    version = message.version;
    onState(message.state, "change");
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

  return { socket, send, rejoin: join };
}
