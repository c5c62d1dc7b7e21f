// Lines of two runs of one request, side by side. Stable lines must be equal; a line marked
// unstable (timing-dependent) is matched by its shape, its numbers left out. The alignment is a
// longest common subsequence, so a line one run printed and the other did not shows as a gap.

export const LIMIT = 500;

// "Brewed 3 cups in 0.301 s" and "… in 0.297 s" have one shape.
export function shape(text) {
  return String(text ?? '').replace(/-?\d[\d.,_]*(e[+-]?\d+)?/gi, '#');
}

function key(line) {
  return line.stable === false ? `~${shape(line.text)}` : `=${line.text}`;
}

// Each row: {left, right, kind}, kind "same" (equal stable lines), "shape" (unstable lines of one
// shape), "left" or "right" (only one run printed it). At most LIMIT lines of each side are
// aligned; `cut` says how many were left out.
export function alignOutputs(leftLines, rightLines) {
  const a = (leftLines ?? []).slice(0, LIMIT);
  const b = (rightLines ?? []).slice(0, LIMIT);
  const ka = a.map(key);
  const kb = b.map(key);
  // lengths[i][j]: the longest common run of ka[i..] and kb[j..].
  const lengths = Array.from({length: a.length + 1}, () => new Uint16Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i][j] = ka[i] === kb[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const rows = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && ka[i] === kb[j]) {
      rows.push({left: a[i], right: b[j], kind: a[i].stable === false ? 'shape' : 'same'});
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && lengths[i + 1][j] >= lengths[i][j + 1])) {
      rows.push({left: a[i++], right: null, kind: 'left'});
    } else {
      rows.push({left: null, right: b[j++], kind: 'right'});
    }
  }
  const cut = Math.max(0, (leftLines?.length ?? 0) - a.length) + Math.max(0, (rightLines?.length ?? 0) - b.length);
  return {rows, cut};
}
