// Reads an Iceberg table directory with icebird (from npm, scripts/icebird.sh) and prints, as
// JSON: the current snapshot's metadata (snapshots, partition spec, schema) and every row, longs
// and decimals as text, dates and timestamps as ISO text.
//   node iceberg_read.mjs ICEBIRD_DIR TABLE_DIR
import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import path from 'node:path'

const [icebirdDir, tableDir] = process.argv.slice(2)
// icebird reads through fetch, which has no file: URLs in Node: local paths are served here.
globalThis.fetch = async (input) => {
  const url = typeof input === 'string' ? input : input.url
  try {
    return new Response(await readFile(url.startsWith('file:') ? new URL(url) : url), { status: 200 })
  } catch {
    return new Response('not found', { status: 404, statusText: 'Not Found' })
  }
}
const { icebergRead, icebergMetadata } = await import(pathToFileURL(path.join(icebirdDir, 'node_modules/icebird/src/index.js')))
const metadata = await icebergMetadata({ tableUrl: tableDir })
const rows = await icebergRead({ tableUrl: tableDir, metadata })
const text = (k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v)
console.log(JSON.stringify({
  snapshots: metadata.snapshots.map(s => ({ id: String(s['snapshot-id']), parent: s['parent-snapshot-id'] ? String(s['parent-snapshot-id']) : null, sequence: s['sequence-number'], summary: s.summary })),
  current: String(metadata['current-snapshot-id']),
  spec: metadata['partition-specs'][0].fields,
  fields: metadata.schemas[0].fields,
  rows,
}, text))
