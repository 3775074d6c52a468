// Sample 06's page: the drawing pad (pointer events: mouse, touch and pen; clear; undo), MNIST-style
// preprocessing of the drawing into the model's square input, the forward pass from /api/predict
// (debounced while drawing) and one step of back-propagation from /api/backprop. Every width (pixels,
// classes, hidden neurons) is read from /api/model: nothing here assumes 784 inputs or 10 classes.
// Plain browser JavaScript, no libraries. window.digitPage lets the browser tests see what happened.
"use strict";

const page = window.digitPage = { predictions: 0, teachings: 0, last: null, lastBackprop: null, model: null, predictedFor: -1 };
const pad = document.getElementById("pad");
const padContext = pad.getContext("2d", { willReadFrequently: true });
const strokes = []; // each stroke: an array of {x, y} in pad pixels
let current = null;
let pixels = null; // the model's input for the current drawing, or null when blank
let label = null;
let predictTimer = 0;
let predictSerial = 0;
// The number of points drawn: a prediction is up to date when it was made for all of them.
page.points = () => strokes.reduce((sum, stroke) => sum + stroke.length, 0);

// ---- the colour maps of MnistBp.Pictures.Colors: ink (0 white, 1 black) and diverging (blue, white, red)
function ink(value) {
  const grey = Math.round(255 * (1 - Math.min(1, Math.max(0, value))));
  return [grey, grey, grey];
}

function diverging(value, scale) {
  const t = Math.max(-1, Math.min(1, value / scale));
  const end = t < 0 ? [33, 102, 172] : [178, 24, 43];
  const a = Math.abs(t);
  // white mixed toward the end colour by |t|
  return end.map(e => Math.round(255 + (e - 255) * a));
}

function paint(canvas, values, width, colour, scale) {
  const height = Math.ceil(values.length / width);
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = (width * scale) + "px";
  canvas.style.height = (height * scale) + "px";
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = i < values.length ? colour(values[i]) : [238, 238, 238];
    image.data.set([r, g, b, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

// ---- drawing
function redraw() {
  padContext.clearRect(0, 0, pad.width, pad.height);
  padContext.lineWidth = 20;
  padContext.lineCap = "round";
  padContext.lineJoin = "round";
  padContext.strokeStyle = "#000";
  padContext.fillStyle = "#000";
  for (const stroke of strokes) {
    if (stroke.length === 1) {
      padContext.beginPath();
      padContext.arc(stroke[0].x, stroke[0].y, padContext.lineWidth / 2, 0, 2 * Math.PI);
      padContext.fill();
      continue;
    }
    padContext.beginPath();
    padContext.moveTo(stroke[0].x, stroke[0].y);
    for (const point of stroke.slice(1)) {
      padContext.lineTo(point.x, point.y);
    }
    padContext.stroke();
  }
}

function pointAt(event) {
  const box = pad.getBoundingClientRect();
  return { x: (event.clientX - box.left) * pad.width / box.width, y: (event.clientY - box.top) * pad.height / box.height };
}

pad.addEventListener("pointerdown", event => {
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  current = [pointAt(event)];
  strokes.push(current);
  redraw();
  schedulePredict();
});
pad.addEventListener("pointermove", event => {
  if (!current) {
    return;
  }
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  for (const e of events.length ? events : [event]) {
    current.push(pointAt(e));
  }
  redraw();
  schedulePredict();
});
for (const type of ["pointerup", "pointercancel"]) {
  pad.addEventListener(type, () => {
    if (current) {
      current = null;
      predictNow();
    }
  });
}

document.getElementById("clear").addEventListener("click", () => {
  strokes.length = 0;
  redraw();
  predictNow();
});
document.getElementById("undo").addEventListener("click", () => {
  strokes.pop();
  redraw();
  predictNow();
});

// ---- MNIST-style preprocessing: the ink's bounding box scaled into 20 x 20 (for a 28 x 28 input)
// keeping its aspect, anti-aliased by averaging the area each target pixel covers, then placed with
// its centre of mass at the centre of the square; ink 1, paper 0 (MNIST's bytes / 255).
function preprocess(side) {
  const width = pad.width, height = pad.height;
  const rgba = padContext.getImageData(0, 0, width, height).data;
  const source = new Float32Array(width * height);
  let left = width, right = -1, top = height, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = rgba[(y * width + x) * 4 + 3] / 255; // the ink is the alpha of the black strokes
      source[y * width + x] = value;
      if (value > 0.01) {
        left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y);
      }
    }
  }
  if (right < 0) {
    return null;
  }

  const box = Math.round(side * 20 / 28); // 20 for MNIST's 28
  const boxWidth = right - left + 1, boxHeight = bottom - top + 1;
  const scale = box / Math.max(boxWidth, boxHeight);
  const targetWidth = Math.max(1, Math.ceil(boxWidth * scale - 1e-9)), targetHeight = Math.max(1, Math.ceil(boxHeight * scale - 1e-9));
  // Separable box filter: target pixel t covers source [start + t / scale, start + (t + 1) / scale).
  const weights = (count, start, sourceCount) => {
    const rows = [];
    for (let t = 0; t < count; t++) {
      const a = start + t / scale, b = start + (t + 1) / scale, row = [];
      for (let p = Math.floor(a); p < Math.min(Math.ceil(b), sourceCount); p++) {
        const overlap = Math.min(b, p + 1) - Math.max(a, p);
        if (overlap > 0) {
          row.push([p, overlap * scale]); // the covered part of pixel p, over the target pixel's width
        }
      }
      rows.push(row);
    }
    return rows;
  };
  const across = weights(targetWidth, left, width), down = weights(targetHeight, top, height);
  const horizontal = new Float32Array(targetWidth * height);
  for (let y = top; y <= bottom; y++) {
    for (let t = 0; t < targetWidth; t++) {
      let sum = 0;
      for (const [p, w] of across[t]) {
        sum += w * source[y * width + p];
      }
      horizontal[y * targetWidth + t] = sum;
    }
  }
  const scaled = new Float32Array(targetWidth * targetHeight);
  let mass = 0, massX = 0, massY = 0;
  for (let t = 0; t < targetHeight; t++) {
    for (let x = 0; x < targetWidth; x++) {
      let sum = 0;
      for (const [p, w] of down[t]) {
        sum += w * horizontal[p * targetWidth + x];
      }
      const value = Math.min(1, sum);
      scaled[t * targetWidth + x] = value;
      mass += value; massX += value * (x + 0.5); massY += value * (t + 0.5);
    }
  }

  // Shift by whole pixels so the centre of mass lands on the centre of the square (as MNIST did).
  const shiftX = Math.round(side / 2 - massX / mass), shiftY = Math.round(side / 2 - massY / mass);
  const result = new Array(side * side).fill(0);
  for (let y = 0; y < targetHeight; y++) {
    for (let x = 0; x < targetWidth; x++) {
      const tx = x + shiftX, ty = y + shiftY;
      if (tx >= 0 && tx < side && ty >= 0 && ty < side) {
        result[ty * side + tx] = Math.max(0, Math.min(1, scaled[y * targetWidth + x]));
      }
    }
  }
  return result;
}

// ---- talking to the app
async function post(url, body) {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) {
    throw new Error(json.detail || json.title || response.statusText);
  }
  return json;
}

function showError(message) {
  document.getElementById("error").textContent = message || "";
}

function schedulePredict() {
  clearTimeout(predictTimer);
  predictTimer = setTimeout(predictNow, 120);
}

async function predictNow() {
  clearTimeout(predictTimer);
  const model = page.model;
  if (!model) {
    return;
  }
  const points = page.points();
  pixels = preprocess(model.imageSide);
  paint(document.getElementById("preview"), pixels || new Array(model.inputSize).fill(0), model.imageSide, ink, 5);
  updateTeachButton();
  if (!pixels) {
    document.getElementById("prediction").textContent = "–";
    drawBars(document.getElementById("bars"), new Array(model.outputSize).fill(0), -1);
    page.predictedFor = points;
    return;
  }
  const serial = ++predictSerial;
  try {
    const result = await post("/api/predict", { pixels });
    if (serial !== predictSerial) {
      return; // a newer drawing is on its way
    }
    showError("");
    showPrediction(result);
    page.last = result;
    page.predictions++;
    page.predictedFor = points;
  } catch (error) {
    showError(error.message);
  }
}

// ---- the forward pass
function drawBars(container, values, highlight, before) {
  container.replaceChildren();
  values.forEach((value, i) => {
    const name = document.createElement("span");
    name.textContent = i;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("div");
    fill.className = "fill" + (i === highlight ? " top" : "");
    fill.style.width = (100 * Math.max(0, Math.min(1, value))) + "%";
    bar.append(fill);
    if (before) {
      const tick = document.createElement("div");
      tick.className = "tick";
      tick.style.left = (100 * before[i]) + "%";
      bar.append(tick);
    }
    const text = document.createElement("span");
    text.className = "value";
    text.textContent = value.toFixed(3);
    container.append(name, bar, text);
  });
}

function drawSignedBars(container, values) {
  const scale = Math.max(1e-12, ...values.map(Math.abs));
  container.replaceChildren();
  values.forEach((value, i) => {
    const name = document.createElement("span");
    name.textContent = i;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("div");
    const half = 50 * Math.abs(value) / scale;
    fill.className = "fill " + (value < 0 ? "negative" : "positive");
    fill.style.left = (value < 0 ? 50 - half : 50) + "%";
    fill.style.width = half + "%";
    const axis = document.createElement("div");
    axis.className = "axis";
    bar.append(fill, axis);
    const text = document.createElement("span");
    text.className = "value";
    text.textContent = value.toExponential(2);
    container.append(name, bar, text);
  });
}

function gridWidth(count) {
  return Math.max(1, Math.ceil(Math.sqrt(count)));
}

function showPrediction(result) {
  const model = page.model;
  document.getElementById("prediction").textContent = result.prediction;
  document.getElementById("model-state").textContent = result.model === "yours"
    ? `(your copy, taught ${result.steps} step${result.steps === 1 ? "" : "s"})` : "(the trained model)";
  drawBars(document.getElementById("bars"), result.probabilities, result.prediction);
  if (model.hiddenSize > 0) {
    paint(document.getElementById("hidden"), result.hidden, gridWidth(model.hiddenSize), ink, 14);
  }
  if (model.hasNeuronImages) {
    const most = result.hidden.map((a, j) => [a, j]).sort((p, q) => q[0] - p[0]).slice(0, 6);
    const figures = most.map(([a, j]) => {
      const figure = document.createElement("figure");
      const image = document.createElement("img");
      image.src = `/api/weights/${j}.png?v=${result.steps}`;
      image.alt = `incoming weights of hidden neuron ${j}`;
      const caption = document.createElement("figcaption");
      caption.textContent = `#${j}: a = ${a.toFixed(2)}`;
      figure.append(image, caption);
      return figure;
    });
    document.getElementById("weights").replaceChildren(...figures);
  }
}

// ---- teach it
function updateTeachButton() {
  document.getElementById("teach-button").disabled = !(pixels && label !== null);
}

function buildLabels(count) {
  const container = document.getElementById("labels");
  for (let i = 0; i < count; i++) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = `label-${i}`;
    button.textContent = i;
    button.addEventListener("click", () => {
      label = i;
      for (const other of container.children) {
        other.classList.toggle("selected", other === button);
      }
      updateTeachButton();
    });
    container.append(button);
  }
}

document.getElementById("teach-button").addEventListener("click", async () => {
  if (!pixels || label === null) {
    return;
  }
  const learnRate = Number(document.getElementById("learn-rate").value);
  try {
    const result = await post("/api/backprop", { pixels, label, learnRate });
    showError("");
    showBackprop(result);
    page.lastBackprop = result;
    page.teachings++;
    await predictNow(); // the forward pass of your copy now
  } catch (error) {
    showError(error.message);
  }
});

document.getElementById("reset").addEventListener("click", async () => {
  try {
    await post("/api/reset", {});
    document.getElementById("teach-result").hidden = true;
    document.getElementById("teach-status").textContent = "Back to the trained model.";
    await predictNow();
  } catch (error) {
    showError(error.message);
  }
});

function showBackprop(result) {
  const model = page.model;
  document.getElementById("teach-result").hidden = false;
  document.getElementById("teach-status").textContent =
    `Step ${result.steps} on your copy: label ${result.label}, learn rate ${result.learnRate}.`;
  document.getElementById("loss").textContent = result.loss.toPrecision(4);
  document.getElementById("loss-name").textContent = model.loss;
  drawSignedBars(document.getElementById("dz-output"), result.dZOutput);
  if (result.dZHidden) {
    const scale = Math.max(1e-12, ...result.dZHidden.map(Math.abs));
    paint(document.getElementById("dz-hidden"), result.dZHidden, gridWidth(result.dZHidden.length), v => diverging(v, scale), 14);
  }
  const scale = Math.max(1e-12, ...result.dW.flatMap(n => n.dW.map(Math.abs)));
  const figures = result.dW.map(neuron => {
    const figure = document.createElement("figure");
    const canvas = document.createElement("canvas");
    paint(canvas, neuron.dW, model.imageSide, v => diverging(v, scale), 3);
    const caption = document.createElement("figcaption");
    caption.textContent = `#${neuron.neuron}: dZ = ${neuron.dZ.toExponential(1)}`;
    figure.append(canvas, caption);
    return figure;
  });
  document.getElementById("dw").replaceChildren(...figures);
  document.getElementById("after-prediction").textContent = result.after.prediction;
  document.getElementById("loss-after").textContent = result.lossAfter.toPrecision(4);
  drawBars(document.getElementById("after-bars"), result.after.probabilities, result.after.prediction, result.before.probabilities);
}

// ---- start
(async () => {
  try {
    const response = await fetch("/api/model");
    const model = await response.json();
    page.model = model;
    document.getElementById("model-source").textContent = `Model: ${model.source}. Layers: ${model.description}.`;
    document.getElementById("chart-note").textContent = model.chartNote;
    document.getElementById("teaching-note").textContent = model.teachingNote;
    document.getElementById("hidden-count").textContent = model.hiddenSize;
    buildLabels(model.outputSize);
    redraw();
    await predictNow();
    page.ready = true;
  } catch (error) {
    showError("Could not load the model: " + error.message);
  }
})();
