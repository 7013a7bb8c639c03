// trunk's one post_build hook, so the steps run in order on the staging
// directory: the hosted page's CSP hash first, then the single file.
import { writeSingleFile } from "./single-file.mjs";

await import("./csp-hash.mjs");
writeSingleFile(process.env.TRUNK_STAGING_DIR);
