// A hostile profile for the XSS cases: function and file names that would
// run script or fetch if the page ever treated them as HTML.

/// Names that would each set window.__xss (or fetch "x") as HTML.
export const HOSTILE_NAMES = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script>", '<b onmouseover="window.__xss=3">main</b>'];

/// A minimal pprof protobuf, encoded by hand: one sample through two
/// functions with the given names, in file `file`.
export function hostileProfile(names, file) {
  const varint = (n) => { const out = []; while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n >>>= 7; } out.push(n); return out; };
  const field = (num, bytes) => [...varint((num << 3) | 2), ...varint(bytes.length), ...bytes];
  const int = (num, v) => [...varint(num << 3), ...varint(v)];
  const str = (s) => [...Buffer.from(s, "utf8")];
  const strings = ["", "samples", "count", file, ...names];
  const out = [];
  out.push(...field(1, [...int(1, 1), ...int(2, 2)]));
  out.push(...field(2, [...field(1, names.map((_, i) => i + 1).flatMap((id) => varint(id))), ...field(2, varint(7))]));
  names.forEach((_, i) => {
    out.push(...field(4, [...int(1, i + 1), ...field(4, [...int(1, i + 1), ...int(2, 10 + i)])]));
    out.push(...field(5, [...int(1, i + 1), ...int(2, 4 + i), ...int(3, 4 + i), ...int(4, 3)]));
  });
  for (const s of strings) out.push(...field(6, str(s)));
  return Buffer.from(out);
}
