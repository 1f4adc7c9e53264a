/* Demo chat page for the Telegram Bot API emulator. Plain JS, no build step, no CDNs.
 * Message bodies are rendered ONLY from the emulator's server-side "html" field (escaped text +
 * tags derived from entities); everything else is set with textContent. */
(function () {
  "use strict";

  const I18N = {
    hi: {
      title: "डेमो चैट",
      placeholder: "संदेश लिखें…",
      selectUser: "उपयोगकर्ता चुनें",
      newUser: "नया उपयोगकर्ता",
      name: "नाम",
      defaultName: "कारीगर",
      langHi: "हिन्दी",
      langEn: "अंग्रेज़ी",
      create: "बनाएँ",
      cancel: "रद्द करें",
      noUser: "ऊपर से उपयोगकर्ता चुनें या नया बनाएँ",
      noMessages: "अभी कोई संदेश नहीं। बातचीत शुरू करें!",
      start: "शुरू करें",
      bot: "बॉट",
      typing: "टाइप कर रहा है…",
      upload_photo: "फ़ोटो भेज रहा है…",
      upload_document: "फ़ाइल भेज रहा है…",
      action: "कुछ कर रहा है…",
      ok: "ठीक है",
      send: "भेजें",
      attachFile: "फ़ाइल जोड़ें",
      attachPhoto: "फ़ोटो जोड़ें",
      keyboard: "बटन दिखाएँ",
      block: "बॉट को ब्लॉक करें",
      unblock: "बॉट को अनब्लॉक करें",
      blocked: "आपने बॉट को ब्लॉक किया है",
      sendError: "भेजा नहीं जा सका",
      offline: "सर्वर से संपर्क नहीं हो पा रहा…",
      contact: "संपर्क",
      location: "स्थान",
      photo: "फ़ोटो",
      document: "दस्तावेज़",
      sticker: "स्टिकर",
      voice: "आवाज़ संदेश",
      video_note: "वीडियो संदेश",
      video: "वीडियो",
      audio: "ऑडियो",
      animation: "एनिमेशन",
      poll: "मतदान",
      deleted: "संदेश हटाया गया",
      edited: "संपादित",
      forwarded: "आगे भेजा गया",
      kb: "कि.बा.",
    },
    en: {
      title: "Demo chat",
      placeholder: "Message…",
      selectUser: "Choose user",
      newUser: "New user",
      name: "Name",
      defaultName: "Artisan",
      langHi: "Hindi",
      langEn: "English",
      create: "Create",
      cancel: "Cancel",
      noUser: "Choose a user above or create a new one",
      noMessages: "No messages yet. Start the conversation!",
      start: "START",
      bot: "bot",
      typing: "typing…",
      upload_photo: "sending photo…",
      upload_document: "sending file…",
      action: "busy…",
      ok: "OK",
      send: "Send",
      attachFile: "Attach file",
      attachPhoto: "Attach photo",
      keyboard: "Show buttons",
      block: "Block the bot",
      unblock: "Unblock the bot",
      blocked: "You blocked the bot",
      sendError: "Could not send",
      offline: "Can't reach the server…",
      contact: "Contact",
      location: "Location",
      photo: "Photo",
      document: "Document",
      sticker: "Sticker",
      voice: "Voice message",
      video_note: "Video message",
      video: "Video",
      audio: "Audio",
      animation: "GIF",
      poll: "Poll",
      deleted: "Message deleted",
      edited: "edited",
      forwarded: "Forwarded",
      kb: "kB",
    },
  };
  // demo location for request_location buttons: Lucknow
  const DEMO_LOCATION = { latitude: 26.8467, longitude: 80.9462 };

  // Inline SVG icons (no emoji fonts needed, no text in the chrome).
  const SVG = (body, fill) =>
    `<svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false" fill="${fill ? "currentColor" : "none"}" stroke="${fill ? "none" : "currentColor"}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
  const ICONS = {
    user: SVG('<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7"/>'),
    plus: SVG('<path d="M12 5v14M5 12h14"/>'),
    close: SVG('<path d="M6 6l12 12M18 6 6 18"/>'),
    block: SVG('<circle cx="12" cy="12" r="9"/><path d="M5.6 5.6l12.8 12.8"/>'),
    check: SVG('<path d="M4 12.5l5 5L20 6.5"/>'),
    bot: SVG('<rect x="4" y="8" width="16" height="12" rx="4"/><path d="M12 4v4"/><circle cx="12" cy="3.5" r="1.2"/><circle cx="9" cy="14" r="1.4" fill="currentColor"/><circle cx="15" cy="14" r="1.4" fill="currentColor"/>'),
    alert: SVG('<path d="M12 3 2 20h20L12 3z"/><path d="M12 10v4M12 17h.01"/>'),
    chat: SVG('<path d="M4 5h16v11H9l-5 4V5z"/>'),
    clip: SVG('<path d="M20.5 11.5l-8.2 8.2a5.2 5.2 0 0 1-7.4-7.4l8.6-8.6a3.5 3.5 0 0 1 5 5l-8.6 8.6a1.7 1.7 0 0 1-2.5-2.5l8-8"/>'),
    image: SVG('<rect x="3" y="4" width="18" height="16" rx="3"/><circle cx="9" cy="10" r="2"/><path d="M21 16l-5-5-9 9"/>'),
    keyboard: SVG('<rect x="2.5" y="6" width="19" height="12" rx="2.5"/><path d="M6 10h.01M9 10h.01M12 10h.01M15 10h.01M18 10h.01M7 14h10"/>'),
    send: SVG('<path d="M3.4 20.4 21 12 3.4 3.6 3.3 10.2 15 12 3.3 13.8z"/>', true),
    doc: SVG('<path d="M7 3h7l5 5v13H7z"/><path d="M14 3v5h5"/>'),
    pin: SVG('<path d="M12 21s-6-5.6-6-11a6 6 0 0 1 12 0c0 5.4-6 11-6 11z"/><circle cx="12" cy="10" r="2.2"/>'),
    phone: SVG('<path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z"/>'),
    mic: SVG('<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/>'),
    video: SVG('<rect x="3" y="6" width="13" height="12" rx="2"/><path d="M16 10l5-3v10l-5-3z"/>'),
    music: SVG('<path d="M9 18V5l11-2v13"/><circle cx="6" cy="18" r="3"/><circle cx="17" cy="16" r="3"/>'),
    poll: SVG('<path d="M5 20V10M12 20V4M19 20v-7"/>'),
    forward: SVG('<path d="M14 5l7 7-7 7M21 12H9a6 6 0 0 0-6 6"/>'),
    link: SVG('<path d="M14 4h6v6M20 4l-9 9M18 14v6H4V6h6"/>'),
  };
  function icon(name, cls) {
    const span = document.createElement("span");
    span.className = "ico" + (cls ? " " + cls : "");
    span.innerHTML = ICONS[name] || ""; // constant markup from ICONS only
    return span;
  }
  document.querySelectorAll("[data-icon]").forEach((n) => {
    n.innerHTML = ICONS[n.dataset.icon] || "";
  });

  const $ = (id) => document.getElementById(id);
  const els = {
    userSelect: $("user-select"),
    newUserBtn: $("new-user-btn"),
    blockBtn: $("block-btn"),
    panel: $("new-user-panel"),
    newName: $("new-user-name"),
    newLang: $("new-user-lang"),
    newCancel: $("new-user-cancel"),
    botName: $("bot-name"),
    botStatus: $("bot-status"),
    conn: $("conn-status"),
    messages: $("messages"),
    empty: $("empty-state"),
    emptyText: $("empty-text"),
    startBtn: $("start-btn"),
    replyKb: $("reply-kb"),
    composer: $("composer"),
    input: $("msg-input"),
    sendBtn: $("send-btn"),
    kbToggle: $("kb-toggle"),
    photoInput: $("photo-input"),
    fileInput: $("file-input"),
    toast: $("toast"),
    alert: $("alert"),
    alertText: $("alert-text"),
    alertOk: $("alert-ok"),
    lightbox: $("lightbox"),
    lightboxImg: $("lightbox-img"),
  };

  const state = {
    users: [],
    uid: null,
    user: null,
    lang: "hi",
    lastSeq: 0,
    pollToken: 0,
    abort: null,
    loaded: false, // first transcript of the selected user received
    seenAnswers: new Set(),
    pendingButtons: new Map(), // callback_query_id -> button element
    replyKeyboard: null,
    kbHidden: false,
    botInfo: null,
    action: null,
  };

  const t = (key) => (I18N[state.lang] || I18N.hi)[key] || I18N.hi[key] || key;

  function applyLang() {
    document.documentElement.lang = state.lang;
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach((el) => {
      el.textContent = t(el.dataset.i18n);
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
      el.placeholder = t(el.dataset.i18nPlaceholder);
    });
    document.querySelectorAll("[data-i18n-title]").forEach((el) => {
      el.title = t(el.dataset.i18nTitle);
      el.setAttribute("aria-label", t(el.dataset.i18nTitle));
    });
    els.emptyText.textContent = state.uid ? t("noMessages") : t("noUser");
    renderUserSelect(); // the switcher's labels follow the chosen user's language
    updatePlaceholder();
    updateStatus();
    updateBlockBtn();
    loadBotName();
  }

  // ------------------------------------------------------------------ HTTP helpers

  async function api(method, path, body) {
    const opts = { method, headers: {} };
    if (body instanceof FormData) {
      opts.body = body;
    } else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch(path, opts);
    const data = await resp.json().catch(() => null);
    if (!resp.ok) {
      throw new Error((data && (data.error || data.description)) || String(resp.status));
    }
    return data;
  }

  // ------------------------------------------------------------------ users

  async function loadUsers() {
    try {
      state.users = await api("GET", "/_emu/users");
    } catch (e) {
      state.users = [];
    }
    renderUserSelect();
  }

  function renderUserSelect() {
    const sel = els.userSelect;
    sel.textContent = "";
    const placeholder = document.createElement("option");
    placeholder.value = "";
    placeholder.textContent = "— " + t("selectUser") + " —";
    placeholder.disabled = true;
    sel.appendChild(placeholder);
    for (const u of state.users) {
      const opt = document.createElement("option");
      opt.value = String(u.id);
      const lang = u.language_code === "en" ? t("langEn") : t("langHi");
      const name = [u.first_name, u.last_name].filter(Boolean).join(" ");
      opt.textContent = `${name} · ${lang} · ${u.id}`;
      opt.dataset.lang = u.language_code || "";
      sel.appendChild(opt);
    }
    sel.value = state.uid ? String(state.uid) : "";
  }

  function selectUser(uid) {
    uid = uid ? Number(uid) : null;
    state.pollToken += 1;
    if (state.abort) state.abort.abort();
    state.uid = uid;
    state.user = state.users.find((u) => u.id === uid) || null;
    state.lang = state.user && state.user.language_code === "en" ? "en" : "hi";
    state.lastSeq = 0;
    state.loaded = false;
    state.seenAnswers = new Set();
    state.pendingButtons.clear();
    state.replyKeyboard = null;
    state.kbHidden = false;
    state.action = null;
    els.messages.querySelectorAll(".msg-wrap").forEach((n) => n.remove());
    els.replyKb.textContent = "";
    els.replyKb.hidden = true;
    els.kbToggle.hidden = true;
    els.toast.hidden = true;
    els.alert.hidden = true;
    els.userSelect.value = uid ? String(uid) : "";
    els.composer.classList.toggle("disabled", !uid);
    els.blockBtn.hidden = !uid;
    const url = new URL(window.location.href);
    if (uid) url.searchParams.set("user", String(uid));
    else url.searchParams.delete("user");
    window.history.replaceState(null, "", url.toString());
    applyLang();
    updateEmpty();
    if (uid) pollLoop(state.pollToken);
  }

  async function createUser(ev) {
    ev.preventDefault();
    const lang = els.newLang.value || "hi";
    const name = els.newName.value.trim() || `${(I18N[lang] || I18N.hi).defaultName} ${state.users.length + 1}`;
    try {
      const user = await api("POST", "/_emu/users", { first_name: name, language_code: lang });
      els.panel.hidden = true;
      els.newName.value = "";
      await loadUsers();
      selectUser(user.id);
    } catch (e) {
      showToast(t("sendError") + ": " + e.message);
    }
  }

  function updateBlockBtn() {
    const blocked = !!(state.user && state.user.blocked);
    els.blockBtn.innerHTML = blocked ? ICONS.check : ICONS.block;
    els.blockBtn.classList.toggle("blocked", blocked);
    els.blockBtn.title = blocked ? t("unblock") : t("block");
    els.blockBtn.setAttribute("aria-label", els.blockBtn.title);
  }

  async function toggleBlock() {
    if (!state.user) return;
    try {
      const info = await api("POST", `/_emu/users/${state.uid}/block`, { blocked: !state.user.blocked });
      state.user = info;
      const i = state.users.findIndex((u) => u.id === info.id);
      if (i >= 0) state.users[i] = info;
      updateBlockBtn();
      if (info.blocked) showToast(t("blocked"));
    } catch (e) {
      showToast(t("sendError"));
    }
  }

  async function loadBotName() {
    try {
      const info = await api("GET", `/_emu/info?lang=${encodeURIComponent(state.lang)}`);
      els.botName.textContent = info.name || info.bot.first_name;
    } catch (e) {
      /* keep previous */
    }
  }

  // ------------------------------------------------------------------ polling

  async function pollLoop(token) {
    let failures = 0;
    while (token === state.pollToken && state.uid) {
      const ctrl = new AbortController();
      state.abort = ctrl;
      const wait = state.loaded ? 25 : 0;
      try {
        const resp = await fetch(
          `/_emu/users/${state.uid}/chat?after=${state.lastSeq}&wait=${wait}`,
          { signal: ctrl.signal }
        );
        if (!resp.ok) throw new Error(String(resp.status));
        const data = await resp.json();
        if (token !== state.pollToken) return;
        failures = 0;
        els.conn.hidden = true;
        applyTranscript(data);
      } catch (e) {
        if (token !== state.pollToken) return;
        failures += 1;
        if (failures > 1) {
          els.conn.hidden = false;
          els.conn.title = t("offline");
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * failures)));
      }
    }
  }

  function applyTranscript(data) {
    const nearBottom = isNearBottom();
    let sawUserMsg = false;
    for (const entry of data.messages) {
      // like a phone: a new message that brings a reply keyboard opens it again
      const markup = entry.reply_markup;
      if (entry.from === "bot" && markup && Array.isArray(markup.keyboard) &&
          !document.getElementById(`msg-${entry.message_id}`)) state.kbHidden = false;
      upsertMessage(entry);
      if (entry.from === "user") sawUserMsg = true;
    }
    renderReplyKeyboard(data.reply_keyboard);
    for (const ans of data.callback_answers || []) {
      if (!ans.answered || state.seenAnswers.has(ans.callback_query_id)) continue;
      state.seenAnswers.add(ans.callback_query_id);
      const btn = state.pendingButtons.get(ans.callback_query_id);
      if (btn) {
        btn.classList.remove("pending");
        state.pendingButtons.delete(ans.callback_query_id);
      }
      if (state.loaded && ans.text) {
        if (ans.show_alert) showAlert(ans.text);
        else showToast(ans.text);
      }
    }
    state.action = data.chat_action || null;
    updateStatus();
    state.lastSeq = Math.max(state.lastSeq, data.last_seq || 0);
    const first = !state.loaded;
    state.loaded = true;
    updateEmpty();
    if (first || nearBottom || sawUserMsg) scrollToBottom();
  }

  // ------------------------------------------------------------------ rendering

  function isNearBottom() {
    const m = els.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 120;
  }

  function scrollToBottom() {
    requestAnimationFrame(() => {
      els.messages.scrollTop = els.messages.scrollHeight;
    });
  }

  function updateEmpty() {
    const hasMessages = !!els.messages.querySelector(".msg-wrap");
    els.empty.hidden = hasMessages;
    els.startBtn.hidden = !state.uid || hasMessages || !state.loaded;
    els.emptyText.textContent = state.uid ? t("noMessages") : t("noUser");
  }

  function updateStatus() {
    if (state.action) {
      els.botStatus.textContent = t(state.action) !== state.action ? t(state.action) : t("action");
      els.botStatus.classList.add("typing");
      clearTimeout(updateStatus.timer);
      updateStatus.timer = setTimeout(() => {
        state.action = null;
        updateStatus();
      }, 5000);
    } else {
      els.botStatus.textContent = t("bot");
      els.botStatus.classList.remove("typing");
    }
  }

  function hhmm(unix) {
    const d = new Date(unix * 1000);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }

  function sizeLabel(bytes) {
    if (!bytes && bytes !== 0) return "";
    return `${Math.max(1, Math.round(bytes / 1024))} ${t("kb")}`;
  }

  function upsertMessage(entry) {
    const id = `msg-${entry.message_id}`;
    const existing = document.getElementById(id);
    if (entry.deleted) {
      if (existing) existing.remove();
      return;
    }
    const wrap = renderMessage(entry);
    wrap.id = id;
    if (existing) {
      existing.replaceWith(wrap);
      return;
    }
    // keep message_id order
    const wraps = els.messages.querySelectorAll(".msg-wrap");
    let before = null;
    for (let i = wraps.length - 1; i >= 0; i--) {
      if (Number(wraps[i].dataset.messageId) > entry.message_id) before = wraps[i];
      else break;
    }
    els.messages.insertBefore(wrap, before);
  }

  function renderMessage(entry) {
    const side = entry.from === "bot" ? "bot" : "user";
    const wrap = el("div", `msg-wrap ${side}`);
    wrap.dataset.messageId = entry.message_id;
    const bubble = el("div", `msg ${side} kind-${entry.kind}`);
    bubble.dataset.messageId = entry.message_id;
    bubble.dataset.seq = entry.seq;
    bubble.dataset.kind = entry.kind;
    if (entry.edited) bubble.dataset.edited = "1";
    if (entry.media_group_id) bubble.dataset.mediaGroupId = entry.media_group_id;

    if (entry.forward_origin) {
      const fq = el("div", "reply-quote");
      fq.appendChild(icon("forward"));
      fq.appendChild(document.createTextNode(" " + t("forwarded")));
      bubble.appendChild(fq);
    }
    if (entry.reply_to_message_id) {
      const target = document.getElementById(`msg-${entry.reply_to_message_id}`);
      const quoted = target ? target.querySelector(".text") : null;
      const q = el("div", "reply-quote", quoted ? quoted.textContent.slice(0, 80) : "…");
      bubble.appendChild(q);
    }

    if (entry.photo) {
      const img = el("img", "photo");
      img.src = entry.photo.url;
      img.alt = t("photo");
      img.loading = "lazy";
      if (entry.photo.width && entry.photo.height) {
        img.width = entry.photo.width;
        img.height = entry.photo.height;
      }
      img.addEventListener("click", () => {
        els.lightboxImg.src = entry.photo.url;
        els.lightbox.hidden = false;
      });
      bubble.appendChild(img);
    }
    if (entry.document) {
      const a = el("a", "doc");
      a.href = entry.document.url;
      a.download = entry.document.file_name || "file";
      a.target = "_blank";
      a.rel = "noopener";
      a.appendChild(icon("doc", "doc-icon"));
      const info = el("span", "doc-info");
      info.appendChild(el("div", "doc-name", entry.document.file_name || t("document")));
      info.appendChild(el("div", "doc-size", sizeLabel(entry.document.file_size)));
      a.appendChild(info);
      bubble.appendChild(a);
    }
    if (entry.sticker) {
      bubble.appendChild(el("div", "sticker", entry.sticker.emoji || "🙂"));
    } else if (entry.file && !entry.document) {
      const icons = { voice: "mic", video_note: "video", video: "video", audio: "music", animation: "video" };
      const a = el("a", "doc");
      a.href = entry.file.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.appendChild(icon(icons[entry.kind] || "clip", "doc-icon"));
      const dur = entry.file.duration ? ` · 0:${String(entry.file.duration).padStart(2, "0")}` : "";
      a.appendChild(el("span", "doc-name", t(entry.kind) + dur));
      bubble.appendChild(a);
    }
    if (entry.location) {
      const s = el("div", "special");
      s.appendChild(icon("pin", "doc-icon"));
      s.appendChild(
        el("span", "", `${t("location")}: ${entry.location.latitude.toFixed(4)}, ${entry.location.longitude.toFixed(4)}`)
      );
      bubble.appendChild(s);
    }
    if (entry.contact) {
      const s = el("div", "special");
      s.appendChild(icon("user", "doc-icon"));
      const c = entry.contact;
      s.appendChild(el("span", "", `${[c.first_name, c.last_name].filter(Boolean).join(" ")} · ${c.phone_number}`));
      bubble.appendChild(s);
    }
    if (entry.poll) {
      const s = el("div", "special");
      s.appendChild(icon("poll", "doc-icon"));
      s.appendChild(el("span", "", `${t("poll")}: ${entry.poll.question}`));
      bubble.appendChild(s);
    }

    if (entry.html) {
      const text = el("div", "text");
      text.innerHTML = entry.html; // server-rendered: escaped text + entity tags only
      text.querySelectorAll(".tg-spoiler").forEach((sp) =>
        sp.addEventListener("click", () => sp.classList.add("revealed"))
      );
      text.querySelectorAll("a.cmd").forEach((a) =>
        a.addEventListener("click", (ev) => {
          ev.preventDefault();
          sendText(a.dataset.cmd);
        })
      );
      bubble.appendChild(text);
    }

    const meta = el("span", "meta");
    meta.textContent = (entry.edited ? "✎ " : "") + hhmm(entry.date) + (side === "user" ? " ✓✓" : "");
    if (entry.edited) meta.title = t("edited");
    bubble.appendChild(meta);
    wrap.appendChild(bubble);

    const markup = entry.reply_markup;
    if (side === "bot" && markup && Array.isArray(markup.inline_keyboard) && markup.inline_keyboard.length) {
      wrap.appendChild(renderInlineKeyboard(entry, markup.inline_keyboard));
    }
    return wrap;
  }

  function renderInlineKeyboard(entry, rows) {
    const kb = el("div", "inline-kb");
    rows.forEach((row, r) => {
      const rowEl = el("div", "inline-row");
      row.forEach((b, c) => {
        let btn;
        if (b.url) {
          btn = el("a", "inline-btn url", b.text);
          btn.href = b.url;
          btn.target = "_blank";
          btn.rel = "noopener noreferrer";
          btn.appendChild(icon("link", "corner"));
        } else {
          btn = el("button", "inline-btn", b.text);
          btn.type = "button";
          if (b.callback_data !== undefined) btn.dataset.data = b.callback_data;
          btn.addEventListener("click", () => pressButton(entry.message_id, b, btn));
        }
        btn.dataset.row = r;
        btn.dataset.col = c;
        btn.dataset.messageId = entry.message_id;
        rowEl.appendChild(btn);
      });
      kb.appendChild(rowEl);
    });
    return kb;
  }

  function renderReplyKeyboard(markup) {
    const same = JSON.stringify(markup) === JSON.stringify(state.replyKeyboard);
    if (same && els.replyKb.childElementCount) {
      els.replyKb.hidden = !markup || state.kbHidden;
      return;
    }
    if (!same) state.kbHidden = false;
    state.replyKeyboard = markup;
    els.replyKb.textContent = "";
    els.kbToggle.hidden = !markup;
    updatePlaceholder();
    if (!markup || !Array.isArray(markup.keyboard)) {
      els.replyKb.hidden = true;
      return;
    }
    markup.keyboard.forEach((row) => {
      const rowEl = el("div", "reply-row");
      row.forEach((raw) => {
        const b = typeof raw === "string" ? { text: raw } : raw;
        const btn = el("button", "reply-btn");
        const hasEmoji = /^\p{Extended_Pictographic}/u.test(b.text);
        if (b.request_contact && !hasEmoji) btn.appendChild(icon("phone", "btn-ico"));
        else if (b.request_location && !hasEmoji) btn.appendChild(icon("pin", "btn-ico"));
        btn.appendChild(document.createTextNode(b.text));
        btn.type = "button";
        btn.dataset.text = b.text;
        if (b.request_contact) btn.dataset.request = "contact";
        if (b.request_location) btn.dataset.request = "location";
        btn.addEventListener("click", () => pressReplyButton(b, markup));
        rowEl.appendChild(btn);
      });
      els.replyKb.appendChild(rowEl);
    });
    els.replyKb.hidden = state.kbHidden;
  }

  function updatePlaceholder() {
    const kb = state.replyKeyboard;
    els.input.placeholder = (kb && kb.input_field_placeholder) || t("placeholder");
  }

  // ------------------------------------------------------------------ actions

  async function sendPayload(payload) {
    if (!state.uid) return null;
    try {
      const res = await api("POST", `/_emu/users/${state.uid}/messages`, payload);
      if (state.user && state.user.blocked) {
        state.user.blocked = false;
        updateBlockBtn();
      }
      return res;
    } catch (e) {
      showToast(`${t("sendError")}: ${e.message}`);
      return null;
    }
  }

  function sendText(text) {
    text = (text || "").trim();
    if (!text) return;
    sendPayload({ text });
  }

  function onSend() {
    const text = els.input.value;
    if (!text.trim()) return;
    els.input.value = "";
    autoGrow();
    sendText(text);
    els.input.focus();
  }

  async function pressButton(messageId, b, btn) {
    if (!state.uid) return;
    btn.classList.add("pending");
    try {
      const res = await api("POST", `/_emu/users/${state.uid}/callback`, {
        message_id: messageId,
        data: b.callback_data === undefined ? null : b.callback_data,
      });
      state.pendingButtons.set(res.callback_query_id, btn);
      setTimeout(() => btn.classList.remove("pending"), 4000);
    } catch (e) {
      btn.classList.remove("pending");
      showToast(`${t("sendError")}: ${e.message}`);
    }
  }

  function pressReplyButton(b, markup) {
    if (b.request_contact) sendPayload({ contact: true });
    else if (b.request_location) sendPayload({ location: DEMO_LOCATION });
    else sendPayload({ text: b.text });
    if (markup.one_time_keyboard) {
      state.kbHidden = true;
      els.replyKb.hidden = true;
    }
  }

  function fileToBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  async function uploadFile(input, field) {
    const files = Array.from(input.files || []);
    const file = files[0];
    input.value = "";
    if (!file || !state.uid) return;
    if (field === "photo" && files.length > 1) {
      // several photos at once: an album (a media group of up to 10), as a phone sends it
      const payload = { media_group: await Promise.all(files.slice(0, 10).map(fileToBase64)) };
      const caption = els.input.value.trim();
      if (caption) {
        payload.caption = caption;
        els.input.value = "";
        autoGrow();
      }
      await sendPayload(payload);
      return;
    }
    const form = new FormData();
    form.append(field, file, file.name);
    const caption = els.input.value.trim();
    if (caption) {
      form.append("caption", caption);
      els.input.value = "";
      autoGrow();
    }
    await sendPayload(form);
  }

  let toastTimer = null;
  function showToast(text) {
    els.toast.textContent = text;
    els.toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (els.toast.hidden = true), 2600);
  }

  function showAlert(text) {
    els.alertText.textContent = text;
    els.alert.hidden = false;
    els.alertOk.focus();
  }

  function autoGrow() {
    els.input.style.height = "auto";
    els.input.style.height = Math.min(140, els.input.scrollHeight) + "px";
  }

  // ------------------------------------------------------------------ wiring

  els.userSelect.addEventListener("change", () => selectUser(els.userSelect.value));
  els.userSelect.addEventListener("focus", async () => {
    const current = state.uid;
    await loadUsers();
    els.userSelect.value = current ? String(current) : "";
  });
  els.newUserBtn.addEventListener("click", () => {
    els.panel.hidden = !els.panel.hidden;
    els.newLang.value = state.lang;
    if (!els.panel.hidden) els.newName.focus();
  });
  els.newCancel.addEventListener("click", () => (els.panel.hidden = true));
  els.panel.addEventListener("submit", createUser);
  els.blockBtn.addEventListener("click", toggleBlock);
  els.sendBtn.addEventListener("click", onSend);
  els.input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      onSend();
    }
  });
  els.input.addEventListener("input", autoGrow);
  els.startBtn.addEventListener("click", () => sendText("/start"));
  els.kbToggle.addEventListener("click", () => {
    state.kbHidden = !state.kbHidden;
    els.replyKb.hidden = state.kbHidden || !state.replyKeyboard;
  });
  els.photoInput.addEventListener("change", () => uploadFile(els.photoInput, "photo"));
  els.fileInput.addEventListener("change", () => uploadFile(els.fileInput, "document"));
  els.alertOk.addEventListener("click", () => (els.alert.hidden = true));
  els.lightbox.addEventListener("click", () => (els.lightbox.hidden = true));

  async function init() {
    applyLang();
    await loadUsers();
    const wanted = new URL(window.location.href).searchParams.get("user");
    if (wanted && state.users.some((u) => String(u.id) === wanted)) {
      selectUser(wanted);
    } else if (!wanted && state.users.length === 1) {
      selectUser(state.users[0].id);
    } else {
      selectUser(null);
    }
    // keep the user list fresh (tests and the bot may create users)
    setInterval(async () => {
      if (document.activeElement === els.userSelect) return;
      const before = JSON.stringify(state.users.map((u) => [u.id, u.first_name, u.blocked]));
      await loadUsers();
      const me = state.users.find((u) => u.id === state.uid);
      if (me) {
        state.user = me;
        updateBlockBtn();
      }
      const after = JSON.stringify(state.users.map((u) => [u.id, u.first_name, u.blocked]));
      if (before !== after) els.userSelect.value = state.uid ? String(state.uid) : "";
    }, 5000);
  }

  document.body.dataset.ready = "0";
  init().then(() => (document.body.dataset.ready = "1"));
})();
