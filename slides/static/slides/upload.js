// @ts-check
// Resumable, chunked slide upload (protocol: docs/slides.md, "Browser upload protocol").
//
// Each file is sent in chunks of `data-chunk-bytes` with `Content-Range` and a
// per-chunk SHA-256 (`X-Chunk-SHA256`, when WebCrypto is available). The
// upload id is kept in localStorage under the file's name, size and mtime, so
// choosing the same file after a reload resumes at the server's offset.
// Network errors retry with backoff after asking the server for its offset.
"use strict";

/**
 * slides.uploads.upload_state: what the upload API answers.
 * @typedef {{id: string, filename: string, size: number, offset: number,
 *   status: "receiving" | "importing" | "done" | "failed" | string, message: string,
 *   chunk_size: number, slide: {id: number, title: string, status: string,
 *   progress: number, message: string} | null}} UploadState
 * @typedef {Partial<UploadState> & {error?: string, uploads?: UploadState[]}} UploadReply
 * @typedef {{title: string, visibility: string, course: string}} UploadOptions
 */

(function () {
  /**
   * An element of upload.html (a missing one is a template bug).
   * @template {HTMLElement} T
   * @param {string} id
   * @param {new () => T} kind
   * @returns {T}
   */
  function byId(id, kind) {
    const el = document.getElementById(id);
    if (!(el instanceof kind)) throw new Error(`upload.html has no ${kind.name} #${id}`);
    return el;
  }

  const form = document.getElementById("upload-form");
  if (!(form instanceof HTMLFormElement)) return;
  const api = form.dataset.api || ""; // "/slides/uploads/"
  const chunkBytes = parseInt(form.dataset.chunkBytes || "", 10);
  const csrfInput = form.querySelector("[name=csrfmiddlewaretoken]");
  const csrf = csrfInput instanceof HTMLInputElement ? csrfInput.value : "";
  const queue = byId("queue", HTMLElement);
  const MAX_BACKOFF_MS = 30000;

  /** @param {File} file */
  function storageKey(file) {
    return `scopecast-upload:${file.name}:${file.size}:${file.lastModified}`;
  }

  /** @param {number} ms */
  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** @param {ArrayBuffer} buffer */
  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** @param {Blob} blob */
  async function chunkChecksum(blob) {
    if (!(window.crypto && window.crypto.subtle)) return null; // not a secure context
    return hex(await window.crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  }

  /** @param {number} n */
  function formatBytes(n) {
    const units = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
  }

  /**
   * @param {string} method
   * @param {string} url
   * @param {{body?: BodyInit | null, headers?: Record<string, string>}} [options]
   * @returns {Promise<{status: number, ok: boolean, data: UploadReply, headers: Headers}>}
   */
  async function request(method, url, { body = null, headers = {} } = {}) {
    const response = await fetch(url, {
      method,
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, ...headers },
    });
    /** @type {UploadReply} */
    let data = {};
    if (method !== "HEAD") {
      try { data = await response.json(); } catch { data = {}; }
    }
    return { status: response.status, ok: response.ok, data, headers: response.headers };
  }

  class Item {
    /** @param {File} file */
    constructor(file) {
      this.file = file;
      this.li = document.createElement("li");
      this.li.className = "item";
      const name = document.createElement("strong");
      name.textContent = file.name;
      this.bar = document.createElement("progress");
      this.bar.max = 1;
      this.bar.value = 0;
      this.statusLine = document.createElement("div");
      this.statusLine.className = "status";
      this.li.append(name, this.bar, this.statusLine);
      queue.appendChild(this.li);
    }
    /**
     * @param {number | null} fraction
     * @param {string} text
     */
    show(fraction, text) {
      if (fraction !== null) this.bar.value = fraction;
      this.statusLine.textContent = text;
    }
    /** @param {string} text */
    fail(text) {
      this.li.classList.add("failed");
      this.show(null, text);
    }
    /** @param {string} text */
    done(text) {
      this.li.classList.add("done");
      this.show(1, text);
    }
  }

  /**
   * @param {Item} item
   * @param {UploadOptions} options
   * @returns {Promise<UploadReply & {id: string}>}
   */
  async function createOrResume(item, options) {
    const key = storageKey(item.file);
    const known = localStorage.getItem(key);
    if (known) {
      const state = await request("GET", `${api}${known}`);
      if (state.ok && state.data.status === "receiving") return { ...state.data, id: known };
      if (state.ok && state.data.status !== "failed") return { ...state.data, id: known }; // importing/done
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
    const id = created.data.id;
    if (!created.ok || !id) throw new Error(created.data.error || `HTTP ${created.status}`);
    localStorage.setItem(key, id);
    return { ...created.data, id };
  }

  /** @param {string} id */
  async function currentOffset(id) {
    const head = await request("HEAD", `${api}${id}`);
    if (!head.ok) throw new Error(`upload is gone (HTTP ${head.status})`);
    return parseInt(head.headers.get("Upload-Offset") || "", 10);
  }

  /**
   * @param {Item} item
   * @param {UploadReply & {id: string}} state
   */
  async function sendChunks(item, state) {
    const file = item.file;
    const size = state.chunk_size || chunkBytes;
    let offset = state.offset || 0;
    let backoff = 1000;
    let rejected = 0; // consecutive refusals of the same chunk
    const started = performance.now();
    const startOffset = offset;
    while (offset < file.size) {
      const end = Math.min(offset + size, file.size);
      const blob = file.slice(offset, end);
      try {
        const checksum = await chunkChecksum(blob);
        /** @type {Record<string, string>} */
        const headers = { "Content-Range": `bytes ${offset}-${end - 1}/${file.size}` };
        if (checksum) headers["X-Chunk-SHA256"] = checksum;
        const reply = await request("PUT", `${api}${state.id}`, { body: blob, headers });
        if (reply.ok && reply.data.offset !== undefined) {
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
          try { offset = await currentOffset(state.id); } catch { /* still offline */ }
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

  /**
   * @param {Item} item
   * @param {string} id
   */
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

  /**
   * @param {File} file
   * @param {UploadOptions} options
   */
  async function upload(file, options) {
    const item = new Item(file);
    try {
      const state = await createOrResume(item, options);
      if (state.status === "receiving") {
        if (state.offset) item.show(state.offset / file.size, "resuming…");
        await sendChunks(item, state);
        const finished = await request("POST", `${api}${state.id}/finalize`);
        if (!finished.ok) throw new Error(finished.data.error || `HTTP ${finished.status}`);
      }
      await followImport(item, state.id);
    } catch (error) {
      item.fail(error instanceof Error ? error.message : String(error));
    } finally {
      if (item.li.classList.contains("done") || item.li.classList.contains("failed")) {
        localStorage.removeItem(storageKey(file));
      }
    }
  }

  async function showPending() {
    const reply = await request("GET", api);
    const list = byId("pending-list", HTMLElement);
    const pending = (reply.data.uploads || []).filter((u) => u.status === "receiving");
    if (!pending.length) return;
    for (const u of pending) {
      const li = document.createElement("li");
      li.textContent = `${u.filename}: ${formatBytes(u.offset)} of ${formatBytes(u.size)}`;
      list.appendChild(li);
    }
    byId("pending", HTMLElement).hidden = false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = Array.from(byId("files", HTMLInputElement).files || []);
    const options = {
      title: files.length === 1 ? byId("title", HTMLInputElement).value.trim() : "",
      visibility: byId("visibility", HTMLSelectElement).value,
      course: byId("course", HTMLInputElement).value.trim(),
    };
    for (const file of files) await upload(file, options); // one at a time: fair to the server
  });

  showPending().catch(() => {});
})();
