// Reads Parquet files with hyparquet (a second, independent Parquet reader; from npm, installed
// with icebird by scripts/icebird.sh) and prints one JSON array per file, of its rows as objects:
// longs and decimals as text, dates and timestamps as ISO text.
//   node hyparquet_read.mjs NODE_MODULES_DIR FILE...
import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import path from 'node:path'

const [modules, ...files] = process.argv.slice(2)
const load = (name, file) => import(pathToFileURL(path.join(modules, 'node_modules', name, file)))
const { parquetReadObjects } = await load('hyparquet', 'src/index.js')
const { compressors } = await load('hyparquet-compressors', 'src/index.js')
const text = (k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v)
for (const f of files) {
  const buf = await readFile(f)
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
  const rows = await parquetReadObjects({ file, compressors })
  console.log(JSON.stringify(rows, text))
}
