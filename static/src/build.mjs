// Build the front-end assets into static/build/ from the pinned npm packages.
// GOV.UK Frontend is compiled without the GOV.UK brand: Arial instead of GDS Transport,
// no crown or crest images. Nothing here is fetched at run time.
import { compile } from "sass";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "static", "build");
mkdirSync(out, { recursive: true });

const css = compile(join(root, "static", "src", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "app.css"), css.css);

const copies = [
  ["node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["node_modules/socket.io-client/dist/socket.io.min.js", "socket.io.min.js"],
];
for (const [from, to] of copies) copyFileSync(join(root, from), join(out, to));
console.log(`assets built in ${out}`);
