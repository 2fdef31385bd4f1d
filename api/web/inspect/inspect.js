// The inspectors' page (督查人员倒查页面): sign in with a bearer token (kept in
// sessionStorage only), open a case or a child, and see its trace report —
// the timeline on a business-time axis, every obligation with its owner and
// status, the entries recorded late — as the record stood at the moment the
// as-of slider names; and, for whoever signs in, its inbox (待办), kept
// current by the notification stream. Every time is shown in China
// Standard Time (UTC+8).
"use strict";

(() => {
  const TOKEN_KEY = "careledger.inspect.token";
  const LANG_KEY = "careledger.inspect.lang";
  const HOUR = 3600 * 1000;
  const DAY = 24 * HOUR;
  const CST_OFFSET = 8 * HOUR;
  const SVG = "http://www.w3.org/2000/svg";

  // The page's own words; the domain's words (obligations, statuses,
  // roles, agencies) come from /inspect/words.json.
  const PAGE_WORDS = {
    zh: {
      title: "儿童保护督查 · 倒查时间轴", switch: "English", signin: "登录", token: "访问令牌", signin_button: "登录",
      signout: "退出", open: "查阅对象", subject_kind: "类别", case: "个案", child: "儿童", subject_id: "编号",
      open_button: "打开", as_of: "记录截至", now: "现在", loading: "加载中…", print: "打印", report: "打开打印版报告",
      axis: "时间轴（按发生时间）", legend_met: "按时履行", legend_met_late: "逾期履行", legend_missed: "未履行（已逾期）",
      legend_open: "未到期", legend_late: "迟录（发生后逾时登记）", deadlines: "职责时限", kind: "职责", started: "起算时间",
      due: "截止时间", status: "履行情况", met_at: "履行时间", owner: "责任人", owner_history: "责任人变更", policy: "政策版本",
      late_entries: "迟录条目（发生后逾时登记）", entry: "事项", occurred: "发生时间", recorded: "登记时间", delay: "迟延",
      actor: "经办人", position: "日志位置", timeline: "完整时间线", child_file: "儿童档案", none: "无",
      footer: "本页仅依据不可更改的事件记录生成；截止时间之后登记的事项不予显示。时间均为北京时间（UTC+8）。",
      late_tag: "迟录", hours: "小时", threshold: "阈值", since: "起", cst: "北京时间", cases: "涉及个案",
      integrity: "记录完整性校验", intact: "记录完整，未被篡改", broken: "记录已被改动", checked: "已校验事件数",
      incident_at: "事发时间", missed_count: "未履行职责", late_count: "迟录条目", signed_in: "已登录",
      jurisdiction: "辖区", place: "所在地", vacant: "空缺", expires: "有效至", incident: "事发", as_of_mark: "记录截至",
      err_401: "令牌无效或已过期", err_403: "无权查看", err_404: "未找到或不在您的辖区内",
      err_network: "无法连接服务器", err_token: "令牌格式不正确", err_signin: "请先登录", err_expired: "令牌已过期，请重新获取",
      policies: "适用的时限政策", version: "版本", in_force_from: "生效时间", applied: "本页适用", police_clock: "报告公安时限",
      late_threshold: "迟录阈值", default_policy: "默认政策", yes: "是", no: "否", days: "天", policy_mark: "时限政策",
      legend_policy: "时限政策调整",
      inquiry: "倒查", findings: "倒查结论", found_at: "认定时间", recorded_by: "登记人", findings_text: "认定事实",
      responsibilities: "责任认定", worker: "姓名", finding: "认定内容", rectifications: "整改事项", item: "编号",
      description: "整改内容", due_on: "整改期限", completed_at: "完成时间", closed: "倒查结案", closed_at: "结案时间",
      closed_by: "结案人", conclusion: "结案结论", not_closed: "尚未结案",
      erased: "（涉及儿童个人信息，已随删除一并销毁）",
      people: "相关人员", role: "角色", post_at_incident: "事发时岗位", post_at_as_of: "截至时岗位",
      qualification_at_incident: "事发时培训情况", qualification_at_as_of: "截至时培训情况", involvement: "涉及方式",
      not_in_post: "当时不在岗", involved_actor: "经办", involved_owner: "职责责任人", involved_responsible: "被认定负有责任",
      involved_rectification_owner: "整改责任人",
      corrections: "更正记录", corrected_entry: "被更正条目", corrected_fields: "更正内容（原值→更正值）", corrected_by: "更正人",
      corrected_recorded: "原条目登记时间", stood: "原条目留存",
      correction_note: "原条目保留不变，更正另行登记；更正的内容属儿童个人信息，仅向有权查阅儿童档案者列出，儿童信息删除后不再可读；更正理由不列入。",
      reads: "查阅记录", reads_period: "查阅期间", to: "至", reader: "查阅人", read_at: "查阅时间", read_what: "查阅内容",
      err_id: "请输入编号", err_other: "请求失败", err_popup: "浏览器阻止了新窗口，请允许弹出窗口",
      inbox: "待办", refresh: "刷新", inbox_caption: "本人待办事项，按截止时间排列（北京时间）", inbox_subject: "对象",
      jurisdiction_col: "辖区", more: "加载更多", inbox_empty: "暂无待办", inbox_forbidden: "当前角色没有待办",
      due_soon: "即将到期", escalated: "已升级", worker_subject: "工作人员", rectification_item: "整改事项",
      stream_open: "实时更新：已连接", stream_connecting: "实时更新：正在连接…", stream_retry: "实时更新：连接中断，正在重连…",
      stream_closed: "实时更新：已停止", ev_opened: "新待办", ev_due_soon: "即将到期", ev_missed: "已逾期",
      ev_escalated: "已升级", ev_referral: "新转介", ev_other: "待办变动", news_many: "待办更新", count_unit: "条",
      as_of_at: "输入时间（北京时间）", asof_keys: "方向键每次移动 1 小时，PageUp/PageDown 每次移动 1 天。",
      loaded: "已加载", items_unit: "项", agency: "部门",
    },
    en: {
      title: "Child protection inspection · trace-back timeline", switch: "中文", signin: "Sign in", token: "Access token",
      signin_button: "Sign in", signout: "Sign out", open: "Open", subject_kind: "Kind", case: "Case", child: "Child",
      subject_id: "ID", open_button: "Open", as_of: "Record as of", now: "Now", loading: "Loading…", print: "Print",
      report: "Open printable report", axis: "Time axis (when things happened)", legend_met: "met", legend_met_late: "met late",
      legend_missed: "missed", legend_open: "open", legend_late: "late entry (recorded long after it happened)",
      deadlines: "Obligations", kind: "Obligation", started: "Started", due: "Due", status: "Status", met_at: "Met at",
      owner: "Owner", owner_history: "Owners over time", policy: "Policy", late_entries: "Late entries", entry: "Entry",
      occurred: "Occurred", recorded: "Recorded", delay: "Delay", actor: "Actor", position: "Log position",
      timeline: "Timeline", child_file: "child file", none: "none",
      footer: "Built from the immutable event record only; entries recorded after the as-of moment are left out. Times are China Standard Time (UTC+8).",
      late_tag: "late", hours: "hours", threshold: "threshold", since: "from", cst: "CST", cases: "Cases",
      integrity: "Integrity", intact: "intact, unaltered", broken: "the record has been altered", checked: "events checked",
      incident_at: "Incident at", missed_count: "Missed obligations", late_count: "Late entries", signed_in: "Signed in",
      jurisdiction: "jurisdiction", place: "Place", vacant: "vacant", expires: "expires", incident: "incident", as_of_mark: "as of",
      err_401: "The token is invalid or has expired", err_403: "Not allowed to view this",
      err_404: "Not found, or outside your jurisdiction", err_network: "Cannot reach the server",
      err_token: "This is not a token", err_signin: "Sign in first", err_expired: "The token has expired; get a new one",
      policies: "Deadline policies", version: "Version", in_force_from: "In force from", applied: "Applied here",
      police_clock: "Police report clock", late_threshold: "Late-entry threshold", default_policy: "default policy",
      yes: "yes", no: "no", days: "days", policy_mark: "policy", legend_policy: "deadline policy change",
      inquiry: "Inquiry", findings: "Findings", found_at: "Found at", recorded_by: "Recorded by", findings_text: "Findings",
      responsibilities: "Responsibilities", worker: "Name", finding: "Finding", rectifications: "Rectification items", item: "Item",
      description: "Description", due_on: "Due on", completed_at: "Completed at", closed: "Closing", closed_at: "Closed at",
      closed_by: "Closed by", conclusion: "Conclusion", not_closed: "not closed yet",
      erased: "(the child's personal data: erased)",
      people: "People involved", role: "Role", post_at_incident: "Post at the incident", post_at_as_of: "Post as of",
      qualification_at_incident: "Training at the incident", qualification_at_as_of: "Training as of", involvement: "Involvement",
      not_in_post: "not in post then", involved_actor: "acted", involved_owner: "owned an obligation", involved_responsible: "held responsible",
      involved_rectification_owner: "owns a rectification item",
      corrections: "Corrections", corrected_entry: "Entry corrected", corrected_fields: "Correction (original → corrected)", corrected_by: "Corrected by",
      corrected_recorded: "Entry recorded", stood: "Stood for",
      correction_note: "The original entry stays as recorded; the correction is recorded beside it. The values are a child's personal data, shown only to those who may read the child's file and unreadable once it is erased; the reasons are not listed.",
      reads: "Reads of the record", reads_period: "Period", to: "to", reader: "Reader", read_at: "Read at", read_what: "What",
      err_id: "Enter an ID", err_other: "The request failed", err_popup: "The browser blocked the new window",
      inbox: "Inbox", refresh: "Refresh", inbox_caption: "My work, due first (China Standard Time)", inbox_subject: "Subject",
      jurisdiction_col: "Jurisdiction", more: "Load more", inbox_empty: "Nothing to do", inbox_forbidden: "This role has no inbox",
      due_soon: "due soon", escalated: "escalated", worker_subject: "Worker", rectification_item: "rectification item",
      stream_open: "Live updates: connected", stream_connecting: "Live updates: connecting…",
      stream_retry: "Live updates: connection lost, reconnecting…", stream_closed: "Live updates: stopped",
      ev_opened: "New", ev_due_soon: "Due soon", ev_missed: "Missed", ev_escalated: "Escalated",
      ev_referral: "Referral received", ev_other: "Changed", news_many: "Inbox updates", count_unit: "",
      as_of_at: "Type a time (China Standard Time)", asof_keys: "Arrow keys move by an hour, Page Up and Page Down by a day.",
      loaded: "Loaded", items_unit: "", agency: "agency",
    },
  };

  const $ = (id) => document.getElementById(id);
  const state = {
    lang: sessionStorage.getItem(LANG_KEY) === "en" ? "en" : "zh",
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    words: { kinds: {}, statuses: {}, roles: {}, agencies: {} },
    subject: null, // {kind: "cases"|"children", id}
    report: null,
    asOf: null, // ms, or null for now
    seq: 0,
    error: null, // {key, detail}
  };

  const t = (key) => PAGE_WORDS[state.lang][key] || key;
  const zh = () => state.lang === "zh";

  // Times: "2026-03-01 08:00" in China Standard Time.
  function cstParts(when) {
    const ms = typeof when === "number" ? when : Date.parse(when);
    const d = new Date(ms + CST_OFFSET);
    const p = (n) => String(n).padStart(2, "0");
    return { date: `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`, hm: `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`, s: p(d.getUTCSeconds()) };
  }
  const cst = (when) => (isZero(when) ? "—" : `${cstParts(when).date} ${cstParts(when).hm}`);
  const cstSeconds = (when) => { const c = cstParts(when); return `${c.date} ${c.hm}:${c.s}`; };
  const isZero = (iso) => !iso || (typeof iso === "string" && iso.startsWith("0001-"));

  // The domain's words.
  const kindWord = (k) => (zh() && state.words.kinds[k]) || k.replaceAll("_", " ");
  const statusWord = (s) => (zh() && state.words.statuses[s]) || s.replaceAll("_", " ");
  const roleWord = (r) => (zh() && state.words.roles[r]) || (r || "").replaceAll("_", " ");
  // A registered worker by name (the real-name register), with its id.
  function workerName(id) {
    const w = state.report && state.report.workers && state.report.workers[id];
    return w ? `${w.name} ${id}` : id;
  }
  // A jurisdiction code's full Chinese name from the report's places.
  function placeName(code) {
    return (state.report && state.report.places && state.report.places[code]) || code;
  }
  function ownerWord(owner) {
    if (owner && owner.indexOf(":") < 0) return workerName(owner);
    if (!owner) return "—";
    const i = owner.indexOf(":");
    if (i < 0) return owner;
    const kind = owner.slice(0, i), rest = owner.slice(i + 1);
    if (kind === "agency") return zh() ? state.words.agencies[rest] || owner : `${rest.replaceAll("_", " ")} ${t("agency")}`;
    if (!zh()) return `${kind.replaceAll("_", " ")} (${placeName(rest)})`;
    if (state.words.roles[kind]) return `${state.words.roles[kind]}（${placeName(rest)}）`;
    return owner;
  }
  // A policy duration as Go writes it ("1h0m0s", "3d") in hours or days.
  function durationWord(d) {
    if (/^\d+d$/.test(d)) return `${parseInt(d, 10)} ${t("days")}`;
    const h = /(\d+)h/.exec(d), m = /(\d+)m(?!s)/.exec(d);
    const hours = (h ? Number(h[1]) : 0) + (m ? Number(m[1]) / 60 : 0);
    return `${Math.round(hours * 100) / 100} ${t("hours")}`;
  }
  // A case's short name on the axis: 个案1, 个案2… in the report's order.
  function caseLabel(caseID) {
    if (!caseID) return t("child_file");
    const i = state.report.subject.case_ids.indexOf(caseID);
    return i < 0 ? caseID : `${t("case")}${i + 1}`;
  }
  const caseCell = (caseID) => el("td", {}, caseLabel(caseID), caseID ? el("br") : null, caseID ? el("span", { class: "note" }, caseID) : null);
  // An act by a worker whose training had lapsed or never passed says so.
  const qualificationWord = (q) => (!q || q === "qualified" ? "" : `，${(zh() && state.words.qualifications && state.words.qualifications[q]) || q}`);
  const actorWord = (a) => (a && a.subject ? `${workerName(a.subject)}（${roleWord(a.role)}${qualificationWord(a.qualification)}）` : "—");
  const qualificationName = (q) => (zh() && state.words.qualifications && state.words.qualifications[q]) || q;
  // What an access-log entry read; a corrected field's name.
  const actionWord = (a) => (zh() && state.words.actions && state.words.actions[a]) || a.replaceAll("_", " ");
  const fieldWord = (f) => (zh() && state.words.fields && state.words.fields[f]) || f;
  const joinWords = (words) => words.join(zh() ? "、" : ", ");
  const nameAndID = (name, id) => (name ? `${name} ${id}` : id);
  const dlRows = (rows) => rows.filter(Boolean).flatMap(([k, ...v]) => [el("dt", {}, k), el("dd", {}, ...v)]);

  // The token's claims, read from its first segment (base64url JSON); the
  // server checks the signature, the page only shows who is signed in.
  function claimsOf(token) {
    try {
      const seg = token.split(".")[0].replaceAll("-", "+").replaceAll("_", "/");
      const bin = atob(seg + "=".repeat((4 - (seg.length % 4)) % 4));
      const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
      return claims && typeof claims.sub === "string" && typeof claims.role === "string" ? claims : null;
    } catch {
      return null;
    }
  }

  function el(tag, attrs, ...children) {
    const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c !== null && c !== undefined) e.append(c);
    }
    return e;
  }
  const tag = (kind, text) => el("span", { class: `tag ${kind}` }, text);

  function showError(key, detail) {
    state.error = key ? { key, detail } : null;
    const box = $("error");
    box.hidden = !key;
    box.textContent = key ? t(key) + (detail ? `：${detail}` : "") : "";
  }

  class RequestError extends Error {
    constructor(status, detail) { super(`HTTP ${status}`); this.status = status; this.detail = detail; }
  }

  async function request(path, accept) {
    let resp;
    try {
      resp = await fetch(path, { headers: { Authorization: `Bearer ${state.token}`, Accept: accept }, cache: "no-store" });
    } catch {
      throw new RequestError(0, "");
    }
    if (!resp.ok) {
      let detail = "";
      try { detail = (await resp.json()).detail || ""; } catch { /* not a problem document */ }
      throw new RequestError(resp.status, detail);
    }
    return resp;
  }

  function failWith(err) {
    const known = { 0: "err_network", 401: "err_401", 403: "err_403", 404: "err_404" };
    const key = known[err.status] || "err_other";
    showError(key, key === "err_other" ? err.detail || `HTTP ${err.status}` : "");
  }

  // tracePath is the subject's report: an inquiry's own, or the trace
  // report of a case or a child.
  function tracePath() {
    const { kind, id } = state.subject;
    const q = new URLSearchParams();
    if (state.asOf !== null) q.set("as_of", new Date(state.asOf).toISOString());
    const qs = q.toString();
    const path = kind === "inquiries" ? `/v1/inquiries/${encodeURIComponent(id)}/report` : `/v1/${kind}/${encodeURIComponent(id)}/trace`;
    return `${path}${qs ? "?" + qs : ""}`;
  }

  // load fetches the report as the record stood at the slider's moment;
  // a fresh load (opening a subject, "now") also resets the slider's span:
  // from the first entry recorded to now.
  async function load(fresh) {
    const seq = ++state.seq;
    const view = $("view");
    view.dataset.state = "loading";
    $("loading").hidden = false;
    try {
      const report = await (await request(tracePath(), "application/json")).json();
      if (seq !== state.seq) return;
      showError(null);
      state.report = report;
      if (fresh) resetSlider(report);
      render();
      view.hidden = false;
      view.dataset.asOf = report.as_of;
      view.dataset.state = "ready";
      announceLoaded(report);
      if (fresh) $("subject-title").focus();
    } catch (err) {
      if (seq !== state.seq) return;
      failWith(err);
      view.dataset.state = "error";
      if (fresh) view.hidden = true;
    } finally {
      if (seq === state.seq) $("loading").hidden = true;
    }
  }

  // announceLoaded tells screen readers, politely, which record loaded and
  // as of when; a new text each time, so that it is spoken.
  function announceLoaded(r) {
    const missed = r.deadlines.filter((d) => d.status === "missed").length;
    const u = zh() ? t("items_unit") : "";
    const text = `${t("loaded")}：${$("subject-title").textContent}，${t("as_of")} ${cstSeconds(r.as_of)}（${t("cst")}）；` +
      `${t("missed_count")} ${missed}${u}，${t("late_count")} ${r.late_entries.length}${u}`;
    const region = $("view-status");
    region.textContent = "";
    setTimeout(() => { region.textContent = text; markChinese(region); }, 50);
  }

  // markChinese marks, on the English page, each run of text with Chinese
  // in it (names, summaries, places) as Chinese, so it is read as such.
  const HAN = /[\u3400-\u9fff]/;
  function markChinese(root) {
    if (zh()) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (HAN.test(n.data) && !n.parentElement.closest("[lang='zh-CN']")) found.push(n);
    }
    for (const n of found) {
      const parent = n.parentElement;
      if (parent.namespaceURI === SVG) { parent.setAttribute("lang", "zh-CN"); continue; }
      if (parent.matches("title, style, script")) continue;
      n.replaceWith(el("span", { lang: "zh-CN" }, n.data));
    }
  }

  function resetSlider(report) {
    const slider = $("asof");
    const now = Date.now();
    let first = now;
    for (const it of report.timeline) first = Math.min(first, Date.parse(it.recorded_at));
    // Milliseconds are cut from recorded_at when parsed: start just after.
    slider.min = String(Math.floor(first / 1000) * 1000 + 1000);
    slider.max = String(Math.ceil(now / 1000) * 1000);
    slider.value = slider.max;
    state.asOf = null;
    showAsOf();
  }

  // showAsOf names the slider's moment in Beijing time: beside it, to a
  // screen reader (aria-valuetext, not the raw milliseconds) and in the
  // date-time input.
  function showAsOf() {
    const slider = $("asof");
    const ms = state.asOf !== null ? state.asOf : Number(slider.max) || Date.now();
    const text = `${cstSeconds(ms)}（${t("cst")}）${state.asOf === null ? " · " + t("now") : ""}`;
    $("asof-label").textContent = text;
    $("asof").setAttribute("aria-valuetext", text);
    const at = $("asof-at");
    const local = (v) => { const c = cstParts(Number(v)); return `${c.date}T${c.hm}`; };
    if (slider.min) { at.min = local(slider.min); at.max = local(slider.max); }
    if (document.activeElement !== at) at.value = local(ms);
  }

  // slideTo moves the as-of moment (clamped to the slider's span) and loads
  // the record as it stood then, shortly after the last move.
  function slideTo(ms) {
    const slider = $("asof");
    const v = Math.min(Math.max(ms, Number(slider.min)), Number(slider.max));
    slider.value = String(v);
    state.asOf = v >= Number(slider.max) ? null : v;
    showAsOf();
    clearTimeout(debounce);
    debounce = setTimeout(() => load(false), 300);
  }

  // The arrow keys move the slider by an hour, Page Up and Page Down by a
  // day (its step is a second, which a key would never get anywhere with).
  function onSliderKey(e) {
    const steps = { ArrowRight: HOUR, ArrowUp: HOUR, ArrowLeft: -HOUR, ArrowDown: -HOUR, PageUp: DAY, PageDown: -DAY };
    if (!(e.key in steps)) return;
    e.preventDefault();
    slideTo(Number($("asof").value) + steps[e.key]);
  }

  // A typed date and time is Beijing time.
  function onTypedAsOf() {
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec($("asof-at").value);
    if (!m || !state.report) return;
    slideTo(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) - CST_OFFSET);
  }

  let debounce = 0;
  function onSlide() {
    slideTo(Number($("asof").value));
  }

  // render draws the report: summary, time axis, tables.
  function render() {
    const r = state.report;
    if (!r) return;
    const late = new Set(r.late_entries.map((l) => l.global_position));
    const { kind, id } = state.subject;
    $("subject-title").textContent = `${t({ cases: "case", children: "child", inquiries: "inquiry" }[kind])} ${id}`;
    const missed = r.deadlines.filter((d) => d.status === "missed").length;
    const rows = [
      [t("cases"), r.subject.case_ids.map((c) => `${caseLabel(c)}：${c}`).join("；") || "—"],
      r.subject.jurisdiction ? [t("place"), placeName(r.subject.jurisdiction)] : null,
      [t("as_of"), `${cstSeconds(r.as_of)}（${t("cst")}）`],
      isZero(r.incident_at) ? null : [t("incident_at"), cst(r.incident_at)],
      [t("integrity"), el("span", { class: r.integrity.ok ? "ok" : "broken" }, r.integrity.ok ? t("intact") : t("broken")),
        `；${t("checked")} ${r.integrity.checked}`],
      [t("missed_count"), String(missed)],
      [t("late_count"), String(r.late_entries.length)],
    ];
    $("summary").replaceChildren(...dlRows(rows));
    fillOutcome(r);
    $("axis").replaceChildren(drawAxis(r, late));
    fillDeadlines(r.deadlines);
    fillLateEntries(r.late_entries);
    fillPeople(r);
    fillCorrections(r.corrections || []);
    fillReads(r);
    fillTimeline(r.timeline, late);
    fillPolicies(r.policy_versions || []);
    markChinese($("view"));
  }

  // inquiryText is an inquiry's text about the child: null once the
  // child's data is erased, which the page says.
  const inquiryText = (s) => s ?? el("span", { class: "note" }, t("erased"));

  // fillOutcome shows an inquiry's findings, rectification items and
  // closing once recorded; nothing before (nor for a trace report).
  function fillOutcome(r) {
    const f = r.findings;
    $("outcome").hidden = !f;
    if (!f) return;
    const c = r.closed;
    $("findings").replaceChildren(...dlRows([
      [t("found_at"), `${cst(f.occurred_at)}（${t("recorded")} ${cst(f.recorded_at)}）`],
      [t("recorded_by"), actorWord(f.recorded_by)],
      [t("findings_text"), el("span", { class: "text" }, inquiryText(f.findings))],
      c ? [t("closed_at"), cst(c.at)] : [t("closed"), t("not_closed")],
      c ? [t("closed_by"), actorWord(c.by)] : null,
      c ? [t("conclusion"), el("span", { class: "text" }, inquiryText(c.conclusion))] : null,
    ]));
    const resp = $("responsibilities").tBodies[0];
    resp.replaceChildren(...(f.responsibilities || []).map((x) => el("tr", { "data-worker": x.worker_id },
      el("td", {}, nameAndID(x.name, x.worker_id)),
      el("td", { class: "text" }, inquiryText(x.finding)))));
    if (!resp.rows.length) resp.append(el("tr", {}, el("td", { colspan: "2" }, t("none"))));
    const items = r.rectifications || [];
    const body = $("rectifications").tBodies[0];
    body.replaceChildren(...items.map((x) => el("tr", { class: x.status, "data-id": x.id, "data-status": x.status },
      el("td", {}, x.id),
      el("td", { class: "text" }, inquiryText(x.description)),
      el("td", {}, nameAndID(x.owner_name, x.owner)),
      el("td", {}, x.due_on),
      el("td", {}, statusWord(x.status)),
      el("td", {}, x.completed_at ? cst(x.completed_at) : "—"))));
    if (!items.length) body.append(el("tr", {}, el("td", { colspan: "6" }, t("none"))));
  }

  // fillPeople lists the workers involved, with their post and training
  // at the incident (or, without one, as of the report's moment).
  function fillPeople(r) {
    const at = isZero(r.incident_at) ? "as_of" : "incident";
    for (const [id, key] of [["people-post", `post_at_${at}`], ["people-qualification", `qualification_at_${at}`]]) {
      $(id).dataset.i18n = key;
      $(id).textContent = t(key);
    }
    const people = r.people || [];
    const body = $("people").tBodies[0];
    body.replaceChildren(...people.map((p) => el("tr", { "data-worker": p.worker_id },
      el("td", {}, nameAndID(p.name, p.worker_id)),
      el("td", {}, roleWord(p.role)),
      el("td", {}, placeName(p.jurisdiction) + (p.in_post ? "" : `（${t("not_in_post")}）`)),
      el("td", { class: p.qualification_at_incident }, qualificationName(p.qualification_at_incident)),
      el("td", {}, joinWords((p.involvement || []).map((w) => t(`involved_${w}`)))))));
    if (!people.length) body.append(el("tr", {}, el("td", { colspan: "5" }, t("none"))));
  }

  // What a correction changed: each field from the entry's value (which
  // stays) to the corrected one, as the server words it; once the child's
  // data is erased, that it is.
  function correctionChanges(c) {
    if (c.erased) return [el("span", { class: "note" }, t("erased"))];
    const changes = c.changes || [];
    if (!changes.length) return [joinWords((c.fields || []).map(fieldWord)) || "—"];
    return changes.flatMap((ch, i) => (i ? [el("br"), ch.text] : [ch.text]));
  }

  function fillCorrections(corrections) {
    const body = $("corrections").tBodies[0];
    body.replaceChildren(...corrections.map((c) => el("tr", { "data-position": String(c.position) },
      el("td", {}, cst(c.recorded_at)),
      el("td", {}, zh() ? c.summary : `${c.corrected_type} (${t("position")} ${c.corrects_position})`),
      el("td", { class: "changes" }, ...correctionChanges(c)),
      el("td", {}, actorWord(c.by)),
      el("td", {}, c.corrected_recorded_at ? cst(c.corrected_recorded_at) : "—"),
      el("td", {}, c.corrected_recorded_at ? `${c.delay_hours.toFixed(1)} ${t("hours")}` : "—"),
      caseCell(c.case_id),
      el("td", {}, String(c.position)))));
    if (!corrections.length) body.append(el("tr", {}, el("td", { colspan: "8" }, t("none"))));
  }

  function fillReads(r) {
    const reads = r.reads || [];
    $("reads-period").textContent = `${t("reads_period")} ${cst(r.reads_from)} ${t("to")} ${cst(r.as_of)}`;
    const body = $("reads").tBodies[0];
    body.replaceChildren(...reads.map((x) => el("tr", { "data-subject": x.subject, "data-action": x.action },
      el("td", {}, cst(x.at)),
      el("td", {}, `${workerName(x.subject)}（${roleWord(x.role)}）`),
      el("td", {}, actionWord(x.action)),
      caseCell(x.case_id))));
    if (!reads.length) body.append(el("tr", {}, el("td", { colspan: "4" }, t("none"))));
  }

  function fillPolicies(policies) {
    $("policies").tBodies[0].replaceChildren(...policies.map((p) => el("tr", { "data-version": String(p.version) },
      el("td", {}, `v${p.version}`),
      el("td", {}, p.from ? cst(p.from) : t("default_policy")),
      el("td", {}, p.recorded_at ? cst(p.recorded_at) : "—"),
      el("td", {}, p.applied ? t("yes") : t("no")),
      el("td", {}, durationWord(p.policy.police_report)),
      el("td", {}, durationWord(p.policy.late_entry)))));
  }

  function fillDeadlines(deadlines) {
    const body = $("deadlines").tBodies[0];
    body.replaceChildren(...deadlines.map((d) => el("tr", { class: d.status, "data-kind": d.kind, "data-status": d.status, "data-case": d.case_id || "" },
      el("td", {}, kindWord(d.kind)),
      caseCell(d.case_id),
      el("td", {}, cst(d.started_at)),
      el("td", {}, cst(d.due_at)),
      el("td", {}, statusWord(d.status)),
      el("td", {}, d.met_at ? cst(d.met_at) : "—"),
      el("td", {}, ownerWord(d.owner) + (d.vacant ? `（${t("vacant")}）` : "")),
      el("td", {}, (d.owners || []).map((o) => `${ownerWord(o.owner)}${o.vacant ? `·${t("vacant")}` : ""}（${cst(o.from)}${t("since")}）`).join("；") || "—"),
      el("td", {}, `v${d.policy_version}`))));
    if (!deadlines.length) body.append(el("tr", {}, el("td", { colspan: "9" }, t("none"))));
  }

  function fillLateEntries(entries) {
    const body = $("late-entries").tBodies[0];
    body.replaceChildren(...entries.map((l) => el("tr", { class: "late-entry", "data-position": String(l.global_position) },
      el("td", {}, l.summary, tag("late", t("late_tag"))),
      el("td", {}, cst(l.occurred_at)),
      el("td", {}, cst(l.recorded_at)),
      el("td", {}, `${l.delay_hours.toFixed(1)} ${t("hours")}（${t("threshold")} ${l.threshold_hours} ${t("hours")}）`),
      el("td", {}, actorWord(l.actor)),
      el("td", {}, String(l.global_position)))));
    if (!entries.length) body.append(el("tr", {}, el("td", { colspan: "6" }, t("none"))));
  }

  function fillTimeline(items, late) {
    const body = $("timeline").tBodies[0];
    body.replaceChildren(...items.map((it) => {
      const isLate = late.has(it.global_position);
      return el("tr", { class: isLate ? "late" : null, "data-position": String(it.global_position), "data-type": it.type },
        el("td", {}, cst(it.occurred_at)),
        el("td", {}, cst(it.recorded_at)),
        el("td", {}, it.summary + (zh() ? "" : ` [${it.type}]`), isLate ? tag("late", t("late_tag")) : null),
        el("td", {}, actorWord(it.actor)),
        caseCell(it.case_id),
        el("td", {}, String(it.global_position)));
    }));
    if (!items.length) body.append(el("tr", {}, el("td", { colspan: "6" }, t("none"))));
  }

  // textWidth estimates how wide a label is drawn on the axis (in its
  // user units, at the printed size, the larger): a Chinese character is
  // an em, anything else about half.
  const AXIS_EM = 16;
  const textWidth = (s) => [...s].reduce((w, c) => w + (/[\u2e80-\u9fff\uff00-\uffef]/.test(c) ? AXIS_EM : AXIS_EM * 0.6), 0);

  // drawAxis draws business time left to right: the entries as marks (late
  // ones ringed and tagged), and each obligation as a bar from its start to
  // its due time, coloured by status, with its owner.
  function drawAxis(r, late) {
    const W = 1200, L = 250, R = W - 20, top = 34, eventY = 78, rowsTop = 118, rowH = 28;
    const asOf = Date.parse(r.as_of);
    const times = [asOf];
    for (const it of r.timeline) times.push(Date.parse(it.occurred_at));
    for (const d of r.deadlines) {
      times.push(Date.parse(d.started_at));
      if (d.met_at) times.push(Date.parse(d.met_at));
      const due = Date.parse(d.due_at);
      if (due <= asOf + 3 * DAY) times.push(due); // far-off dues would squash the rest
    }
    if (!isZero(r.incident_at)) times.push(Date.parse(r.incident_at));
    for (const p of r.policy_versions || []) if (p.from) times.push(Date.parse(p.from));
    let lo = Math.min(...times), hi = Math.max(...times);
    if (hi - lo < HOUR) { lo -= HOUR; hi += HOUR; }
    const pad = (hi - lo) * 0.03;
    lo -= pad; hi += pad;
    const x = (ms) => L + ((Math.min(Math.max(ms, lo), hi) - lo) / (hi - lo)) * (R - L);
    const height = rowsTop + Math.max(1, r.deadlines.length) * rowH + 10;
    const svg = el("svg:svg", { viewBox: `0 0 ${W} ${height}`, role: "img", "aria-label": t("axis") });

    // Ticks at CST midnights (or hours, for a short span).
    const span = hi - lo;
    const unit = span > 2 * DAY ? DAY : HOUR;
    const step = unit * Math.max(1, Math.ceil(span / unit / 10));
    let tick = Math.ceil((lo + CST_OFFSET) / unit) * unit - CST_OFFSET;
    for (; tick <= hi; tick += step) {
      const c = cstParts(tick);
      svg.append(el("svg:line", { class: "grid", x1: x(tick), x2: x(tick), y1: top, y2: height - 6 }),
        el("svg:text", { class: "tick", x: x(tick), y: top - 8, "text-anchor": "middle" }, unit === DAY ? c.date.slice(5) : `${c.date.slice(5)} ${c.hm}`));
    }
    const mark = (ms, cls, label) => svg.append(el("svg:line", { class: cls, x1: x(ms), x2: x(ms), y1: top, y2: height - 6 }),
      el("svg:text", { class: "tick", x: x(ms) + 3, y: height - 8 }, label));
    mark(asOf, "asof-line", t("as_of_mark"));
    if (!isZero(r.incident_at)) mark(Date.parse(r.incident_at), "incident-line", t("incident"));
    for (const p of r.policy_versions || []) {
      if (!p.from) continue;
      const px = x(Date.parse(p.from));
      svg.append(el("svg:line", { class: "policy-line", x1: px, x2: px, y1: top, y2: height - 6, "data-version": String(p.version) },
        el("svg:title", {}, `${t("policy_mark")} v${p.version}：${t("in_force_from")} ${cst(p.from)}`)),
      el("svg:text", { class: "policy-label", x: px - 3, y: top + 12, "text-anchor": "end" }, `${t("policy_mark")} v${p.version}`));
    }

    svg.append(el("svg:text", { class: "label", x: 4, y: eventY + 4 }, t("timeline")));
    // Late entries close together share one tag (迟录 ×n) instead of piling up.
    const tags = [];
    for (const it of r.timeline) {
      const isLate = late.has(it.global_position);
      const cx = x(Date.parse(it.occurred_at));
      const title = el("svg:title", {}, `${cst(it.occurred_at)} ${it.summary}（${t("recorded")} ${cst(it.recorded_at)}）`);
      svg.append(el("svg:circle", { class: isLate ? "event late" : "event", cx, cy: eventY, r: isLate ? 7 : 5,
        "data-position": String(it.global_position), "data-late": String(isLate) }, title));
      if (!isLate) continue;
      const near = tags.find((g) => Math.abs(g.x - cx) < textWidth(`${t("late_tag")} ×9`));
      if (near) near.positions.push(it.global_position);
      else tags.push({ x: cx, positions: [it.global_position] });
    }
    for (const g of tags) {
      const n = g.positions.length;
      svg.append(el("svg:text", { class: "late-tag", x: Math.min(Math.max(g.x, L), W - 4 - textWidth(t("late_tag")) / 2), y: eventY - 14,
        "text-anchor": "middle", "data-positions": g.positions.join(" ") }, n > 1 ? `${t("late_tag")} ×${n}` : t("late_tag")));
    }

    r.deadlines.forEach((d, i) => {
      const y = rowsTop + i * rowH;
      const start = Date.parse(d.started_at), due = Date.parse(d.due_at);
      const x1 = x(start), x2 = Math.max(x(due), x1 + 3);
      svg.append(el("svg:text", { class: "label", x: 4, y: y + 12 }, `${kindWord(d.kind)}（${caseLabel(d.case_id)}）`));
      svg.append(el("svg:rect", { class: `bar ${d.status}`, x: x1, y, width: x2 - x1, height: 16, rx: 2, "data-kind": d.kind, "data-status": d.status },
        el("svg:title", {}, `${kindWord(d.kind)}：${statusWord(d.status)}；${t("started")} ${cst(d.started_at)}，${t("due")} ${cst(d.due_at)}；${t("owner")} ${ownerWord(d.owner)}`)));
      if (d.met_at) {
        const mx = x(Date.parse(d.met_at));
        svg.append(el("svg:line", { class: "met-mark", x1: mx, x2: mx, y1: y - 3, y2: y + 19 }));
      }
      const text = `${statusWord(d.status)} · ${ownerWord(d.owner)}${due > hi ? ` · ${t("due")} ${cst(d.due_at)} ▸` : ""}`;
      // Beside the bar where the words fit: after it, else before it, else
      // ending at the right edge over the bar (with a white halo).
      const w = textWidth(text);
      let tx = x2 + 6, anchor = "start";
      if (tx + w > W - 4) {
        if (x1 - 6 - w >= L) { tx = x1 - 6; anchor = "end"; } else { tx = W - 4; anchor = "end"; }
      }
      svg.append(el("svg:text", { class: `status-text ${d.status}`, x: tx, y: y + 12, "text-anchor": anchor }, text));
    });
    return svg;
  }

  // The printable report is fetched with the token (a link cannot send it)
  // and opened from a blob in a new window.
  // The printable reports this page opened, each with the report it shows
  // (its path, without a language). A blob document cannot follow the
  // report's relative link to the other language and holds no token: its
  // script asks this page (postMessage) to fetch that language into it.
  const reportWindows = new WeakMap();

  // showReport fetches the printable report in a language and shows it in
  // the window, from a blob (which inherits this page's policy). A blob's
  // document resolves no relative URL: its print script and icon are
  // named with the page's origin.
  async function showReport(win, path, lang) {
    const url = new URL(path, location.origin);
    url.searchParams.set("lang", lang);
    const html = (await (await request(url.pathname + url.search, "text/html")).text())
      .replaceAll('="/inspect/', `="${location.origin}/inspect/`);
    reportWindows.set(win, path);
    win.location.href = URL.createObjectURL(new Blob([html], { type: "text/html;charset=utf-8" }));
  }

  async function openReport() {
    if (!state.subject) return;
    const win = window.open("about:blank", "_blank");
    if (!win) { showError("err_popup"); return; }
    try {
      await showReport(win, tracePath(), state.lang);
    } catch (err) {
      win.close();
      failWith(err);
    }
  }

  // A report this page opened asks for its other language.
  function onReportMessage(e) {
    const path = reportWindows.get(e.source);
    const lang = e.data && e.data.report_language;
    if (e.origin !== location.origin || !path || !["zh", "en"].includes(lang)) return;
    showReport(e.source, path, lang).catch(failWith);
  }

  // The inbox (待办): the signed-in worker's open obligations, due first,
  // kept current by GET /v1/notifications. EventSource cannot send the
  // token, so the stream is read with fetch and parsed here; after a drop
  // it is opened again with the last event id seen (Last-Event-ID), so that
  // nothing that happened meanwhile is lost, waiting longer after each
  // failure. Each event refreshes the list and is announced politely.
  const INBOX_PAGE = 50;
  const INBOX_MAX = 500; // the API's largest page
  const RETRY_MAX = 30 * 1000;
  const inbox = {
    items: [], next: null, note: null, seq: 0,
    stream: null, // the running stream's AbortController
    lastEventId: "", retryMs: 2000, failures: 0,
    refreshTimer: 0, news: [], newsTimer: 0,
  };
  const EVENT_WORDS = {
    "obligation.opened": "ev_opened", "obligation.due_soon": "ev_due_soon", "obligation.missed": "ev_missed",
    "obligation.escalated": "ev_escalated", "referral.received": "ev_referral",
  };

  // What an obligation is about: its case, inquiry item, worker or child.
  function subjectText(d) {
    if (d.inquiry_id) return `${t("inquiry")} ${d.inquiry_id}${d.rectification_id ? ` ${t("rectification_item")} ${d.rectification_id}` : ""}`;
    if (d.case_id) return `${t("case")} ${d.case_id}`;
    if (d.kind === "training") return `${t("worker_subject")} ${d.subject_id}`;
    if (["visit", "info_verification", "report_after_visit"].includes(d.kind)) return `${t("child")} ${d.subject_id}`;
    return d.subject_id;
  }
  // A mark readable without colour: a symbol and a word.
  const inboxMark = (cls, symbol, word) => el("span", { class: `mark ${cls}` }, el("span", { "aria-hidden": "true" }, symbol), word);

  function renderInbox() {
    const table = $("inbox-items");
    const body = table.tBodies[0];
    body.replaceChildren(...inbox.items.map((d) => {
      const cls = [d.status, d.due_soon ? "due-soon" : "", d.escalated ? "escalated" : ""].filter(Boolean).join(" ");
      return el("tr", { class: cls, "data-key": d.key, "data-kind": d.kind, "data-status": d.status,
        "data-due-soon": String(Boolean(d.due_soon)), "data-escalated": String(Boolean(d.escalated)) },
      el("td", {}, kindWord(d.kind)),
      el("td", {}, subjectText(d)),
      el("td", {}, d.owner_name || ownerWord(d.owner), d.vacant ? `（${t("vacant")}）` : null,
        d.owner_name ? el("br") : null, d.owner_name ? el("span", { class: "note" }, d.owner) : null),
      el("td", {}, d.jurisdiction_name || d.jurisdiction || "—"),
      el("td", {}, cst(d.due_at)),
      el("td", {}, statusWord(d.status),
        d.due_soon ? inboxMark("due-soon", "！", t("due_soon")) : null,
        d.escalated ? inboxMark("escalated", "↑", t("escalated")) : null));
    }));
    if (!inbox.items.length) body.append(el("tr", {}, el("td", { colspan: "6" }, t(inbox.note || "inbox_empty"))));
    markChinese(body);
    const note = $("inbox-note");
    note.hidden = !inbox.note || !inbox.items.length;
    note.textContent = inbox.note ? t(inbox.note) : "";
    const more = $("inbox-more");
    const hadFocus = document.activeElement === more;
    more.hidden = !inbox.next;
    if (hadFocus && more.hidden) table.focus(); // focus is not lost with the button
  }

  // loadInbox reads the first pages again (as many items as are shown), or,
  // with more, the next page after them.
  async function loadInbox(more) {
    if (!state.token || (more && !inbox.next)) return;
    const seq = ++inbox.seq;
    const box = $("inbox");
    box.dataset.state = "loading";
    const q = new URLSearchParams();
    if (more) {
      q.set("cursor", inbox.next);
      q.set("limit", String(INBOX_PAGE));
    } else {
      q.set("limit", String(Math.min(INBOX_MAX, Math.max(INBOX_PAGE, inbox.items.length))));
    }
    try {
      const list = await (await request(`/v1/inbox?${q}`, "application/json")).json();
      if (seq !== inbox.seq) return;
      inbox.items = more ? inbox.items.concat(list.items) : list.items;
      inbox.next = list.next_cursor || null;
      inbox.note = null;
      box.dataset.state = "ready";
    } catch (err) {
      if (seq !== inbox.seq) return;
      inbox.note = { 0: "err_network", 401: "err_401", 403: "inbox_forbidden" }[err.status] || "err_other";
      if (err.status === 401 || err.status === 403) stopStream();
      box.dataset.state = "error";
    }
    renderInbox();
  }

  // Events come in bursts (a rebuilt view tells every open obligation
  // again): the list is read once the burst is over.
  function scheduleRefresh() {
    clearTimeout(inbox.refreshTimer);
    inbox.refreshTimer = setTimeout(() => loadInbox(false), 200);
  }

  // announce tells screen readers (politely) and the eye what the stream
  // brought: a few events each by what it is about, a burst by counts.
  function announce(kind, d) {
    inbox.news.push({ kind, d });
    clearTimeout(inbox.newsTimer);
    inbox.newsTimer = setTimeout(() => {
      const news = inbox.news;
      inbox.news = [];
      const word = (k) => t(EVENT_WORDS[k] || "ev_other");
      let text;
      if (news.length <= 3) {
        text = news.map(({ kind: k, d: x }) => `${word(k)}：${kindWord(x.kind)}，${subjectText(x)}，${t("due")} ${cst(x.due_at)}`).join("；");
      } else {
        const counts = new Map();
        for (const n of news) counts.set(word(n.kind), (counts.get(word(n.kind)) || 0) + 1);
        text = `${t("news_many")}：${joinWords([...counts].map(([w, n]) => `${w} ${n}${zh() ? " " + t("count_unit") : ""}`))}`;
      }
      const region = $("inbox-news");
      region.textContent = "";
      // A new text node, even if it reads as the last one did, is spoken.
      setTimeout(() => { region.textContent = text; region.dataset.count = String(Number(region.dataset.count || 0) + news.length); }, 50);
    }, 300);
  }

  function onNotification(type, data) {
    let note;
    try { note = JSON.parse(data); } catch { return; }
    const d = note && note.deadline;
    if (!d || !d.key) return;
    const kind = type || note.kind;
    const item = inbox.items.find((x) => x.key === d.key);
    if (item) { // shown at once; the refresh puts it in its place
      Object.assign(item, d);
      if (kind === "obligation.due_soon") item.due_soon = true;
      if (kind === "obligation.escalated") item.escalated = true;
      renderInbox();
    }
    announce(kind, d);
    scheduleRefresh();
  }

  // sseParser reads server-sent events from text as it arrives (lines end
  // with CRLF, LF or CR; a comment starts with a colon): each event, at the
  // blank line that ends it, goes to onEvent with its type and data, and
  // its id becomes the last event id; retry sets the reconnection delay.
  function sseParser(onEvent) {
    let buf = "", data = [], type = "", id = null;
    const field = (line) => {
      if (line.startsWith(":")) return;
      const i = line.indexOf(":");
      const name = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? "" : line.slice(i + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (name === "data") data.push(value);
      else if (name === "event") type = value;
      else if (name === "id" && !value.includes("\0")) id = value;
      else if (name === "retry" && /^\d+$/.test(value)) inbox.retryMs = Number(value);
    };
    const dispatch = () => {
      if (id !== null) inbox.lastEventId = id;
      if (data.length) onEvent(type, data.join("\n"));
      data = []; type = ""; id = null;
    };
    return (text) => {
      buf += text;
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buf);
        // A CR at the very end may be the first half of a CRLF.
        if (!m || (m[0] === "\r" && m.index === buf.length - 1)) return;
        const line = buf.slice(0, m.index);
        buf = buf.slice(m.index + m[0].length);
        if (line === "") dispatch(); else field(line);
      }
    };
  }

  function setStreamState(s) {
    const e = $("inbox-stream");
    e.dataset.state = s;
    e.textContent = t(`stream_${s}`);
  }

  const pause = (ms, signal) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });

  // readStream keeps the notification stream open for one sign-in until
  // ctl is aborted: after a drop it waits (the server's retry, doubled for
  // each failure in a row, up to 30 s, with jitter) and resumes from the
  // last event id; an id the server no longer knows starts afresh; a token
  // that no longer serves stops it.
  async function readStream(ctl, token) {
    const { signal } = ctl;
    while (!signal.aborted) {
      setStreamState("connecting");
      let status = 0, told = false;
      const opened = Date.now();
      try {
        const headers = { Authorization: `Bearer ${token}`, Accept: "text/event-stream" };
        if (inbox.lastEventId) headers["Last-Event-ID"] = inbox.lastEventId;
        const resp = await fetch("/v1/notifications", { headers, cache: "no-store", signal });
        status = resp.status;
        if (resp.ok && resp.body) {
          setStreamState("open");
          loadInbox(false); // what happened before the stream began
          const reader = resp.body.getReader();
          const decoder = new TextDecoder();
          const push = sseParser((type, data) => { told = true; inbox.failures = 0; onNotification(type, data); });
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            push(decoder.decode(value, { stream: true }));
          }
        } else {
          await resp.body?.cancel();
        }
      } catch { /* a drop, or the abort: see below */ }
      if (signal.aborted) return;
      if (status === 401 || status === 403) {
        inbox.note = status === 401 ? "err_401" : "inbox_forbidden";
        renderInbox();
        setStreamState("closed");
        return;
      }
      if (status === 400) { inbox.lastEventId = ""; } // not an id this server gave: start afresh
      if (told || Date.now() - opened > 10 * 1000) inbox.failures = 0;
      const wait = Math.min(RETRY_MAX, inbox.retryMs * 2 ** inbox.failures) * (0.5 + Math.random() / 2);
      inbox.failures++;
      setStreamState("retry");
      await pause(wait, signal);
    }
  }

  function stopStream() {
    if (inbox.stream) inbox.stream.abort();
    inbox.stream = null;
    setStreamState("closed");
  }

  function startInbox() {
    stopInbox();
    $("inbox").hidden = false;
    inbox.stream = new AbortController();
    loadInbox(false);
    readStream(inbox.stream, state.token);
  }

  function stopInbox() {
    stopStream();
    inbox.seq++; // a list still on its way is dropped
    clearTimeout(inbox.refreshTimer);
    clearTimeout(inbox.newsTimer);
    Object.assign(inbox, { items: [], next: null, note: null, news: [], lastEventId: "", failures: 0 });
    $("inbox").hidden = true;
    $("inbox").dataset.state = "";
    $("inbox-news").textContent = "";
    renderInbox();
  }

  function showSignedIn() {
    const claims = state.token ? claimsOf(state.token) : null;
    const who = $("whoami");
    who.hidden = !claims;
    $("signout").hidden = !claims;
    if (claims) {
      who.textContent = `${t("signed_in")}：${roleWord(claims.role)} ${claims.sub}，${t("jurisdiction")} ${claims.jur}，${t("expires")} ${cst(claims.exp * 1000)}`;
    }
  }

  function applyLanguage() {
    document.documentElement.lang = zh() ? "zh-CN" : "en";
    document.title = t("title");
    for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
    $("lang").textContent = t("switch");
    showSignedIn();
    if (state.error) showError(state.error.key, state.error.detail);
    if (state.report) { showAsOf(); render(); }
    renderInbox();
    setStreamState($("inbox-stream").dataset.state || "closed");
  }

  function signIn(token) {
    const claims = claimsOf(token);
    if (!claims) { showError("err_token"); return; }
    if (claims.exp && claims.exp * 1000 < Date.now()) { showError("err_expired"); return; }
    state.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
    showError(null);
    showSignedIn();
    startInbox();
  }

  function signOut() {
    stopInbox();
    state.token = "";
    state.report = null;
    state.subject = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $("view").hidden = true;
    showSignedIn();
  }

  function openSubject(form) {
    if (!state.token) { showError("err_signin"); return; }
    const id = form.elements.id.value.trim();
    if (!id) { showError("err_id"); return; }
    state.subject = { kind: form.elements.kind.value, id };
    state.asOf = null;
    load(true);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("lang").addEventListener("click", () => {
      state.lang = zh() ? "en" : "zh";
      sessionStorage.setItem(LANG_KEY, state.lang);
      applyLanguage();
    });
    $("signin-form").addEventListener("submit", (e) => {
      e.preventDefault();
      signIn($("token").value.trim());
      $("token").value = "";
    });
    $("signout").addEventListener("click", signOut);
    $("open-form").addEventListener("submit", (e) => { e.preventDefault(); openSubject(e.target); });
    $("asof").addEventListener("input", onSlide);
    $("asof").addEventListener("keydown", onSliderKey);
    $("asof-at").addEventListener("change", onTypedAsOf);
    $("asof-now").addEventListener("click", () => { if (state.subject) load(true); });
    $("print").addEventListener("click", () => window.print());
    $("report").addEventListener("click", openReport);
    window.addEventListener("message", onReportMessage);
    $("inbox-refresh").addEventListener("click", () => loadInbox(false));
    $("inbox-more").addEventListener("click", () => loadInbox(true));
    try {
      const resp = await fetch("words.json");
      if (resp.ok) state.words = await resp.json();
    } catch { /* codes are shown as they are */ }
    applyLanguage();
    const claims = state.token ? claimsOf(state.token) : null;
    if (claims && !(claims.exp && claims.exp * 1000 < Date.now())) startInbox();
    document.body.dataset.ready = "true";
  });
})();
