// Renders ZPL read from stdin to PNG files with zpl-renderer-js (an independent renderer, run
// offline): node render.cjs WIDTH_MM HEIGHT_MM DPMM OUT_PREFIX -> OUT_PREFIX-0.png, -1.png, ...
const fs = require("node:fs");
const { ready } = require("zpl-renderer-js");

async function main() {
  const [widthMm, heightMm, dpmm, prefix] = process.argv.slice(2);
  const zpl = fs.readFileSync(0, "utf8");
  const { api } = await ready;
  const pngs = await api.zplToBase64MultipleAsync(zpl, Number(widthMm), Number(heightMm), Number(dpmm));
  pngs.forEach((png, i) => fs.writeFileSync(`${prefix}-${i}.png`, Buffer.from(png, "base64")));
  process.stdout.write(`${pngs.length}\n`);
}

main().then(() => process.exit(0), (err) => { console.error(String(err)); process.exit(1); });
