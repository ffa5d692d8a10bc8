// @ts-check
/*
 * "Join a session with a code": posts JSON to the classroom join endpoint
 * (see docs/protocol.md) and reports the answer in an aria-live region.
 */
(function () {
  "use strict";

  const CODE = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$/;

  /**
   * The answer of POST /courses/join (docs/protocol.md): 201 or an error.
   * @typedef {{session_id: number, member: boolean, guest_token: string, ws_url: string}} Joined
   * @typedef {Partial<Joined> & {error?: string}} JoinReply
   */

  /**
   * @param {HTMLFormElement} form
   * @param {string} name
   * @returns {HTMLInputElement}
   */
  function field(form, name) {
    const input = form.elements.namedItem(name);
    if (!(input instanceof HTMLInputElement)) throw new Error("the join form has no input " + name);
    return input;
  }

  /**
   * @param {HTMLFormElement} form
   * @param {string} text
   * @param {boolean} isError
   */
  function say(form, text, isError) {
    const out = form.querySelector(".join-result");
    if (!out) return;
    out.textContent = text;
    out.classList.toggle("error", Boolean(isError));
  }

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    if (!(form instanceof HTMLFormElement)) return;
    const code = field(form, "code").value.trim().toUpperCase();
    const name = field(form, "name").value.trim();
    if (!CODE.test(code)) {
      say(form, "A session code has six letters and digits (no 0, O, 1 or I).", true);
      field(form, "code").focus();
      return;
    }
    if (!name) {
      say(form, "Please enter the name your teacher will see.", true);
      field(form, "name").focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    if (!(button instanceof HTMLButtonElement)) return;
    button.disabled = true;
    say(form, "Joining…", false);
    try {
      const response = await fetch(form.dataset.joinUrl || "", {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": field(form, "csrfmiddlewaretoken").value,
        },
        body: JSON.stringify({ code: code, name: name }),
      });
      /** @type {JoinReply} */
      let data = {};
      try {
        data = await response.json();
      } catch {
        data = {};
      }
      if (!response.ok) {
        say(form, data.error ? sentence(data.error) : messageFor(response.status), true);
        return;
      }
      // A guest's identity lives in this tab only (a reload keeps it); the
      // session's page connects with it. A member connects as themselves.
      if (!data.member) {
        try {
          sessionStorage.setItem(
            "scopecast.guest." + data.session_id,
            JSON.stringify({ token: data.guest_token, ws_url: data.ws_url, name: name })
          );
        } catch {
          say(form, "Your browser blocks this site's storage, which a guest needs. Allow it and try again.", true);
          return;
        }
      }
      form.dataset.sessionId = String(data.session_id);
      say(form, "Joined. Opening the session…", false);
      window.location.assign("/sessions/" + data.session_id + "/");
    } catch {
      say(form, "The server could not be reached. Check your connection and try again.", true);
    } finally {
      button.disabled = false;
    }
  }

  /** @param {string} text */
  function sentence(text) {
    const t = String(text).trim();
    return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");
  }

  /** @param {number} status */
  function messageFor(status) {
    if (status === 404) return "No live session has this code. Check it and try again.";
    if (status === 403) return "This session does not accept guests. Log in first.";
    if (status === 429) return "Too many attempts. Wait a minute, then try again.";
    return "Joining failed (HTTP " + status + "). Try again in a moment.";
  }

  document.querySelectorAll("form.join-form").forEach(function (form) {
    if (form instanceof HTMLFormElement) form.addEventListener("submit", submit);
  });
})();
