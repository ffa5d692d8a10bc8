/*
 * "Join a session with a code": posts JSON to the classroom join endpoint
 * (see docs/protocol.md) and reports the answer in an aria-live region.
 */
(function () {
  "use strict";

  const CODE = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$/;

  function say(form, text, isError) {
    const out = form.querySelector(".join-result");
    out.textContent = text;
    out.classList.toggle("error", Boolean(isError));
  }

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const code = form.elements.code.value.trim().toUpperCase();
    const name = form.elements.name.value.trim();
    if (!CODE.test(code)) {
      say(form, "A session code has six letters and digits (no 0, O, 1 or I).", true);
      form.elements.code.focus();
      return;
    }
    if (!name) {
      say(form, "Please enter the name your teacher will see.", true);
      form.elements.name.focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(form, "Joining…", false);
    try {
      const response = await fetch(form.dataset.joinUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": form.elements.csrfmiddlewaretoken.value,
        },
        body: JSON.stringify({ code: code, name: name }),
      });
      let data = {};
      try {
        data = await response.json();
      } catch (ignored) {
        data = {};
      }
      if (!response.ok) {
        say(form, data.error ? sentence(data.error) : messageFor(response.status), true);
        return;
      }
      // The guest identity lives in this tab only; the live classroom page
      // (a later issue) connects with it to data.ws_url.
      try {
        sessionStorage.setItem(
          "scopecast.guest." + data.session_id,
          JSON.stringify({ token: data.guest_token, ws_url: data.ws_url, name: name })
        );
      } catch (ignored) {
        /* storage disabled: the join still worked */
      }
      form.dataset.sessionId = String(data.session_id);
      say(form, "You joined the session as " + name + ".", false);
    } catch (err) {
      say(form, "The server could not be reached. Check your connection and try again.", true);
    } finally {
      button.disabled = false;
    }
  }

  function sentence(text) {
    const t = String(text).trim();
    return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");
  }

  function messageFor(status) {
    if (status === 404) return "No live session has this code. Check it and try again.";
    if (status === 403) return "This session does not accept guests. Log in first.";
    if (status === 429) return "Too many attempts. Wait a minute, then try again.";
    return "Joining failed (HTTP " + status + "). Try again in a moment.";
  }

  document.querySelectorAll("form.join-form").forEach(function (form) {
    form.addEventListener("submit", submit);
  });
})();
