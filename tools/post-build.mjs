// trunk's one post_build hook, so the steps run in order on the staging
// directory: a check that no file names a path on the building machine,
// the hosted page's CSP hash, hashed names for the worker's files, the
// single file for offline use, and last, when every other file is final,
// the service worker that lists them.
import { hashWorker } from "./hash-worker.mjs";
import { checkNoMachinePaths } from "./no-machine-paths.mjs";
import { writeServiceWorker } from "./service-worker.mjs";
import { writeSingleFile } from "./single-file.mjs";

const dir = process.env.TRUNK_STAGING_DIR;
checkNoMachinePaths(dir);
await import("./csp-hash.mjs");
hashWorker(dir);
writeSingleFile(dir);
writeServiceWorker(dir);
