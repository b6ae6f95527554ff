// Small enhancements; every form also works without them, and the server checks everything again.
(function () {
  "use strict";

  function parseNumber(text) {
    // Accept full-width digits and the ideographic full stop, as typed with a Chinese IME.
    const ascii = String(text || "").trim()
      .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xFEE0))
      .replace(/[\uFF0E\u3002]/g, ".");
    return /^-?\d+(\.\d+)?$/.test(ascii) ? ascii : null;
  }

  // Sum of decimal strings without binary floating point: scale to integers of 1/10^places.
  function exactSum(values) {
    const places = Math.max(0, ...values.map((v) => (v.split(".")[1] || "").length));
    const scale = 10n ** BigInt(places);
    let total = 0n;
    for (const v of values) {
      const [whole, fraction = ""] = v.replace("-", "").split(".");
      const units = BigInt(whole) * scale + BigInt((fraction + "0".repeat(places)).slice(0, places) || "0");
      total += v.startsWith("-") ? -units : units;
    }
    const negative = total < 0n;
    const abs = negative ? -total : total;
    let text = (abs / scale).toString();
    if (places > 0) {
      const fraction = (abs % scale).toString().padStart(places, "0").replace(/0+$/, "");
      if (fraction) text += "." + fraction;
    }
    return (negative ? "-" : "") + text;
  }

  function setupWeights(form) {
    const theory = form.querySelector("[name=theory_weight]");
    const practical = form.querySelector("[name=practical_weight]");
    const output = form.querySelector("[data-weights-sum]");
    if (!theory || !practical || !output) return;
    function update() {
      const values = [parseNumber(theory.value), parseNumber(practical.value)];
      if (values.includes(null)) { output.textContent = ""; return; }
      const sum = exactSum(values);
      output.textContent = output.dataset.label + ": " + sum + (sum === "1" ? " ✓" : " ≠ 1");
      output.classList.toggle("bad", sum !== "1");
    }
    theory.addEventListener("input", update);
    practical.addEventListener("input", update);
    update();
  }

  function setupSchemeEditor(form) {
    const rows = form.querySelector("[data-rows]");
    const template = form.querySelector("[data-row-template]");
    const total = form.querySelector("[data-total]");
    let nextIndex = Number(form.dataset.nextIndex || rows.children.length);

    function syncKind(row) {
      const kind = row.querySelector("[data-kind]");
      const step = row.querySelector("[name$='-step']");
      if (!kind || !step) return;
      const judgement = kind.value === "judgement";
      if (judgement) step.value = "1";
      step.readOnly = judgement;
    }
    function updateTotal() {
      const values = [...rows.querySelectorAll("[name$='-max_mark']")]
        .map((input) => parseNumber(input.value)).filter((v) => v !== null);
      total.textContent = values.length ? exactSum(values) : "0";
    }
    form.querySelector("[data-add-row]").addEventListener("click", () => {
      const html = template.innerHTML.replaceAll("__index__", String(nextIndex++));
      rows.insertAdjacentHTML("beforeend", html);
      const row = rows.lastElementChild;
      syncKind(row);
      row.querySelector("input").focus();
      updateTotal();
    });
    rows.addEventListener("click", (event) => {
      const button = event.target.closest("[data-remove-row]");
      if (!button) return;
      if (rows.children.length > 1) button.closest("[data-criterion-row]").remove();
      updateTotal();
    });
    rows.addEventListener("input", updateTotal);
    rows.addEventListener("change", (event) => {
      if (event.target.matches("[data-kind]")) syncKind(event.target.closest("[data-criterion-row]"));
    });
    rows.querySelectorAll("[data-criterion-row]").forEach(syncKind);
    updateTotal();
  }

  document.querySelectorAll("form[data-weights]").forEach(setupWeights);
  document.querySelectorAll("form[data-scheme-editor]").forEach(setupSchemeEditor);
})();

// A "select all" box ticks every row box of its table.
document.querySelectorAll("[data-select-all]").forEach((box) => {
  box.addEventListener("change", () => {
    box.closest("table").querySelectorAll("tbody input[type=checkbox]").forEach((row) => { row.checked = box.checked; });
  });
});

// A form with data-confirm asks first (no inline onsubmit: the pages carry a strict content policy).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// A background job's page follows its progress, and reloads when it is finished to show the result.
document.querySelectorAll("[data-job]").forEach((card) => {
  const bar = card.querySelector("[data-job-bar]");
  // The width comes from data-percent: a style attribute would break the content policy.
  if (bar) bar.style.width = `${bar.dataset.percent}%`;
  if (card.dataset.finished === "1") return;
  const phase = card.querySelector("[data-job-phase]");
  const count = card.querySelector("[data-job-count]");
  async function poll() {
    let progress;
    try {
      const response = await fetch(card.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      progress = await response.json();
    } catch (error) {
      setTimeout(poll, 3000); // a dropped connection: try again a little later
      return;
    }
    if (progress.finished || progress.state === "succeeded") { window.location.reload(); return; }
    phase.textContent = progress.phase;
    count.textContent = progress.count;
    const known = progress.percent !== null;
    bar.classList.toggle("progress-bar-striped", !known);
    bar.classList.toggle("progress-bar-animated", !known);
    bar.style.width = `${known ? progress.percent : 100}%`;
    bar.textContent = known ? `${progress.percent}%` : "";
    bar.parentElement.setAttribute("aria-valuenow", known ? progress.percent : 0);
    setTimeout(poll, 700);
  }
  setTimeout(poll, 500);
});

// Check-in: the counts follow the other tablets' check-ins.
document.querySelectorAll("[data-attendance-url]").forEach((tiles) => {
  async function refresh() {
    try {
      const response = await fetch(tiles.dataset.attendanceUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const counts = await response.json();
        for (const [key, value] of Object.entries(counts)) {
          const number = tiles.querySelector(`[data-count="${key}"]`);
          if (number) number.textContent = value;
        }
      }
    } catch (error) { /* offline for a moment: the next round tries again */ }
    setTimeout(refresh, 5000);
  }
  setTimeout(refresh, 5000);
});

// Check-in: scan the ticket's QR code with the camera where the browser can decode it (BarcodeDetector).
document.querySelectorAll("[data-ticket-form]").forEach((form) => {
  const button = form.querySelector("[data-scan]");
  const video = form.querySelector("[data-scan-video]");
  const input = form.querySelector("input[name=ticket]");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return; // typing the number always works
  button.classList.remove("d-none");
  button.addEventListener("click", async () => {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      button.disabled = true;
      return;
    }
    video.srcObject = stream;
    video.classList.remove("d-none");
    await video.play();
    async function look() {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) {
        stream.getTracks().forEach((track) => track.stop());
        input.value = codes[0].rawValue;
        form.submit();
        return;
      }
      requestAnimationFrame(look);
    }
    look();
  });
});

// Print buttons (no inline script: the pages carry a strict policy).
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
