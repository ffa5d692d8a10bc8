// Resumable, chunked slide upload (protocol: docs/slides.md, "Browser upload protocol").
//
// Each file is sent in chunks of `data-chunk-bytes` with `Content-Range` and a
// per-chunk SHA-256 (`X-Chunk-SHA256`, when WebCrypto is available). The
// upload id is kept in localStorage under the file's name, size and mtime, so
// choosing the same file after a reload resumes at the server's offset.
// Network errors retry with backoff after asking the server for its offset.
"use strict";

(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const api = form.dataset.api; // "/slides/uploads/"
  const chunkBytes = parseInt(form.dataset.chunkBytes, 10);
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const queue = document.getElementById("queue");
  const MAX_BACKOFF_MS = 30000;

  function storageKey(file) {
    return `scopecast-upload:${file.name}:${file.size}:${file.lastModified}`;
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function chunkChecksum(blob) {
    if (!(window.crypto && window.crypto.subtle)) return null; // not a secure context
    return hex(await window.crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  }

  function formatBytes(n) {
    const units = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
  }

  async function request(method, url, { body = null, headers = {} } = {}) {
    const response = await fetch(url, {
      method,
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, ...headers },
    });
    let data = {};
    if (method !== "HEAD") {
      try { data = await response.json(); } catch (e) { data = {}; }
    }
    return { status: response.status, ok: response.ok, data, headers: response.headers };
  }

  class Item {
    constructor(file) {
      this.file = file;
      this.li = document.createElement("li");
      this.li.className = "item";
      this.li.innerHTML = '<strong></strong><progress max="1" value="0"></progress><div class="status"></div>';
      this.li.querySelector("strong").textContent = file.name;
      this.bar = this.li.querySelector("progress");
      this.statusLine = this.li.querySelector(".status");
      queue.appendChild(this.li);
    }
    show(fraction, text) {
      if (fraction !== null) this.bar.value = fraction;
      this.statusLine.textContent = text;
    }
    fail(text) {
      this.li.classList.add("failed");
      this.show(null, text);
    }
    done(text) {
      this.li.classList.add("done");
      this.show(1, text);
    }
  }

  async function createOrResume(item, options) {
    const key = storageKey(item.file);
    const known = localStorage.getItem(key);
    if (known) {
      const state = await request("GET", `${api}${known}`);
      if (state.ok && state.data.status === "receiving") return state.data;
      if (state.ok && state.data.status !== "failed") return state.data; // already importing/done
      localStorage.removeItem(key);
    }
    const created = await request("POST", api, {
      body: JSON.stringify({
        filename: item.file.name,
        size: item.file.size,
        title: options.title,
        visibility: options.visibility,
        course: options.course || null,
      }),
      headers: { "Content-Type": "application/json" },
    });
    if (!created.ok) throw new Error(created.data.error || `HTTP ${created.status}`);
    localStorage.setItem(key, created.data.id);
    return created.data;
  }

  async function currentOffset(id) {
    const head = await request("HEAD", `${api}${id}`);
    if (!head.ok) throw new Error(`upload is gone (HTTP ${head.status})`);
    return parseInt(head.headers.get("Upload-Offset"), 10);
  }

  async function sendChunks(item, state) {
    const file = item.file;
    const size = state.chunk_size || chunkBytes;
    let offset = state.offset;
    let backoff = 1000;
    let rejected = 0; // consecutive refusals of the same chunk
    const started = performance.now();
    const startOffset = offset;
    while (offset < file.size) {
      const end = Math.min(offset + size, file.size);
      const blob = file.slice(offset, end);
      try {
        const checksum = await chunkChecksum(blob);
        const headers = { "Content-Range": `bytes ${offset}-${end - 1}/${file.size}` };
        if (checksum) headers["X-Chunk-SHA256"] = checksum;
        const reply = await request("PUT", `${api}${state.id}`, { body: blob, headers });
        if (reply.ok) {
          offset = reply.data.offset;
          backoff = 1000;
          rejected = 0;
        } else if (reply.data.offset !== undefined && reply.status < 500 && rejected < 5) {
          offset = reply.data.offset; // out of step, damaged or short chunk: resume there
          rejected += 1;
          if (reply.status === 400) await sleep(200 * rejected);
        } else {
          throw new Error(reply.data.error || `HTTP ${reply.status}`);
        }
      } catch (error) {
        if (error instanceof TypeError || !navigator.onLine) {
          // Dropped connection: wait, then ask the server where we are.
          item.show(null, `connection lost; retrying in ${Math.round(backoff / 1000)} s…`);
          await sleep(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          try { offset = await currentOffset(state.id); } catch (e) { /* still offline */ }
          continue;
        }
        throw error;
      }
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? (offset - startOffset) / seconds : 0;
      item.show(offset / file.size,
        `${formatBytes(offset)} of ${formatBytes(file.size)} · ${formatBytes(rate)}/s`);
    }
  }

  async function followImport(item, id) {
    for (;;) {
      const state = await request("GET", `${api}${id}`);
      if (!state.ok) throw new Error(state.data.error || `HTTP ${state.status}`);
      const slide = state.data.slide;
      if (state.data.status === "done" && slide) {
        return item.done(`ready: slide #${slide.id} “${slide.title}”`);
      }
      if (state.data.status === "failed") {
        return item.fail(state.data.message || (slide && slide.message) || "import failed");
      }
      const progress = slide ? slide.progress : 0;
      item.show(progress, `verifying and importing… ${Math.round(progress * 100)} %`);
      await sleep(1000);
    }
  }

  async function upload(file, options) {
    const item = new Item(file);
    try {
      const state = await createOrResume(item, options);
      if (state.status === "receiving") {
        if (state.offset > 0) item.show(state.offset / file.size, "resuming…");
        await sendChunks(item, state);
        const finished = await request("POST", `${api}${state.id}/finalize`);
        if (!finished.ok) throw new Error(finished.data.error || `HTTP ${finished.status}`);
      }
      await followImport(item, state.id);
    } catch (error) {
      item.fail(error.message);
    } finally {
      if (item.li.classList.contains("done") || item.li.classList.contains("failed")) {
        localStorage.removeItem(storageKey(file));
      }
    }
  }

  async function showPending() {
    const reply = await request("GET", api);
    const list = document.getElementById("pending-list");
    const pending = (reply.data.uploads || []).filter((u) => u.status === "receiving");
    if (!pending.length) return;
    for (const u of pending) {
      const li = document.createElement("li");
      li.textContent = `${u.filename}: ${formatBytes(u.offset)} of ${formatBytes(u.size)}`;
      list.appendChild(li);
    }
    document.getElementById("pending").hidden = false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = Array.from(document.getElementById("files").files);
    const options = {
      title: files.length === 1 ? document.getElementById("title").value.trim() : "",
      visibility: document.getElementById("visibility").value,
      course: document.getElementById("course").value.trim(),
    };
    for (const file of files) await upload(file, options); // one at a time: fair to the server
  });

  showPending().catch(() => {});
})();
