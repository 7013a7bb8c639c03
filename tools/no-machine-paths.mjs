// Fails the build when a built file names a directory of the machine that
// built it: the cargo home (a crate's panic locations name their source
// files), the home directory or the project's own path. tools/env.sh
// remaps the crates' paths for wasm builds; a build run without it stops
// here rather than ship them.
import { readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export function checkNoMachinePaths(dir, root = resolve(import.meta.dirname, "..")) {
  const home = homedir();
  const cargoHome = process.env.CARGO_HOME || join(home, ".cargo");
  const paths = [cargoHome, root, home].filter((p) => p && p !== "/");
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const name = join(entry.parentPath ?? entry.path, entry.name);
    const bytes = readFileSync(name);
    for (const p of paths) {
      const at = bytes.indexOf(p);
      if (at >= 0) {
        const end = bytes.indexOf(0, at);
        const text = bytes.subarray(at, Math.min(end < 0 ? at + 120 : end, at + 120)).toString();
        throw new Error(
          `${name} names a path on this machine at byte ${at} (${text}); ` +
            "build through tools/serve.sh or tools/test.sh, whose tools/env.sh remaps crates' paths",
        );
      }
    }
  }
}
